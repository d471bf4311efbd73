"""Settings with one home: the schema names, and the quality.yml keys that live elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from sinergi.paths import project_dir
from sinergi.quality.config import EXPECTATIONS_DIR_VARIABLE, QualityConfigError, settings
from sinergi.warehouse import schemas
from sinergi.warehouse.bootstrap import bootstrap_scripts


def _dbt_schemas(config: object) -> set[str]:
    """Every `+schema` of dbt_project.yml; a `var('mart_schema', 'audit')` gives its default."""
    found: set[str] = set()
    if isinstance(config, dict):
        for key, value in config.items():
            if key == "+schema":
                default = re.search(r"var\(\s*'\w+'\s*,\s*'(\w+)'\s*\)", str(value))
                found.add(default.group(1) if default else str(value))
            else:
                found |= _dbt_schemas(value)
    elif isinstance(config, list):
        for item in config:
            found |= _dbt_schemas(item)
    return found


def test_the_bootstrap_creates_exactly_the_named_schemas() -> None:
    created = {
        name
        for _, script in bootstrap_scripts()
        for name in re.findall(r"create schema if not exists (\w+)", script)
    }
    assert created == set(schemas.ALL)


def test_dbt_builds_only_into_named_schemas() -> None:
    project = yaml.safe_load((project_dir() / "dbt_project" / "dbt_project.yml").read_text())
    used = _dbt_schemas(project)
    assert schemas.AUDIT in used and schemas.STAGING in used
    assert used <= set(schemas.ALL)
    profile = (project_dir() / "dbt_project" / "profiles.yml").read_text()
    assert f"env_var('SINERGI_PG_SCHEMA', '{schemas.MARTS}')" in profile


@pytest.mark.parametrize(
    "key", ["audit_schema", "published_schema", "dbt_manifest", "stale_after_hours"]
)
def test_quality_yml_may_not_set_what_lives_elsewhere(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    committed = yaml.safe_load((project_dir() / "expectations" / "quality.yml").read_text())
    (tmp_path / "quality.yml").write_text(yaml.safe_dump({**committed, key: 36}))
    monkeypatch.setenv(EXPECTATIONS_DIR_VARIABLE, str(tmp_path))
    with pytest.raises(QualityConfigError, match=rf"^quality\.yml: {key}: not set here"):
        settings()


def test_the_committed_quality_yml_loads() -> None:
    assert settings().quarantine_candidates == (schemas.INTERMEDIATE, "int_quarantine_candidates")
