"""Small-cell suppression: primary, complementary (against published totals), derived ratios."""

from __future__ import annotations

import random

import pytest
from open_data_tables import institution_year, recoverable, region_year, table

from sinergi.open_data import config
from sinergi.open_data.config import RELATIONS, Relation
from sinergi.open_data.suppression import blanked_rows, suppressed_cells


def hidden_of(cells: set[tuple[str, int, str]], mart: str, column: str) -> list[int]:
    return sorted(i for m, i, c in cells if m == mart and c == column)


def marts(*tables):  # type: ignore[no-untyped-def]
    return {t.name: t for t in tables}


def blank(tables, cells):  # type: ignore[no-untyped-def]
    return {n: blanked_rows(t, cells, config.FLAG_COLUMN) for n, t in tables.items()}


def test_counts_of_one_to_threshold_minus_one_are_suppressed_zero_and_threshold_are_not() -> None:
    inst = institution_year(
        [(f"95.{i:02d}", "95", 2024, n, 0) for i, n in enumerate([0, 1, 4, 5, 9], start=1)]
    )
    cells = suppressed_cells(marts(inst), (), 5)
    values = {inst.rows[i]["asn_count"] for i in hidden_of(cells, inst.name, "asn_count")}
    assert values == {"1", "4"}
    assert suppressed_cells(marts(inst), (), 2) & {(inst.name, 1, "asn_count")}  # 1 < 2
    assert not hidden_of(suppressed_cells(marts(inst), (), 1), inst.name, "asn_count")


def test_a_lone_small_cell_takes_the_next_smallest_non_zero_cell_with_it() -> None:
    # a regency of three ASN in a DOB province; the province's total is published
    inst = institution_year(
        [
            ("95", "95", 2024, 40, 30),
            ("95.01", "95", 2024, 3, 2),
            ("95.02", "95", 2024, 0, 0),
            ("95.03", "95", 2024, 20, 11),
        ]
    )
    tables = marts(inst, region_year(inst))
    cells = suppressed_cells(tables, RELATIONS, 5)
    by_id = {i: row["instansi_id"] for i, row in enumerate(inst.rows)}
    assert [by_id[i] for i in hidden_of(cells, inst.name, "asn_count")] == ["95.01", "95.03"]
    # the zero stays published: a blank always stands for at least one person
    assert recoverable(tables, blank(tables, cells), RELATIONS, 5) == []


def test_small_cells_that_add_up_below_the_threshold_take_another_cell() -> None:
    inst = institution_year(
        [
            ("95", "95", 2024, 50, 40),
            ("95.01", "95", 2024, 1, 0),
            ("95.02", "95", 2024, 1, 0),
            ("95.03", "95", 2024, 30, 20),
        ]
    )
    tables = marts(inst, region_year(inst))
    cells = suppressed_cells(tables, RELATIONS, 5)
    by_id = {i: row["instansi_id"] for i, row in enumerate(inst.rows)}
    # 1 + 1 = total - published would pin both at 1: the 30 joins them
    assert [by_id[i] for i in hidden_of(cells, inst.name, "asn_count")] == [
        "95.01",
        "95.02",
        "95.03",
    ]
    assert recoverable(tables, blank(tables, cells), RELATIONS, 5) == []


def test_ratios_over_a_suppressed_cell_are_suppressed() -> None:
    inst = institution_year([("95.01", "95", 2024, 3, 2), ("35.15", "35", 2024, 900, 3)])
    cells = suppressed_cells(marts(inst), (), 5)
    rows = blanked_rows(inst, cells, config.FLAG_COLUMN)
    small_row = next(r for r in rows if r["instansi_id"] == "95.01")
    large = next(r for r in rows if r["instansi_id"] == "35.15")
    # 3 ASN: the count, the share over it and the JP per ASN (jp_total_all / 3) go
    assert small_row["asn_count"] is None and small_row["avg_jp_per_asn"] is None
    assert small_row["share_reaching_20_jp"] is None
    assert small_row[config.FLAG_COLUMN] == (
        "asn_count;asn_reaching_20_jp;share_reaching_20_jp;avg_jp_per_asn"
    )
    # 3 of 900 reaching 20 JP: the share would give the 3 back; the JP per ASN stays
    assert large["asn_reaching_20_jp"] is None and large["share_reaching_20_jp"] is None
    assert large["asn_count"] == "900" and large["avg_jp_per_asn"] == "20.00"
    assert large[config.FLAG_COLUMN] == "asn_reaching_20_jp;share_reaching_20_jp"


def test_a_null_ratio_over_a_suppressed_cell_stays_null_and_unflagged() -> None:
    inst = institution_year([("95.01", "95", 2024, 3, 0)])
    inst.rows[0]["share_reaching_20_jp"] = None  # no development record: no data
    row = blanked_rows(inst, suppressed_cells(marts(inst), (), 5), config.FLAG_COLUMN)[0]
    assert row["share_reaching_20_jp"] is None
    assert row[config.FLAG_COLUMN] == "asn_count;avg_jp_per_asn"


def test_central_institutions_add_up_to_pusat() -> None:
    inst = institution_year(
        [
            ("KL-001", None, 2024, 2, 0),
            ("KL-002", None, 2024, 300, 100),
            ("KL-003", None, 2024, 8, 1),
        ]
    )
    tables = marts(inst, region_year(inst))
    cells = suppressed_cells(tables, RELATIONS, 5)
    ids = [inst.rows[i]["instansi_id"] for i in hidden_of(cells, inst.name, "asn_count")]
    assert ids == ["KL-001", "KL-003"]
    assert recoverable(tables, blank(tables, cells), RELATIONS, 5) == []


def test_a_group_that_cannot_hide_its_cell_hides_its_total() -> None:
    """A total with one non-zero cell (here the detail mart counts fewer than the
    total): no other cell can join the small one, so the total goes instead."""
    inst = institution_year([("95.01", "95", 2024, 3, 0), ("95.02", "95", 2024, 0, 0)])
    region = table(
        "participation_by_region_year",
        [("provinsi_kode", "text"), ("tahun", "integer"), ("asn_count", "integer")],
        ("provinsi_kode", "tahun"),
        [{"provinsi_kode": "95", "tahun": 2024, "asn_count": 10}],
    )
    tables = marts(inst, region)
    cells = suppressed_cells(tables, RELATIONS, 5)
    assert ("participation_by_region_year", 0, "asn_count") in cells


def test_explicit_column_pairs_relate_differently_named_columns() -> None:
    quotas = table(
        "central_training_quotas",
        [
            ("training_id", "text"),
            ("penyelenggara_id", "text"),
            ("tahun", "integer"),
            ("participant_count", "integer"),
        ],
        ("training_id",),
        [
            {
                "training_id": "T1",
                "penyelenggara_id": "KL-001",
                "tahun": 2024,
                "participant_count": 2,
            },
            {
                "training_id": "T2",
                "penyelenggara_id": "KL-001",
                "tahun": 2024,
                "participant_count": 40,
            },
            {
                "training_id": "T3",
                "penyelenggara_id": "KL-001",
                "tahun": 2024,
                "participant_count": 9,
            },
        ],
    )
    hosts = table(
        "participation_by_institution_year",
        [
            ("instansi_id", "text"),
            ("tahun", "integer"),
            ("central_training_participation_count", "integer"),
        ],
        ("instansi_id", "tahun"),
        [{"instansi_id": "KL-001", "tahun": 2024, "central_training_participation_count": 51}],
    )
    tables = marts(quotas, hosts)
    cells = suppressed_cells(tables, RELATIONS, 5)
    assert hidden_of(cells, "central_training_quotas", "participant_count") == [0, 2]
    assert recoverable(tables, blank(tables, cells), RELATIONS, 5) == []


@pytest.mark.parametrize("seed", range(20))
def test_random_worlds_publish_no_small_count_and_no_recoverable_blank(seed: int) -> None:
    """Many regencies, few ASN each (as in the DOB provinces): whatever the draw, no
    published count is small and no blank can be worked out from the totals."""
    draw = random.Random(seed)
    rows = []
    for province in ("93", "94", "95", "96", "35"):
        for year in (2023, 2024):
            for regency in range(draw.randint(1, 6)):
                asn = draw.choice([0, 1, 2, 3, 4, 5, 6, 12, 40])
                rows.append(
                    (f"{province}.{regency:02d}", province, year, asn, draw.randint(0, asn))
                )
    inst = institution_year(rows)
    tables = marts(inst, region_year(inst))
    threshold = draw.choice([3, 5, 10])
    cells = suppressed_cells(tables, RELATIONS, threshold)
    blanked = blank(tables, cells)
    for name, mart in tables.items():
        for column in mart.count_columns:
            for row in blanked[name]:
                value = row[column]
                assert value is None or not 0 < int(value) < threshold, (name, column, row)
    assert recoverable(tables, blanked, RELATIONS, threshold) == []


def test_relation_default_pairs_every_shared_count_column() -> None:
    relation = Relation("a", ("g",), "b", ("g",))
    a = table("a", [("g", "text"), ("k", "text"), ("x_count", "integer")], ("k",), [])
    b = table("b", [("g", "text"), ("x_count", "integer"), ("y_count", "integer")], ("g",), [])
    assert a.count_columns == ("x_count",) and b.count_columns == ("x_count", "y_count")
    assert suppressed_cells(marts(a, b), (relation,), 5) == set()


def test_the_threshold_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(config.THRESHOLD_VARIABLE, raising=False)
    assert config.threshold() == 5
    monkeypatch.setenv(config.THRESHOLD_VARIABLE, "10")
    assert config.threshold() == 10
    for bad in ("five", "0"):
        monkeypatch.setenv(config.THRESHOLD_VARIABLE, bad)
        with pytest.raises(config.OpenDataConfigError, match=config.THRESHOLD_VARIABLE):
            config.threshold()


def test_only_counts_of_people_are_count_columns() -> None:
    assert config.is_count_column("asn_count", "integer")
    assert config.is_count_column("participants_latsar", "integer")
    assert config.is_count_column("asn_reaching_20_jp", "integer")
    assert not config.is_count_column("budget_line_count", "integer")
    assert not config.is_count_column("kuota_peserta", "integer")
    assert not config.is_count_column("jp_total", "numeric")
    assert not config.is_count_column("gap_rank", "integer")
