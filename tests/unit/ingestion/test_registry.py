"""The source registry: the committed file is valid, malformed ones fail naming entry and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from sinergi.ingestion.registry import RegistryError, load_registry, parse_registry

GOOD = """
sources:
  demo:
    kind: rest_json
    description: a demo source
    connection: demo_conn
    auth: {type: api_key, header: X-API-Key}
    pagination: {type: offset, page_size: 10}
    entities:
      things:
        path: /api/things
        primary_key: thing_id
        incremental: {field: modified_at, param: modified_after}
"""


def test_committed_registry_declares_the_five_sources() -> None:
    registry = load_registry()
    assert set(registry.sources) == {
        "siasn",
        "bpsdm_kemendagri",
        "kemnaker_corpu",
        "satudata",
        "bpsdm_daerah",
    }
    tables = {entity.table for entity in registry.entities()}
    assert "siasn__asn" in tables
    assert "bpsdm_daerah__participations" in tables
    assert "bpsdm_daerah__assessments" in tables


def test_a_good_entry_parses_with_defaults() -> None:
    source = parse_registry(GOOD, Path("x.yml")).source("demo")
    assert source.pagination is not None
    assert source.pagination.page_size == 10
    assert source.pagination.limit_param == "limit"
    entity = source.entity("things")
    assert entity.incremental is not None
    assert entity.incremental.param == "modified_after"
    assert entity.table == "demo__things"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("kind: rest_json", "kind: soap", "source 'demo': field 'kind' is 'soap'"),
        (
            "primary_key: thing_id",
            "primary_key: thing_id\n        colour: red",
            "entity 'things': unknown field 'colour'",
        ),
        ("primary_key: thing_id", "primary_kee: thing_id", "entity 'things': field 'primary_key'"),
        ("        path: /api/things\n", "", "entity 'things': field 'path' is required"),
        ("page_size: 10", "page_size: ten", "field 'pagination': field 'page_size' must be int"),
        ("header: X-API-Key", "hdr: X", "field 'auth': unknown field 'hdr'"),
        ("    description: a demo source\n", "", "source 'demo': field 'description' is required"),
    ],
)
def test_malformed_entries_name_the_entry_and_field(old: str, new: str, message: str) -> None:
    broken = GOOD.replace(old, new)
    assert broken != GOOD
    with pytest.raises(RegistryError, match=message):
        parse_registry(broken, Path("x.yml"))


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "sources.yml"
    path.write_text("sources: [unclosed")
    with pytest.raises(RegistryError, match="not valid YAML"):
        load_registry(path)
