"""Run dbt in this process against the warehouse `sinergi.warehouse` resolves.

The dbt profile (`dbt_project/profiles.yml`) reads every credential from the
environment; `dbt_env()` is the one place that turns a WarehouseTarget into
those variables, so the CLI, the tests, the benchmarks and the Airflow DAG
all point dbt at the same database.

The NIP pseudonym key (`SINERGI_NIP_HMAC_KEY`) never passes through dbt's
templating: `run_dbt` hands it to PostgreSQL as the session setting
`sinergi.nip_hmac_key` in libpq's `PGOPTIONS`, set in this process's
environment for the dbt command only, and the `pseudonymise_nip` macro reads
it with `current_setting()`. dbt compiles, logs and stores (target/,
manifest, partial parse, dbt.log) only the name of the setting.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sinergi.environment import temporary_environment
from sinergi.transform.manifest import dbt_project_dir, manifest_path
from sinergi.warehouse import schemas
from sinergi.warehouse.connection import WarehouseTarget

log = logging.getLogger(__name__)

PROFILE_NAME = "sinergi"
TARGET_NAME = "warehouse"
HMAC_KEY_VARIABLE = "SINERGI_NIP_HMAC_KEY"
# The PostgreSQL session setting the pseudonymise_nip macro reads the key from.
HMAC_KEY_SETTING = "sinergi.nip_hmac_key"
# dbt commands that may run a model, and so pseudonymise NIPs: they need the key.
KEYED_COMMANDS = frozenset({"build", "run", "snapshot", "test", "retry", "show"})
# libpq session options for every dbt connection: dbt's queries are large and
# run once, so JIT compilation cost more than it saved (incremental build
# 42 s -> 35 s); more memory per sort and hash than the 4 MB default for the
# big joins.
SESSION_OPTIONS = ("jit=off", "work_mem=64MB")
# dbt-postgres and Cosmos' Postgres mapping refuse an empty password; trust
# and peer authentication ignore whatever is sent.
DUMMY_PASSWORD = "unused"
DEFAULT_THREADS = 2


class DbtRunFailed(RuntimeError):
    """A dbt command failed; the message names the failing nodes."""


class MissingHmacKey(DbtRunFailed):
    """SINERGI_NIP_HMAC_KEY is not set, so NIPs cannot be pseudonymised: nothing ran."""


def dbt_env(target: WarehouseTarget, threads: int = DEFAULT_THREADS) -> dict[str, str]:
    """The environment variables `profiles.yml` reads, for one warehouse target.

    A Unix-socket directory is a valid dbt-postgres host (libpq takes it as is).
    """
    return {
        "SINERGI_PG_HOST": target.host,
        "SINERGI_PG_PORT": str(target.port),
        "SINERGI_PG_USER": target.user,
        "SINERGI_PG_PASSWORD": target.password or DUMMY_PASSWORD,
        "SINERGI_PG_DBNAME": target.dbname,
        "SINERGI_PG_SCHEMA": schemas.MARTS,
        "SINERGI_DBT_THREADS": str(threads),
        "DBT_PROFILES_DIR": str(dbt_project_dir()),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "PGOPTIONS": pg_options(SESSION_OPTIONS),
    }


def pg_options(settings: Sequence[str]) -> str:
    """libpq's `options` (PGOPTIONS) setting each `name=value` for the session.

    The server splits the string on white space and takes a backslash as
    escaping the next character, so both are escaped: any value survives.
    """
    return " ".join("-c " + re.sub(r"(\\|\s)", r"\\\1", setting) for setting in settings)


def hmac_key() -> str:
    """The NIP pseudonym key from the environment; MissingHmacKey when unset or empty."""
    key = os.environ.get(HMAC_KEY_VARIABLE, "")
    if not key:
        raise MissingHmacKey(
            f"{HMAC_KEY_VARIABLE} is not set: NIPs cannot be pseudonymised without it"
            " (see docs/security.md)"
        )
    return key


def _keyed_env(env: dict[str, str]) -> dict[str, str]:
    """`env` with the key added to PGOPTIONS, for the dbt command's connections only."""
    options = env.get("PGOPTIONS", pg_options(SESSION_OPTIONS))
    key_option = pg_options([f"{HMAC_KEY_SETTING}={hmac_key()}"])
    return {**env, "PGOPTIONS": f"{options} {key_option}"}


def _failures(result: Any) -> list[str]:
    """`<node> (<status>): <message>` for each failed node of a dbtRunnerResult."""
    failures = []
    for node_result in getattr(result.result, "results", None) or []:
        status = str(getattr(node_result, "status", ""))
        if status.lower().split(".")[-1] in ("error", "fail", "runtimeerr"):
            node = getattr(node_result, "node", None)
            name = getattr(node, "unique_id", None) or getattr(node_result, "unique_id", "?")
            failures.append(f"{name} ({status}): {getattr(node_result, 'message', '')}")
    return failures


def run_dbt(
    args: Sequence[str],
    target: WarehouseTarget | None = None,
    *,
    threads: int = DEFAULT_THREADS,
    extra_env: Mapping[str, str] | None = None,
) -> Any:
    """Run one dbt command in process (dbtRunner); raises DbtRunFailed naming failing nodes.

    `target` None runs without warehouse variables (enough for `parse`).
    Commands that run models (KEYED_COMMANDS) need SINERGI_NIP_HMAC_KEY and
    raise MissingHmacKey, before dbt starts, without it.
    Returns the dbtRunnerResult's `result` (run results, manifest, ...).
    """
    from dbt.cli.main import dbtRunner

    env = dict(dbt_env(target, threads)) if target is not None else {}
    env.setdefault("DBT_PROFILES_DIR", str(dbt_project_dir()))
    env.update(extra_env or {})
    if args and args[0] in KEYED_COMMANDS:
        env = _keyed_env(env)
    command = [*args, "--project-dir", str(dbt_project_dir())]
    if target is None and args and args[0] == "parse":
        # parse renders profiles.yml, which needs the variables to exist
        env = {**_placeholder_env(), **env}
    log.info("dbt %s", " ".join(args))
    with temporary_environment(env):
        result = dbtRunner().invoke(command)
    if not result.success:
        failures = _failures(result)
        detail = "; ".join(failures) if failures else repr(result.exception)
        raise DbtRunFailed(f"dbt {' '.join(args)} failed: {detail}")
    return result.result


def _placeholder_env() -> dict[str, str]:
    """Profile variables for commands that never connect (`dbt parse`)."""
    return {
        "SINERGI_PG_HOST": os.environ.get("SINERGI_PG_HOST", "localhost"),
        "SINERGI_PG_USER": os.environ.get("SINERGI_PG_USER", "postgres"),
        "SINERGI_PG_DBNAME": os.environ.get("SINERGI_PG_DBNAME", "sinergi"),
    }


def build_manifest() -> Path:
    """`dbt parse`: writes the manifest (`sinergi.transform.manifest`) the DAGs load."""
    run_dbt(["parse"])
    path = manifest_path()
    if not path.exists():
        raise DbtRunFailed(f"dbt parse succeeded but wrote no {path}")
    return path


# The pipeline's builds leave dbt's unit tests out, as dbt advises for
# production: their inputs are fixed in the yml, so they pass or fail with the
# code, never with the night's data. `make test` runs them (a plain `dbt build`
# in tests/integration/transform); the data tests run in every build.
PIPELINE_BUILD = ["build", "--exclude-resource-type", "unit_test"]


def build(
    target: WarehouseTarget,
    *,
    full_refresh: bool = False,
    select: str | None = None,
    threads: int = DEFAULT_THREADS,
) -> Any:
    """`dbt build` (seeds, models, snapshots, data tests) of the whole project or `select`."""
    args = list(PIPELINE_BUILD)
    if full_refresh:
        args.append("--full-refresh")
    if select:
        args += ["--select", select]
    return run_dbt(args, target, threads=threads)
