"""`sinergi demo`, `simulate` and `dev` come from the development tools (packages/simulator).

Where those are installed (`make venv`) the product CLI mounts them from the
`sinergi.commands` entry points; where they are not (the production image) each
answers with one line saying so. tests/integration/test_image.py checks the
image itself; here a process without the entry points stands in for it.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from sinergi.cli import DEVELOPMENT_COMMANDS, app

# The product's CLI with no distribution registering `sinergi.commands`.
WITHOUT_TOOLS = (
    "import importlib.metadata, sys\n"
    "importlib.metadata.entry_points = lambda **selection: ()\n"
    "from sinergi.cli import app\n"
    "sys.argv[0] = 'sinergi'\n"
    "app()\n"
)


def test_the_development_tools_mount_their_commands() -> None:
    for name in DEVELOPMENT_COMMANDS:
        result = CliRunner().invoke(app, [name, "--help"])
        assert result.exit_code == 0, result.output
        assert "not installed" not in result.output


@pytest.mark.parametrize(
    "command", [["demo", "--help"], ["simulate", "serve", "--asn", "100"], ["dev", "env"]]
)
def test_without_them_each_says_it_is_not_installed(command: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_TOOLS, *command],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert done.stderr.startswith(f"sinergi {command[0]}: not installed here"), done.stderr
    assert "make venv" in done.stderr


def test_without_them_help_does_not_list_them() -> None:
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_TOOLS, "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    listed = set(re.findall(r"^│ ([a-z-]+) ", done.stdout, re.MULTILINE))
    assert {"warehouse", "ingest", "airflow"} <= listed, done.stdout
    assert not listed & set(DEVELOPMENT_COMMANDS), done.stdout
