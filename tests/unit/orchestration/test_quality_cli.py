"""The quality commands answer --help without a warehouse."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from sinergi.orchestration.quality_cli import app


@pytest.mark.parametrize("command", ["check", "publish", "report", "stale"])
def test_command_help(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
