"""The truth manifest: the figures the marts must give for the world served up to a clock.

Computed in one streaming pass, block by block, over the same arrays and row
layouts the servers and the file writer encode, holding only per-block
accumulators (memory does not grow with the world). The `definitions`
section states every rule the figures follow; the integration tests compare
the marts to these figures.

The figures come from the simulator's own reading of the rules (20 JP, the
NIP, the funding sources, the reasons a row is quarantined), independent of
the product's implementation on purpose: an expected value computed by the
code under test could never show that code wrong.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from sinergi_simulator import landing
from sinergi_simulator.defects import entity_reasons
from sinergi_simulator.entities import (
    BUDGET_PERIODS,
    DUP,
    FUNDING_KEYS,
    HOST,
    JUNK,
    PLAN_PERIODS,
    UPDATE,
    Sources,
)
from sinergi_simulator.institutions import CENTRAL
from sinergi_simulator.timeline import (
    N_PERIODS,
    WIB_OFFSET_MS,
    YEARS,
    format_ms,
    period_year_month,
)
from sinergi_simulator.vocab import COMPETENCY_TYPES, FUNDING_SPELLINGS, TRAINING_KINDS
from sinergi_simulator.world import LULUS, PROSES, TIDAK_LULUS, World, course_minutes

logger = logging.getLogger(__name__)

JP_MINUTES = 45
TARGET_MINUTES = 20 * JP_MINUTES
# Best result wins across the reports of one participation.
_RANK = np.zeros(3, dtype=np.int64)
_RANK[[PROSES, TIDAK_LULUS, LULUS]] = [0, 1, 2]
_RANK_NAMES = ("proses", "tidak_lulus", "lulus")

DEFINITIONS: dict[str, str] = {
    "clock": "Figures cover API records with timestamp (modified_at, updated_at, completed_at, "
    "or the hidden publication time of satudata rows) <= clock, and bpsdm_daerah folders "
    "uploaded <= clock (files --until writes exactly those folders).",
    "valid_nip": "After removing spaces: 18 ASCII digits; digits 1-8 a real birth date "
    "YYYYMMDD; then either (PNS) digits 9-14 a real YYYYMM later than the birth month and "
    "digit 15 in {1,2}, or (PPPK) digits 9-12 a year later than the birth year, digit 13 = 2 "
    "and digit 14 in {1,2}.",
    "invalid_record": "A record is invalid, and only counted under invalid_records, when: "
    "a NIP fails valid_nip (invalid_nip); a date is not a real calendar date (invalid_date); "
    "JP is negative (negative_jp); a duration is negative (negative_duration); an amount "
    "is negative (negative_amount); a competency level is outside 1-5 (invalid_level); a "
    "training code/name+start date matches no training (unknown_training); an instansi code "
    "is not a known region or K/L code (unknown_instansi); a required file column is empty "
    "(missing_required). With rare_fault_rate > 0, also every other quarantine reason "
    "(dbt_project/seeds/quarantine_reasons.csv, simulator/defects.py RARE_REASONS): a key or "
    "required field missing (<field>_missing, instansi_missing), a code outside its list "
    "(unknown_<field>), JP or an amount unreadable (invalid_jp, invalid_amount), a negative "
    "count (invalid_count), a year or epoch out of range (invalid_date), a valid NIP no SIASN "
    "record holds (unknown_asn), and API elements ingestion refuses before raw "
    "(not_json_object, nul_character). Each injected invalid record has exactly one "
    "defect; precedence if several are found: missing_required, invalid_nip, invalid_date, "
    "negative_*, invalid_level, unknown_*.",
    "participation": "One (nip, kode_pelatihan) pair, counted once across its reports: the "
    "bpsdm_kemendagri API (pelapor penyelenggara or asal, latest version per partisipasi_id) "
    "and bpsdm_daerah participation files (host's and origin's folders). File rows without a "
    "Kode Pelatihan match the training by nama_pelatihan (case-insensitive) and tanggal_mulai.",
    "participation_result": "Best result over the latest versions of all reports: lulus > "
    "tidak_lulus > proses. File status 'Lulus'/'LULUS' = lulus, 'Tidak Lulus' = tidak_lulus, "
    "'Proses' = proses; the rows of a file without a Status column (it is optional) are "
    "lulus.",
    "participation_jp": "Recognised JP of a participation = the training's JP (API jp_diakui, "
    "file JP column) when its result is lulus, else 0.",
    "province": "Province of the participant's origin institution (instansi_asal: code, or name "
    "resolved with institution_variants); ASN of central K/L are keyed 'pusat'.",
    "year": "Participations: year of the training's tanggal_mulai. Completions: year of "
    "completed_at in Asia/Jakarta. Certifications/assessments: year of their date. Budgets, "
    "plans: tahun.",
    "asn_count": "Valid siasn ASN (distinct nip) visible at the clock, by the province of their "
    "instansi_kode, reported for every year of the world that has started by the clock.",
    "jp_20": "An ASN reaches 20 JP in a year when 45 x (sum of recognised JP of their "
    "participations of that year) + (sum of duration_minutes of their valid kemnaker_corpu "
    "completions of that year) >= 900 minutes. total_jp = that sum / 45 per province.",
    "budgets": "Valid satudata rows (pagu and realisasi >= 0 after parsing 'Rp 1.234,00'-style "
    "strings to whole rupiah), funding source canonicalised with funding_source_variants, "
    "institution from kode_satker or nama_instansi (institution_variants).",
    "assessments": "Valid competency assessments from the API and from bpsdm_daerah assessment "
    "files (disjoint sets); gap = level_standar - level_hasil.",
    "rows_served": "Raw rows a full read returns at the clock, invalid and duplicated ones "
    "included (API: per entity; files: data rows per report type in readable files).",
}


class _Acc:
    """Nested counters keyed by strings, serialised in sorted order."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = defaultdict(lambda: defaultdict(int))

    def add(self, outer: str, inner: str, value: int = 1) -> None:
        self.data[outer][inner] += int(value)

    def out(self) -> dict[str, dict[str, int]]:
        return {k: dict(sorted(v.items())) for k, v in sorted(self.data.items())}


class TruthBuilder:
    """Accumulates the manifest; one `add_block` per ASN block, then the small tables."""

    def __init__(self, sources: Sources, clock_ms: int, include_files: bool) -> None:
        self.s = sources
        self.w = sources.world
        self.clock = clock_ms
        self.include_files = include_files
        inst = self.w.inst
        self.keys = sorted({inst.province_code(i) for i in range(inst.count)})
        self.key_of_inst = np.array(
            [self.keys.index(inst.province_code(i)) for i in range(inst.count)], dtype=np.int64
        )
        self.years = [y for y in YEARS if _year_start_ms(y) <= clock_ms]
        shape = (len(self.keys), len(YEARS))
        self.part_count = np.zeros(shape, dtype=np.int64)
        self.part_jp = np.zeros(shape, dtype=np.int64)
        self.asn_count = np.zeros(shape, dtype=np.int64)
        self.asn_20jp = np.zeros(shape, dtype=np.int64)
        self.part_by_result = np.zeros((len(YEARS), 3), dtype=np.int64)
        self.part_by_kind = np.zeros((len(YEARS), len(TRAINING_KINDS)), dtype=np.int64)
        self.elearning_minutes = _Acc()
        self.invalid = _Acc()
        self.certs = _Acc()
        self.certs_by_result: dict[str, int] = defaultdict(int)
        self.assess_n: dict[str, int] = defaultdict(int)
        self.assess_gap: dict[str, int] = defaultdict(int)
        self.file_rows: dict[str, int] = defaultdict(int)
        self.folders: set[tuple[int, int]] = set()
        self.cross_region = 0

    # ------------------------------------------------------------ helpers
    def _visible(self, stream_name: str, period: int, block: int) -> np.ndarray:
        return self.s.streams[stream_name].chunk_timestamps(period, block) <= self.clock

    def _period_visible(self, stream_name: str, period: int) -> np.ndarray:
        """Which records of a whole period are visible (a prefix: streams are time-ordered)."""
        stream = self.s.streams[stream_name]
        size = int(stream.period_total[period])
        seen = stream.count_until(self.clock) - int(stream.period_start[period])
        return np.arange(size) < min(max(seen, 0), size)

    def _folder_visible(self, folder: np.ndarray, period: int) -> np.ndarray:
        if not self.include_files:
            return np.zeros(len(folder), dtype=bool)
        return landing.folder_upload_ms(self.w, folder, period) <= self.clock

    def _count_invalid(self, key: str, reasons: tuple[str, ...], codes: np.ndarray) -> None:
        for code, n in zip(*np.unique(codes, return_counts=True), strict=True):
            self.invalid.add(key, reasons[int(code)], int(n))

    # ------------------------------------------------------- ASN blocks
    def add_block(self, block: int) -> None:
        asn = self.w.asn_core(block)
        minutes = np.zeros((len(YEARS), asn.size), dtype=np.int64)
        visible_asn = self._asn(block)
        self._participations(block, minutes)
        self._completions(block, minutes)
        self._certifications(block)
        self._assessments(block)
        keys = self.key_of_inst[asn.inst]
        n_keys = len(self.keys)
        for y, year in enumerate(YEARS):
            if year not in self.years:
                continue
            self.asn_count[:, y] += np.bincount(keys[visible_asn], minlength=n_keys)
            reached = visible_asn & (minutes[y] >= TARGET_MINUTES)
            self.asn_20jp[:, y] += np.bincount(keys[reached], minlength=n_keys)

    def _asn(self, block: int) -> np.ndarray:
        who, junk, reason, _, _ = self.s.asn_rows(0, block)
        vis = self._visible("siasn.asn", 0, block)
        self._count_invalid("siasn.asn", entity_reasons("asn"), reason[junk & vis])
        visible = np.zeros(self.w.asn_core(block).size, dtype=bool)
        visible[who[~junk & vis]] = True
        return visible

    def _participations(self, block: int, minutes: np.ndarray) -> None:
        prev: tuple[int, np.ndarray] | None = None
        for period in range(1, N_PERIODS):
            act = self.w.participations(period, block)
            c = act.columns
            rows = self.s.participation_rows(period, block)
            vis = self._visible("bpsdm_kemendagri.participations", period, block)
            initial = _RANK[np.where(c["proses"], PROSES, c["final"])]
            best = np.full(act.size, -1, dtype=np.int64)
            for role in (HOST, DUP):
                idx = rows.tidx[(rows.role == role) & vis]
                np.maximum.at(best, idx, initial[idx])
            if prev is not None:
                p_period, p_best = prev
                p_final = _RANK[self.w.participations(p_period, block).columns["final"]]
                idx = rows.tidx[(rows.role == UPDATE) & vis]
                np.maximum.at(p_best, idx, p_final[idx])
                self._finish_participations(p_period, block, p_best, minutes)
            reasons = self.w.participations(period, block).junk_reason
            junk_vis = rows.tidx[(rows.role == JUNK) & vis]
            self._count_invalid(
                "bpsdm_kemendagri.participations",
                entity_reasons("participations"),
                reasons[junk_vis],
            )
            self._participation_files(period, block, initial, best)
            prev = (period, best)
        if prev is not None:
            self._finish_participations(prev[0], block, prev[1], minutes)

    def _participation_files(
        self, period: int, block: int, initial: np.ndarray, best: np.ndarray
    ) -> None:
        rows = landing.participation_file_rows(self.s, period, block)
        vis = self._folder_visible(rows.folder, period)
        self._note_folders(rows.folder, period, vis)
        self.file_rows["participations"] += int(vis.sum())
        # A file without its optional Status column reports its rows as lulus.
        folders = np.unique(rows.folder)
        silent = folders[landing.lacks_status(self.s, folders, period)]
        reported = (rows.kind != landing.JUNK_ROW) & vis
        rank = np.where(np.isin(rows.folder, silent), _RANK[LULUS], initial[rows.src])
        np.maximum.at(best, rows.src[reported], rank[reported])
        junk = (rows.kind == landing.JUNK_ROW) & vis
        self._count_invalid(
            "bpsdm_daerah.participations", landing.PARTICIPATION_REASONS, rows.reason[junk]
        )

    def _finish_participations(
        self, period: int, block: int, best: np.ndarray, minutes: np.ndarray
    ) -> None:
        act = self.w.participations(period, block)
        c = act.columns
        year = period_year_month(period)[0]
        y = YEARS.index(year)
        seen = best >= 0
        lulus = best == 2
        jp = np.where(lulus, c["t_jp"], 0)
        np.add.at(minutes[y], act.owner[seen], JP_MINUTES * jp[seen])
        keys = self.key_of_inst[c["inst"][seen]]
        n_keys = len(self.keys)
        self.part_count[:, y] += np.bincount(keys, minlength=n_keys)
        self.part_jp[:, y] += np.bincount(keys, weights=jp[seen], minlength=n_keys).astype(np.int64)
        self.part_by_result[y] += np.bincount(best[seen], minlength=3)
        self.part_by_kind[y] += np.bincount(c["t_kind"][seen], minlength=len(TRAINING_KINDS))
        host = c["host"][seen]
        regional_host = self.w.inst.level[host] != CENTRAL
        self.cross_region += int((regional_host & (self.key_of_inst[host] != keys)).sum())

    def _completions(self, block: int, minutes: np.ndarray) -> None:
        name = "kemnaker_corpu.completions"
        for period in range(1, N_PERIODS):
            act = self.w.completions(period, block)
            src, reason, _ = self.s.activity_rows(act, "completion-order", period, block)
            ts = self.s.streams[name].chunk_timestamps(period, block)
            vis = ts <= self.clock
            self._count_invalid(name, entity_reasons("completions"), reason[(reason >= 0) & vis])
            ok = (reason < 0) & vis
            wib_year = (ts[ok] + WIB_OFFSET_MS).astype("datetime64[ms]").astype("datetime64[Y]")
            years = wib_year.astype(np.int64) + 1970
            mins = course_minutes(act.columns["course"][src[ok]])
            owners = act.owner[src[ok]]
            for year in np.unique(years).tolist():
                if year in YEARS:
                    sel = years == year
                    np.add.at(minutes[YEARS.index(year)], owners[sel], mins[sel])
                    self.elearning_minutes.add("all", str(year), int(mins[sel].sum()))

    def _certifications(self, block: int) -> None:
        name = "bpsdm_kemendagri.certifications"
        asn = self.w.asn_core(block)
        for period in range(1, N_PERIODS):
            act = self.w.certifications(period, block)
            src, reason, _ = self.s.activity_rows(act, "certification-order", period, block)
            vis = self._visible(name, period, block)
            self._count_invalid(name, entity_reasons("certifications"), reason[(reason >= 0) & vis])
            ok = src[(reason < 0) & vis]
            year = str(period_year_month(period)[0])
            for i in ok.tolist():
                result = "kompeten" if act.columns["kompeten"][i] else "belum_kompeten"
                self.certs_by_result[result] += 1
                key = self.keys[int(self.key_of_inst[asn.inst[act.owner[i]]])]
                self.certs.add(f"{key}|{year}", result)

    def _assessments(self, block: int) -> None:
        name = "bpsdm_kemendagri.competency_assessments"
        for period in range(1, N_PERIODS):
            act = self.w.assessments(period, block)
            c = act.columns
            src, reason, _ = self.s.assessment_rows(period, block)
            vis = self._visible(name, period, block)
            reasons = entity_reasons("competency_assessments")
            self._count_invalid(name, reasons, reason[(reason >= 0) & vis])
            ok = list(src[(reason < 0) & vis].tolist())
            rows = landing.assessment_file_rows(self.s, period, block)
            fvis = self._folder_visible(rows.folder, period)
            self._note_folders(rows.folder, period, fvis)
            self.file_rows["assessments"] += int(fvis.sum())
            ok += rows.src[(rows.kind != landing.JUNK_ROW) & fvis].tolist()
            junk = (rows.kind == landing.JUNK_ROW) & fvis
            self._count_invalid(
                "bpsdm_daerah.assessments", landing.ASSESSMENT_REASONS, rows.reason[junk]
            )
            for i in ok:
                ctype = COMPETENCY_TYPES[int(c["ctype"][i])]
                self.assess_n[ctype] += 1
                self.assess_gap[ctype] += int(c["standard"][i] - c["level"][i])

    def _note_folders(self, folder: np.ndarray, period: int, vis: np.ndarray) -> None:
        for f in np.unique(folder[vis]).tolist():
            self.folders.add((int(f), period))

    # ------------------------------------------------------ small tables
    def small_tables(self) -> dict[str, Any]:
        self._standards()
        return {
            "budgets": self._budgets(),
            "development_plans": self._plans(),
            "trainings": self._trainings(),
        }

    def _standards(self) -> None:
        """Standards carry defects only with rare_fault_rate (and have no figures of their own)."""
        name = "bpsdm_kemendagri.competency_standards"
        reason = self.s.standard_rows()[2]
        vis = self._visible(name, 0, 0)
        defective = (reason >= 0) & vis
        self._count_invalid(name, entity_reasons("competency_standards"), reason[defective])

    def _budgets(self) -> dict[str, Any]:
        by_source = _Acc()
        by_inst: dict[str, dict[str, int]] = {}
        name = "satudata.budgets"
        for period, year in BUDGET_PERIODS.items():
            t = self.s.budget_table(year)
            vis = self._visible(name, period, 0)
            self._count_invalid(
                name, entity_reasons("budgets"), t["reason"][(t["reason"] >= 0) & vis]
            )
            for i in np.flatnonzero((t["reason"] < 0) & vis).tolist():
                source = FUNDING_KEYS[int(t["source"][i])]
                key = f"{source}|{year}"
                by_source.add(key, "pagu_idr", int(t["pagu"][i]))
                by_source.add(key, "realisasi_idr", int(t["realisasi"][i]))
                by_source.add(key, "rows", 1)
                inst_key = f"{self.w.inst.codes[int(t['inst'][i])]}|{year}|{source}"
                entry = by_inst.setdefault(inst_key, {"pagu_idr": 0, "realisasi_idr": 0})
                entry["pagu_idr"] += int(t["pagu"][i])
                entry["realisasi_idr"] += int(t["realisasi"][i])
        return {
            "by_source_year": by_source.out(),
            "by_instansi_year_source": dict(sorted(by_inst.items())),
        }

    def _plans(self) -> dict[str, Any]:
        totals = _Acc()
        name = "bpsdm_kemendagri.development_plans"
        for period, year in PLAN_PERIODS.items():
            t = self.s.plan_table(year)
            vis = self._visible(name, period, 0)
            reasons = entity_reasons("development_plans")
            self._count_invalid(name, reasons, t["reason"][(t["reason"] >= 0) & vis])
            ok = (t["reason"] < 0) & vis
            totals.add(str(year), "rows", int(ok.sum()))
            totals.add(str(year), "rencana_peserta", int(t["people"][ok].sum()))
            totals.add(str(year), "rencana_jp", int(t["jp"][ok].sum()))
            totals.add(str(year), "rencana_anggaran_idr", int(t["budget"][ok].sum()))
        return totals.out()

    def _trainings(self) -> dict[str, Any]:
        by_kind = _Acc()
        name = "bpsdm_kemendagri.trainings"
        for period in range(N_PERIODS - 1):
            vis = self._period_visible(name, period)
            host, number = self.w.training_keys(period + 1)
            details = self.w.training_details(period + 1, host, number)
            year = str(period_year_month(period + 1)[0])
            n_valid = len(host)
            for k in details["kind"][vis[:n_valid]].tolist():
                by_kind.add(year, TRAINING_KINDS[k].code)
            reason, _ = self.s.training_junk(period)
            self._count_invalid(name, entity_reasons("trainings"), reason[vis[n_valid:]])
        return {"valid_by_year_kind": by_kind.out()}

    # ------------------------------------------------------------- output
    def _table(self, values: np.ndarray) -> dict[str, dict[str, int]]:
        """{province: {year: value}} for the years that have started, zeros included."""
        return {
            key: {str(year): int(values[k, YEARS.index(year)]) for year in self.years}
            for k, key in enumerate(self.keys)
        }

    def _by_year(self, values: np.ndarray, names: tuple[str, ...]) -> dict[str, dict[str, int]]:
        return {
            str(year): {name: int(values[YEARS.index(year), i]) for i, name in enumerate(names)}
            for year in self.years
        }

    def manifest(self) -> dict[str, Any]:
        small = self.small_tables()
        rejected = landing.broken_files(self.s, sorted(self.folders))
        assessments = {
            ctype: {
                "count": self.assess_n[ctype],
                "gap_sum": self.assess_gap[ctype],
                "avg_gap": round(self.assess_gap[ctype] / self.assess_n[ctype], 6)
                if self.assess_n[ctype]
                else None,
            }
            for ctype in COMPETENCY_TYPES
        }
        rows_served = {name: s.count_until(self.clock) for name, s in self.s.streams.items()}
        rows_served["bpsdm_daerah.participations"] = self.file_rows["participations"]
        rows_served["bpsdm_daerah.assessments"] = self.file_rows["assessments"]
        manifest: dict[str, Any] = {
            "world": {
                "seed": self.w.seed,
                "n_asn": self.w.n_asn,
                "clock": format_ms(self.clock),
                "years": list(self.years),
                "include_files": self.include_files,
                "messiness": dict(self.w.mess.__dict__),
            },
            "definitions": DEFINITIONS,
            "participations": {
                "distinct_by_province_year": self._table(self.part_count),
                "total_jp_by_province_year": self._table(self.part_jp),
                "by_year_result": self._by_year(self.part_by_result, _RANK_NAMES),
                "by_year_kind": self._by_year(
                    self.part_by_kind, tuple(k.code for k in TRAINING_KINDS)
                ),
                "cross_region_regional_hosts": self.cross_region,
            },
            "asn": {
                "count_by_province_year": self._table(self.asn_count),
                "reaching_20jp_by_province_year": self._table(self.asn_20jp),
                "elearning_minutes_by_year": self.elearning_minutes.out().get("all", {}),
            },
            "budgets": small["budgets"],
            "development_plans": small["development_plans"],
            "trainings": small["trainings"],
            "certifications": {
                "by_result": dict(sorted(self.certs_by_result.items())),
                "by_province_year_result": self.certs.out(),
            },
            "assessments": {"by_competency_type": assessments},
            "invalid_records": self.invalid.out(),
            "rows_served": dict(sorted(rows_served.items())),
            "files": {
                "folders": len(self.folders),
                "rejected": [
                    {
                        "path": landing.folder_name(self.s, f, p) + "/" + broken_file_name(f, p, k),
                        "reason": landing.BROKEN_KINDS[k],
                    }
                    for f, p, k in rejected
                ],
            },
            "institution_variants": self.w.inst.variant_map(),
            "funding_source_variants": {
                spelling: canonical
                for canonical, spellings in FUNDING_SPELLINGS.items()
                for spelling in spellings
            },
        }
        if self.w.config.reporting.enabled:  # absent otherwise: older manifests unchanged
            manifest["reporting_profiles"] = reporting_profiles(self.w)
        return manifest


def reporting_profiles(world: World) -> dict[str, dict[str, float]]:
    """Per region (Kemendagri code) the planted reporting delay and error rate of its
    files (config.ReportingProfiles): what the governance scorecard must recover."""
    folders = np.flatnonzero(np.array([not c.startswith("KL-") for c in world.inst.codes]))
    delays = landing.planted_delay_days(world, folders)
    rates = landing.planted_error_rate(world, folders)
    return {
        world.inst.codes[int(f)]: {"delay_days": int(d), "error_rate": round(float(r), 6)}
        for f, d, r in zip(folders.tolist(), delays.tolist(), rates.tolist(), strict=True)
    }


def broken_file_name(folder: int, period: int, kind: int) -> str:
    """Name of an unreadable file (shared with the writer)."""
    return f"laporan_{folder:03d}_{period:02d}_rev.xlsx" if kind == 0 else f"scan_{folder:03d}.csv"


def _year_start_ms(year: int) -> int:
    return int(np.datetime64(f"{year}-01-01", "ms").astype(np.int64))


def compute_truth(sources: Sources, clock_ms: int, include_files: bool = True) -> dict[str, Any]:
    """The manifest for the world served at `clock_ms` (files counted if `include_files`)."""
    builder = TruthBuilder(sources, clock_ms, include_files)
    for block in range(sources.world.n_blocks):
        builder.add_block(block)
    logger.info("simulator: truth computed at %s", format_ms(clock_ms))
    return builder.manifest()


def write_truth(manifest: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=False) + "\n")
