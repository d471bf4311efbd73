"""What the Docker image would hold, checked without Docker (there is no engine here).

The repository is copied as `.dockerignore` filters the build context (Docker's
pattern rules, applied to the working tree), then, in a fresh environment built
from that copy alone: the Dockerfile's steps after `COPY . .` (the locked
install, the dbt manifest), `airflow-init`'s command from docker-compose.yml
against throwaway databases, and an import of every DAG with the environment
docker-compose.yml gives the Airflow components. A file the image would miss
is missed here too, and a step the image no longer runs is not run here either.
The image holds no part of the simulator: not its source, not its install, and
its commands (`sinergi demo`, `sinergi simulate`, `sinergi dev`) say so.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import yaml
from psycopg import sql

from sinergi.warehouse.connection import WarehouseTarget

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
# The DAGs that failed to import in the image when it had no dbt manifest.
MANIFEST_DAGS = {"transform", "quality_publish"}
# The development tools the image leaves out (packages/simulator) and their commands.
SIMULATOR = ("sinergi_simulator", "sinergi-simulator")
# (each of them: tests/unit/test_development_commands.py)
DEVELOPMENT_COMMANDS = (["demo"], ["simulate", "serve", "--asn", "100"])
# Set by the Dockerfile for the image, left out here: they only trade build time
# for start-up time (bytecode) or suit a cache on another filesystem (copy).
UV_IMAGE_ONLY = ("UV_COMPILE_BYTECODE", "UV_LINK_MODE", "UV_NO_CACHE")
# What the fresh environment keeps of this one: the machine's, not the checkout's
# (home and locale, uv's cache, how this machine reaches the package index).
MACHINE_SETTINGS = re.compile(
    r"HOME|USER|LOGNAME|LANG|LC_\w+|TZ|XDG_CACHE_HOME|UV_CACHE_DIR|UV_NATIVE_TLS|UV_SYSTEM_CERTS"
    r"|UV_(DEFAULT_)?INDEX(_URL)?|UV_EXTRA_INDEX_URL|SSL_CERT_(FILE|DIR)|(?i:\w*_proxy)",
)


# --- .dockerignore, read the way Docker reads it (moby/patternmatcher) ---------


@dataclass(frozen=True)
class IgnorePattern:
    regex: re.Pattern[str]
    exclusion: bool  # a `!pattern`: puts back what an earlier pattern left out


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """Docker's translation: `*` and `?` stop at `/`, `**` spans directories."""
    out, i = "^", 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**", i):
            i += 2
            if pattern.startswith("/", i):
                i += 1
            out += ".*" if i >= len(pattern) else "(.*/)?"
            continue
        if ch == "*":
            out += "[^/]*"
        elif ch == "?":
            out += "[^/]"
        elif ch == "\\" and i + 1 < len(pattern):
            i += 1
            out += re.escape(pattern[i])
        elif ch in "[]":
            out += ch  # a character class, as in filepath.Match
        else:
            out += re.escape(ch)
        i += 1
    return re.compile(out + "$")


def read_dockerignore(path: Path) -> list[IgnorePattern]:
    patterns = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        exclusion = text.startswith("!")
        if exclusion:
            text = text[1:].strip()
        text = posixpath.normpath(text).lstrip("/")  # filepath.Clean; relative to the context
        patterns.append(IgnorePattern(_pattern_regex(text), exclusion))
    return patterns


def is_ignored(relative: str, patterns: list[IgnorePattern]) -> bool:
    """Last matching pattern wins; a pattern matching a parent directory matches too."""
    parts = relative.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern in patterns:
        if pattern.exclusion != ignored:
            continue
        if any(pattern.regex.match(candidate) for candidate in candidates):
            ignored = not pattern.exclusion
    return ignored


def copy_build_context(source: Path, destination: Path) -> list[str]:
    """Copy the working tree as `docker build` would send it; returns the files copied."""
    patterns = read_dockerignore(source / ".dockerignore")
    can_prune = not any(p.exclusion for p in patterns)
    copied = []
    for root, dirs, files in os.walk(source):
        base = Path(root).relative_to(source).as_posix()
        base = "" if base == "." else base + "/"
        kept_dirs = []
        for name in sorted(dirs):
            relative = base + name
            if (source / relative).is_symlink():
                files.append(name)  # copied as a link, as COPY does
            elif not (can_prune and is_ignored(relative, patterns)):
                kept_dirs.append(name)
                (destination / relative).mkdir(parents=True, exist_ok=True)
        dirs[:] = kept_dirs
        for name in sorted(files):
            relative = base + name
            if is_ignored(relative, patterns):
                continue
            (destination / relative).parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copy2(source / relative, destination / relative, follow_symlinks=False)
            except FileNotFoundError:
                continue  # removed while we walked (others edit this tree)
            copied.append(relative)
    return copied


def test_dockerignore_follows_dockers_rules(tmp_path: Path) -> None:
    (tmp_path / ".dockerignore").write_text(
        "# comment\n/dist\nsub/*.log\n**/__pycache__\n*.tmp\n!keep.tmp\n", encoding="utf-8"
    )
    patterns = read_dockerignore(tmp_path / ".dockerignore")
    assert is_ignored("dist/a.whl", patterns)
    assert is_ignored("sub/x.log", patterns)
    assert not is_ignored("sub/deeper/x.log", patterns)  # `*` stops at `/`
    assert is_ignored("a/b/__pycache__/m.pyc", patterns)
    assert is_ignored("x.tmp", patterns)
    assert not is_ignored("keep.tmp", patterns)
    assert not is_ignored("nested/x.tmp", patterns)  # no `**/`: top level only, unlike git


# --- the image's build steps and the compose services, read from their files ----


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def _shell_command(arguments: str) -> list[str]:
    """A RUN's command as argv: exec form as is, shell form through `/bin/sh -c`."""
    while arguments.startswith("--"):  # --mount=..., --network=...: build-time only
        arguments = arguments.split(None, 1)[1]
    if arguments.startswith("["):
        return [str(part) for part in json.loads(arguments)]
    return ["/bin/sh", "-c", arguments]


@dataclass(frozen=True)
class Image:
    workdir: str
    env: dict[str, str]  # ENV, `$VAR` expanded over the base environment
    project_steps: list[list[str]]  # every RUN after `COPY . .`


def read_image(dockerfile: Path, base_env: Mapping[str, str]) -> Image:
    env = dict(base_env)
    workdir, steps, copied_context = "/", [], False
    for keyword, arguments in dockerfile_instructions(dockerfile):
        if keyword == "ENV":
            words = shlex.split(arguments)
            if "=" not in words[0]:  # the old `ENV NAME value` form
                words = [f"{words[0]}={' '.join(words[1:])}"]
            for pair in words:
                name, _, value = pair.partition("=")
                env[name] = re.sub(r"\$\{?(\w+)\}?", lambda m: env.get(m.group(1), ""), value)
        elif keyword == "WORKDIR":
            workdir = posixpath.join(workdir, arguments)
        elif keyword == "COPY":
            sources = [a for a in shlex.split(arguments) if not a.startswith("--")][:-1]
            copied_context = copied_context or sources == ["."]
        elif keyword == "RUN" and copied_context:
            steps.append(_shell_command(arguments))
    assert copied_context, "the Dockerfile never copies the build context (`COPY . .`)"
    return Image(workdir=workdir, env=env, project_steps=steps)


def _interpolate(value: str) -> str:
    """Compose's `${NAME}`, `${NAME:-default}`, `${NAME:?error}`, with test values."""

    def substitute(match: re.Match[str]) -> str:
        name, operator, argument = match.group(1), match.group(2), match.group(3)
        if operator in (":-", "-"):
            return argument
        return f"test-{name.lower().replace('_', '-')}"

    value = re.sub(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}", substitute, value)
    return value.replace("$$", "$")


def airflow_services(compose: Path) -> dict[str, dict[str, object]]:
    """The services that run the project's image (the Airflow components)."""
    services = yaml.safe_load(compose.read_text(encoding="utf-8"))["services"]
    return {name: spec for name, spec in services.items() if "build" in spec}


# --- running it ---------------------------------------------------------------


def _base_env(tmp: Path) -> dict[str, str]:
    """What a fresh shell would have: none of this checkout's venv, Airflow home or paths."""
    env = {name: value for name, value in os.environ.items() if MACHINE_SETTINGS.fullmatch(name)}
    env["TMPDIR"] = str(tmp)
    inherited = [
        entry
        for entry in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep)
        if entry
        and not Path(entry).resolve().is_relative_to(REPO)
        and not Path(entry).resolve().is_relative_to(Path(sys.prefix).resolve())
    ]
    env["PATH"] = os.pathsep.join(inherited)
    return env


def _uv() -> Path:
    uv = REPO / ".sinergi" / "tools" / "bin" / "uv"
    found = uv if uv.exists() else shutil.which("uv")
    if not found:
        pytest.skip("no uv: `make venv` installs it under .sinergi/tools")
    return Path(found)


def _run(what: str, command: list[str], cwd: Path, env: Mapping[str, str]) -> str:
    started = time.monotonic()
    done = subprocess.run(
        command,
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    print(f"{what}: {time.monotonic() - started:.1f} s")
    assert done.returncode == 0, (
        f"{what} failed ({done.returncode}): {shlex.join(command)}\n{done.stdout[-6000:]}"
    )
    return done.stdout


@pytest.fixture
def metadata_database(warehouse_server: WarehouseTarget) -> Iterator[WarehouseTarget]:
    """An empty database for Airflow's metadata, dropped afterwards."""
    target = warehouse_server.with_database(f"sinergi_test_airflow_{uuid.uuid4().hex[:12]}")
    admin = warehouse_server.with_database("postgres").conninfo
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(target.dbname)))
    yield target
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(target.dbname))
        )


SIMULATOR_SCRIPT = """
import importlib.metadata, importlib.util, json, sys
module, distribution = sys.argv[1:]
try:
    version = importlib.metadata.version(distribution)
except importlib.metadata.PackageNotFoundError:
    version = None
print("SIMULATOR " + json.dumps({
    "module": importlib.util.find_spec(module) is not None,
    "distribution": version,
    "commands": [e.name for e in importlib.metadata.entry_points(group="sinergi.commands")],
}))
"""


def assert_no_simulator(venv: Path, context: Path, env: Mapping[str, str]) -> None:
    """The image's environment cannot import the simulator, and its commands say why."""
    output = _run(
        "simulator lookup",
        [str(venv / "bin" / "python"), "-c", SIMULATOR_SCRIPT, *SIMULATOR],
        context,
        env,
    )
    found = json.loads(output.split("SIMULATOR ", 1)[1].splitlines()[0])
    assert found == {"module": False, "distribution": None, "commands": []}, found
    for command in DEVELOPMENT_COMMANDS:
        done = subprocess.run(
            [str(venv / "bin" / "sinergi"), *command],
            cwd=context,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 2, (command, done.returncode, done.stdout, done.stderr)
        assert done.stderr.startswith(f"sinergi {command[0]}: not installed here"), done.stderr
        assert "development tools" in done.stderr and "make venv" in done.stderr, done.stderr


DAGBAG_SCRIPT = """
import json, os
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
print("DAGBAG " + json.dumps({
    "dags": {dag_id: dag.fileloc for dag_id, dag in bag.dags.items()},
    "import_errors": {str(k): str(v) for k, v in bag.import_errors.items()},
}))
"""


def test_image_installs_initialises_and_imports_every_dag(
    tmp_path: Path, fresh_database: WarehouseTarget, metadata_database: WarehouseTarget
) -> None:
    started = time.monotonic()
    context = tmp_path / "context"
    copied = copy_build_context(REPO, context)
    print(f"build context: {len(copied)} files, {time.monotonic() - started:.1f} s")
    assert "uv.lock" in copied and "pyproject.toml" in copied
    assert (REPO / "packages" / "simulator" / "sinergi_simulator").is_dir()
    left_in = [p for p in copied if p.startswith("packages/") or f"/{SIMULATOR[0]}/" in f"/{p}"]
    assert not left_in, f"the simulator is in the build context: {left_in[:5]}"

    # The image's environment: the Dockerfile's ENV with /opt/sinergi -> the copy,
    # uv from this checkout's tools and its cache, no interpreter download.
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "uv").symlink_to(_uv())
    base = _base_env(tmp_path)
    base["PATH"] = f"{tools}{os.pathsep}{base['PATH']}"
    image = read_image(REPO / "Dockerfile", base)  # build inputs: read where docker reads them

    def in_copy(value: str) -> str:
        return value.replace(image.workdir, str(context))

    env = {name: in_copy(value) for name, value in image.env.items()}
    for name in UV_IMAGE_ONLY:
        env.pop(name, None)
    env.setdefault("UV_PYTHON", "python3.11")
    env["UV_PYTHON_DOWNLOADS"] = "never"
    # (the test can only relocate what lives under WORKDIR)
    assert Path(env["UV_PROJECT_ENVIRONMENT"]).is_relative_to(context), env

    # The Dockerfile's project steps: the locked install and the dbt manifest.
    assert image.project_steps, "the Dockerfile runs nothing after `COPY . .`"
    for i, step in enumerate(image.project_steps):
        _run(f"Dockerfile RUN #{i + 1} after COPY . .", step, context, env)
    manifest = context / "dbt_project" / "target" / "manifest.json"
    assert manifest.is_file(), "the image has no dbt manifest (`sinergi transform manifest`)"
    assert_no_simulator(Path(env["UV_PROJECT_ENVIRONMENT"]), context, env)

    # The components' environment, as docker-compose.yml gives it: the same for all.
    services = airflow_services(REPO / "docker-compose.yml")
    assert "airflow-init" in services
    environments = {name: spec.get("environment") or {} for name, spec in services.items()}
    shared = environments["airflow-init"]
    assert isinstance(shared, dict), "environment in mapping form"
    assert all(e == shared for e in environments.values()), "components' environments differ"
    for name in (
        "SINERGI_NIP_HMAC_KEY",
        "SINERGI_ASSET_AUTHORITY",
        "AIRFLOW__API_AUTH__JWT_SECRET",
    ):
        assert name in shared, f"docker-compose.yml does not pass {name}"
    env.update({name: in_copy(_interpolate(str(value))) for name, value in shared.items()})
    # ... with this machine's throwaway databases in place of the postgres service.
    env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = metadata_database.sqlalchemy_url
    env["AIRFLOW__CELERY__RESULT_BACKEND"] = "db+" + metadata_database.sqlalchemy_url
    env["SINERGI_WAREHOUSE_URL"] = fresh_database.url
    env["AIRFLOW__COSMOS__CACHE_DIR"] = str(tmp_path / "cosmos")
    assert Path(env["AIRFLOW_HOME"]).is_relative_to(context), env

    init = services["airflow-init"]["command"]
    init_command = shlex.split(init) if isinstance(init, str) else [str(a) for a in init]
    _run("airflow-init", init_command, context, env)
    with psycopg.connect(fresh_database.conninfo) as conn:
        assert conn.execute("select to_regclass('meta.load_batches')").fetchone() == (
            "meta.load_batches",
        )

    output = _run(
        "DAG import",
        [str(Path(env["UV_PROJECT_ENVIRONMENT"]) / "bin" / "python"), "-c", DAGBAG_SCRIPT],
        context,
        env,
    )
    found = json.loads(output.split("DAGBAG ", 1)[1].splitlines()[0])
    errors = found["import_errors"]
    assert not errors, "\n".join(f"{path}:\n{error}" for path, error in errors.items())
    dag_ids = set(found["dags"])
    assert dag_ids >= MANIFEST_DAGS, sorted(dag_ids)
    registry = yaml.safe_load((context / "sources.yml").read_text(encoding="utf-8"))
    ingest = {
        f"ingest_{name}"
        for name, source in registry["sources"].items()
        if source["kind"] != "file_drop"
    }
    assert dag_ids >= ingest | {"warehouse_bootstrap", "ingest_file_drops"}, sorted(dag_ids)
    # every DAG file of the copy gave at least one DAG, from the copy
    dag_files = {
        path.name
        for path in (context / "dags").glob("*.py")
        if "airflow" in (text := path.read_text(encoding="utf-8").lower()) and "dag" in text
    }
    loaded_from = {Path(fileloc) for fileloc in found["dags"].values()}
    assert all(path.is_relative_to(context) for path in loaded_from), loaded_from
    assert dag_files <= {path.name for path in loaded_from}
    print(f"image test: {time.monotonic() - started:.1f} s")
