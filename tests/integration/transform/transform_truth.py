"""Compare the marts dbt built (schema `audit`) with the simulator's truth manifest.

Every figure of the manifest is read back from a mart (or, for bookkeeping
figures such as invalid records, from the layer that holds them) and compared
exactly: counts as integers, rupiah to the rupiah, JP to the JP. Returns the
differences as readable lines, so a failing test shows all of them at once.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from sinergi.warehouse.connection import WarehouseTarget, connect

MARTS = "audit"


def _rows(target: WarehouseTarget, query: str) -> list[tuple]:
    with connect(target) as conn:
        return [tuple(row) for row in conn.execute(query)]  # type: ignore[arg-type]


def _num(value: Any) -> Any:
    """Decimals that hold whole numbers compare as ints (12.00 == 12)."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def _diff(name: str, expected: dict, actual: dict, out: list[str]) -> None:
    for key in sorted(set(expected) | set(actual), key=str):
        want, got = expected.get(key, 0), _num(actual.get(key, 0))
        if want != got:
            out.append(f"{name}[{key}]: truth {want}, marts {got}")


def compare(target: WarehouseTarget, truth: dict[str, Any]) -> list[str]:
    out: list[str] = []
    years = {int(y) for y in truth["world"]["years"]}
    region = f"{MARTS}.participation_by_region_year"
    fact = f"{MARTS}.fct_participations"

    def by_province(column: str) -> dict:
        return {
            (p, str(y)): v
            for p, y, v in _rows(target, f"select provinsi_kode, tahun, {column} from {region}")
            if y in years
        }

    def flat(table: dict[str, dict[str, int]]) -> dict:
        return {(k, y): v for k, per in table.items() for y, v in per.items()}

    parts = truth["participations"]
    _diff("participations", flat(parts["distinct_by_province_year"]),
          by_province("participation_count"), out)  # fmt: skip
    _diff("participation_jp", flat(parts["total_jp_by_province_year"]),
          by_province("jp_total"), out)  # fmt: skip
    asn = truth["asn"]
    _diff("asn_count", flat(asn["count_by_province_year"]), by_province("asn_count"), out)
    _diff("asn_20jp", flat(asn["reaching_20jp_by_province_year"]),
          by_province("asn_reaching_20_jp"), out)  # fmt: skip
    # "no data" (a null share) only where nothing was recorded: a province-year
    # the truth gives participations or 20-JP attainers has a development
    # record, and a share when it has ASN
    recorded, shares = by_province("has_development_record"), by_province("share_reaching_20_jp")
    asn_counts = flat(asn["count_by_province_year"])
    active = flat(parts["distinct_by_province_year"]), flat(asn["reaching_20jp_by_province_year"])
    for key in sorted({k for table in active for k, n in table.items() if n}):
        if not recorded.get(key):
            out.append(
                f"has_development_record[{key}]: truth has records, marts {recorded.get(key)}"
            )
        elif asn_counts.get(key) and shares.get(key) is None:
            out.append(f"share_reaching_20_jp[{key}]: null, truth has records and ASN")

    for name, column in (("by_year_result", "hasil"), ("by_year_kind", "jenis_pelatihan")):
        counted = {
            (str(y), value): n
            for y, value, n in _rows(
                target,
                f"select tahun, {column}, count(*) from {fact}"
                " where not is_elearning_completion group by 1, 2",
            )
        }
        expected = {(y, value): n for y, per in parts[name].items() for value, n in per.items()}
        _diff(name, expected, counted, out)
    cross = _rows(
        target,
        f"select count(*) from {fact} where not is_elearning_completion"
        " and not is_central_hosted and is_cross_region",
    )[0][0]
    _diff("cross_region_regional_hosts", {"all": parts["cross_region_regional_hosts"]},
          {"all": cross}, out)  # fmt: skip
    minutes = {
        str(y): m
        for y, m in _rows(
            target,
            f"select tahun, sum(jp_minutes) from {fact} where is_elearning_completion group by 1",
        )
    }
    _diff("elearning_minutes", asn["elearning_minutes_by_year"], minutes, out)

    funding = f"{MARTS}.funding_by_institution_year_source"
    budgets = truth["budgets"]
    by_source: dict = defaultdict(int)
    by_inst: dict = {}
    for inst, year, source, pagu, realisasi, lines in _rows(
        target,
        f"select instansi_id, tahun, sumber_dana, pagu_idr, realisasi_idr, budget_line_count"
        f" from {funding}",
    ):
        key = f"{source}|{year}"
        by_source[(key, "pagu_idr")] += pagu
        by_source[(key, "realisasi_idr")] += realisasi
        by_source[(key, "rows")] += lines
        by_inst[(f"{inst}|{year}|{source}", "pagu_idr")] = pagu
        by_inst[(f"{inst}|{year}|{source}", "realisasi_idr")] = realisasi
    _diff("budgets_by_source", {(k, f): v for k, per in budgets["by_source_year"].items()
                                for f, v in per.items()}, by_source, out)  # fmt: skip
    _diff("budgets_by_instansi", {(k, f): v for k, per in budgets["by_instansi_year_source"].items()
                                  for f, v in per.items()}, by_inst, out)  # fmt: skip

    plans: dict = defaultdict(int)
    for year, people, jp, budget in _rows(
        target,
        f"select tahun, rencana_peserta, rencana_jp, rencana_anggaran_idr"
        f" from {MARTS}.development_plan_realisation",
    ):
        plans[(str(year), "rencana_peserta")] += people
        plans[(str(year), "rencana_jp")] += jp
        plans[(str(year), "rencana_anggaran_idr")] += budget
    for year, rows in _rows(
        target, "select tahun, count(*) from intermediate.int_development_plans_resolved group by 1"
    ):
        plans[(str(year), "rows")] = rows
    _diff("development_plans", {(y, f): v for y, per in truth["development_plans"].items()
                                for f, v in per.items()}, plans, out)  # fmt: skip

    trainings = {
        (str(y), k): n
        for y, k, n in _rows(
            target,
            f"select extract(year from tanggal_mulai)::int, jenis_pelatihan, count(*)"
            f" from {MARTS}.dim_trainings where training_source = 'bpsdm_kemendagri' group by 1, 2",
        )
    }
    _diff("trainings", {(y, k): n for y, per in truth["trainings"]["valid_by_year_kind"].items()
                        for k, n in per.items()}, trainings, out)  # fmt: skip

    certs: Counter = Counter()
    by_result: Counter = Counter()
    for prov, year, total, kompeten in _rows(
        target,
        f"select coalesce(provinsi_kode, 'pusat'), tahun, certification_count, kompeten_count"
        f" from {MARTS}.certification_by_institution_year",
    ):
        certs[(f"{prov}|{year}", "kompeten")] += kompeten
        certs[(f"{prov}|{year}", "belum_kompeten")] += total - kompeten
        by_result["kompeten"] += kompeten
        by_result["belum_kompeten"] += total - kompeten
    _diff("certifications", {(k, r): n for k, per in
                             truth["certifications"]["by_province_year_result"].items()
                             for r, n in per.items()}, {k: v for k, v in certs.items() if v},
          out)  # fmt: skip
    _diff("certifications_by_result", truth["certifications"]["by_result"], by_result, out)

    assessed: Counter = Counter()
    for ctype, count, gap_sum in _rows(
        target,
        f"select jenis_kompetensi, assessment_count, gap_sum"
        f" from {MARTS}.competency_by_institution_year_type",
    ):
        assessed[(ctype, "count")] += count
        assessed[(ctype, "gap_sum")] += gap_sum
    _diff("assessments", {(c, f): per[f] for c, per in
                          truth["assessments"]["by_competency_type"].items()
                          for f in ("count", "gap_sum")}, assessed, out)  # fmt: skip

    invalid: Counter = Counter()
    for source, entity, reason, n in _rows(
        target,
        "select source, entity, reason, count(*) from intermediate.int_quarantine_candidates"
        " group by 1, 2, 3",
    ):
        invalid[(f"{source}.{entity}", reason)] += n
    # rows the file-drop loader refused never reach raw: they are in quarantine.records
    for entity, reason, n in _rows(
        target,
        "select entity, reason, count(*) from quarantine.records"
        " where source = 'bpsdm_daerah' and detected_by = 'ingestion' group by 1, 2",
    ):
        invalid[(f"bpsdm_daerah.{entity}", reason)] += n
    _diff("invalid_records", {(e, r): n for e, per in truth["invalid_records"].items()
                              for r, n in per.items()}, invalid, out)  # fmt: skip

    resolved = dict(
        _rows(
            target,
            "select lookup_key, instansi_id from intermediate.int_institution_lookup"
            " where lookup_kind = 'name'",
        )
    )
    normalised = dict(
        _rows(
            target,
            "select v, nullif(btrim(regexp_replace(lower(v), '[^a-z0-9]+', ' ', 'g')), '')"
            f" from unnest(array[{', '.join(_quote(v) for v in truth['institution_variants'])}])"
            " as v",
        )
    )
    for variant, code in truth["institution_variants"].items():
        if resolved.get(normalised[variant]) != code:
            out.append(f"institution variant {variant!r}: truth {code}, "
                       f"resolver {resolved.get(normalised[variant])}")  # fmt: skip
    return out


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
