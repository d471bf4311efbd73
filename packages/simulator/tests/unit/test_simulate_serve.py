"""`sinergi simulate serve`: the demo's world by default, its connections ready to paste."""

from __future__ import annotations

import subprocess
from types import SimpleNamespace
from typing import Any

import typer.main

from sinergi.ingestion.connections import parse_connection
from sinergi.ingestion.registry import load_registry
from sinergi_simulator import cli
from sinergi_simulator.config import Credentials
from sinergi_simulator.devtools.demo import DEMO_SEED, SCALES

URLS = {
    "siasn": "http://127.0.0.1:8700",
    "bpsdm_kemendagri": "http://127.0.0.1:8701",
    "kemnaker_corpu": "http://127.0.0.1:8702",
    "satudata": "http://127.0.0.1:8703",
}


def _default(command: str, option: str) -> Any:
    group = typer.main.get_command(cli.app)
    params = group.commands[command].params  # type: ignore[attr-defined]
    return next(p.default for p in params if p.name == option)


def test_the_defaults_are_the_demos_world() -> None:
    demo = (DEMO_SEED, SCALES["province"])
    simulators = (cli.DEFAULT_SEED, cli.DEFAULT_ASN)
    assert simulators == demo
    for command in ("serve", "files"):
        assert (_default(command, "seed"), _default(command, "asn")) == demo


def test_the_export_lines_define_every_api_source_connection() -> None:
    credentials = Credentials(siasn_client_secret="s3cret with 'quotes' & spaces")
    handle = SimpleNamespace(urls=URLS, credentials=credentials)
    lines = cli.export_lines(handle, DEMO_SEED, 3000)  # type: ignore[arg-type]
    assert lines[0].startswith("# ") and "the demo's world" in lines[0]
    script = "\n".join(lines) + "\nenv"
    done = subprocess.run(
        ["bash", "-c", script], env={}, capture_output=True, text=True, check=True, timeout=30
    )
    exported = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    registry = load_registry()
    for name, url in URLS.items():
        conn_id = registry.source(name).connection
        assert conn_id is not None
        connection = parse_connection(conn_id, exported[f"AIRFLOW_CONN_{conn_id.upper()}"])
        assert connection.base_url == url
        if name == "siasn":
            assert (connection.login, connection.password) == (
                "sinergi",
                "s3cret with 'quotes' & spaces",
            )
        else:
            assert connection.password and not connection.login


def test_another_world_says_so() -> None:
    handle = SimpleNamespace(urls=URLS, credentials=Credentials())
    assert "not the demo's" in cli.export_lines(handle, 42, 1000)[0]  # type: ignore[arg-type]
