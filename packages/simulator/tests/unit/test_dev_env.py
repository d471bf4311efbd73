"""`sinergi dev env` prints what a shell needs to go on with the demo's warehouse."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sinergi.cli import app
from sinergi_simulator.devtools.demo import DEMO_NIP_KEY


def _evaluated(output: str, *names: str) -> dict[str, str]:
    """The variables after `eval "$(sinergi dev env)"` in a clean bash."""
    script = 'eval "$SINERGI_OUTPUT"; ' + "; ".join(f'echo "${name}"' for name in names)
    done = subprocess.run(
        ["bash", "-c", script],
        env={"SINERGI_OUTPUT": output, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return dict(zip(names, done.stdout.splitlines(), strict=True))


def test_the_embedded_warehouse(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SINERGI_WAREHOUSE_URL", raising=False)
    monkeypatch.delenv("SINERGI_NIP_HMAC_KEY", raising=False)
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow home"))
    result = CliRunner().invoke(app, ["dev", "env"])
    assert result.exit_code == 0, result.output
    values = _evaluated(result.stdout, "SINERGI_NIP_HMAC_KEY", "AIRFLOW_HOME")
    assert values == {
        "SINERGI_NIP_HMAC_KEY": DEMO_NIP_KEY,
        "AIRFLOW_HOME": str(tmp_path / "airflow home"),
    }
    text = result.stdout
    assert "# warehouse: postgresql://postgres@/sinergi?host=" in text  # not exported: embedded
    assert "psql" in text and "Airflow UI: http://127.0.0.1:" in text
    assert "password written when Airflow first starts" in text
    assert "docs/security.md" in text
    assert str(tmp_path / "airflow home" / "logs") in text


def test_a_configured_warehouse_and_another_key(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql://alice:s%20cret@db.example:5433/sinergi_dev"
    monkeypatch.setenv("SINERGI_WAREHOUSE_URL", url)
    monkeypatch.setenv("SINERGI_NIP_HMAC_KEY", "a production key")
    result = CliRunner().invoke(app, ["dev", "env"])
    assert result.exit_code == 0, result.output
    assert _evaluated(result.stdout, "SINERGI_WAREHOUSE_URL")["SINERGI_WAREHOUSE_URL"] == url
    assert "set to another key in this shell" in result.stdout
