"""Every `sinergi` command and sub-command answers `--help` with a description."""

from __future__ import annotations

import pytest
import typer.main
from typer.testing import CliRunner

from sinergi.cli import app


def _command_paths(command: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [path]
    subcommands = getattr(command, "commands", {})  # a group; typer's click may be vendored
    for name, sub in subcommands.items():
        paths += _command_paths(sub, (*path, name))
    return paths


PATHS = _command_paths(typer.main.get_command(app))


def test_the_tree_has_the_foundation_commands() -> None:
    assert {("warehouse", "init"), ("warehouse", "url"), ("demo",)} <= set(PATHS)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "sinergi")
def test_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    assert command.help or command.short_help, f"sinergi {' '.join(path)} has no description"
