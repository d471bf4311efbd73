"""The open-data settings hold against the marts as dbt documents them (the model ymls):
a renamed mart or column fails here instead of silently leaving a total unprotected,
and a new integer column must be classed as a count of people or not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sinergi.open_data import config
from sinergi.paths import project_dir


def documented_marts() -> dict[str, dict[str, Any]]:
    marts = {}
    for path in sorted(Path(project_dir(), "dbt_project/models/marts").glob("*/_*models.yml")):
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]:
            marts[model["name"]] = {c["name"]: c for c in model.get("columns", [])}
    return marts


MARTS = documented_marts()

# Integer columns of the exported marts that count no people: years, ranks, plans,
# seats, sums of gaps, counts of things. Anything else integer is a count of people.
NOT_PEOPLE = {
    "tahun",
    "gap_sum",
    "gap_rank",
    "certification_type_count",
    "rank_national",
    "rank_in_province",
    "kuota_peserta",
    "kuota_daerah",
    "budget_line_count",
    "target_peserta",
    "pagu_rank_national",
    "pagu_rank_in_province",
    "rencana_peserta",
}


def test_the_person_level_marts_exist_and_every_pseudonymous_mart_is_excluded() -> None:
    assert {"asn_development_profiles", "fct_participations"} <= set(MARTS)
    for name, columns in MARTS.items():
        if any(config.matches(c, config.PSEUDONYM_COLUMNS) for c in columns):
            assert name in config.EXCLUDED_MARTS, name


def test_every_relation_names_documented_marts_and_columns() -> None:
    for relation in config.RELATIONS:
        detail, total = MARTS[relation.detail], MARTS[relation.total]
        assert set(relation.group) <= set(detail), relation
        assert set(relation.total_key) <= set(total), relation
        pairs = relation.columns or [
            (c, c)
            for c, spec in detail.items()
            if c in total and config.is_count_column(c, spec.get("data_type", ""))
        ]
        assert pairs, f"{relation.detail} -> {relation.total} protects no column"
        for detail_column, total_column in pairs:
            assert config.is_count_column(detail_column, detail[detail_column]["data_type"])
            assert config.is_count_column(total_column, total[total_column]["data_type"])


def test_every_integer_column_is_classed_as_a_count_of_people_or_not() -> None:
    unclassed = []
    for name, columns in MARTS.items():
        if name in config.EXCLUDED_MARTS:
            continue
        for column, spec in columns.items():
            if spec.get("data_type") not in ("integer", "bigint", "smallint"):
                continue
            counted = config.is_count_column(column, spec["data_type"])
            if counted == (column in NOT_PEOPLE):
                unclassed.append(f"{name}.{column}")
    assert unclassed == []


def test_every_ratio_names_columns_of_its_mart() -> None:
    for name, columns in MARTS.items():
        for column, spec in columns.items():
            ratio = ((spec.get("config") or {}).get("meta") or {}).get("ratio")
            if ratio:
                assert set(ratio) <= set(columns), f"{name}.{column}: {ratio}"
