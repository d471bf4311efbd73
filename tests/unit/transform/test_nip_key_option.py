"""The NIP key reaches dbt's sessions as a libpq option, and nothing runs without it."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from sinergi.cli import app
from sinergi.transform.airflow_build import build_triggered
from sinergi.transform.dbt import (
    HMAC_KEY_VARIABLE,
    MissingHmacKey,
    dbt_env,
    pg_options,
    run_dbt,
)
from sinergi.warehouse.connection import WarehouseTarget

# nothing listens on port 1: a run that got as far as connecting would fail otherwise
NOWHERE = WarehouseTarget("127.0.0.1", 1, "postgres", "", "sinergi")
ONE_LINE = f"{HMAC_KEY_VARIABLE} is not set: NIPs cannot be pseudonymised without it"


def split_like_postgres(options: str) -> list[str]:
    """PostgreSQL's pg_split_opts: white space separates, a backslash escapes the next char."""
    words, word, escaped, started = [], [], False, False
    for char in options:
        if escaped:
            word.append(char)
            escaped = False
        elif char == "\\":
            escaped = started = True
        elif char.isspace():
            if started:
                words.append("".join(word))
            word, started = [], False
        else:
            word.append(char)
            started = True
    if started:
        words.append("".join(word))
    return words


@pytest.mark.parametrize(
    "key", ["plain", "sinergi 'test' \\key é", "tab\tand\nnewline", "a=b -c x", "\\\\ "]
)
def test_any_key_survives_the_options_string(key: str) -> None:
    words = split_like_postgres(pg_options(["jit=off", f"sinergi.nip_hmac_key={key}"]))
    assert words == ["-c", "jit=off", "-c", f"sinergi.nip_hmac_key={key}"]


def test_the_profile_environment_never_holds_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HMAC_KEY_VARIABLE, "k3y-canary")
    assert all("k3y-canary" not in value for value in dbt_env(NOWHERE).values())


@pytest.mark.parametrize("value", [None, ""])
def test_a_build_without_the_key_stops_before_dbt_starts(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv(HMAC_KEY_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(HMAC_KEY_VARIABLE, value)
    with pytest.raises(MissingHmacKey, match=f"^{ONE_LINE}"):
        run_dbt(["build"], NOWHERE)
    with pytest.raises(MissingHmacKey, match=f"^{ONE_LINE}"):
        build_triggered({})


def test_the_cli_says_it_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(HMAC_KEY_VARIABLE, raising=False)
    monkeypatch.setenv("SINERGI_WAREHOUSE_URL", NOWHERE.url)
    result = CliRunner().invoke(app, ["transform", "build"])
    assert result.exit_code == 2
    assert result.output.strip().startswith(f"sinergi transform build: {ONE_LINE}")
    assert len(result.output.strip().splitlines()) == 1
