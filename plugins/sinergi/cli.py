"""The `sinergi` command line: one sub-command group per layer.

Failures an operator is expected to meet and fix (a connection not set, the
NIP key missing, the warehouse not answering, ...) end every command the same
way: one line on stderr, `sinergi <command>: <what is wrong>; <what to do>`,
exit status 2 when the setup needs fixing and 1 when the work itself failed.
`--verbose` shows the traceback instead. Anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import typer
from typer.core import TyperGroup

_WAREHOUSE_DOWN = (
    "the warehouse does not answer: SINERGI_WAREHOUSE_URL names it (unset: the"
    " embedded PostgreSQL, started by sinergi itself)"
)
# (module, exception class, exit status, what to do): the failures of the kinds an
# operator meets and fixes, most specific first. Looked up in `sys.modules`, so
# the check imports nothing: a class whose module was never imported cannot
# have been raised.
EXPECTED_ERRORS: tuple[tuple[str, str, int, str], ...] = (
    ("sinergi.ingestion.connections", "ConnectionNotFound", 2, ""),
    (
        "sinergi.transform.dbt",
        "MissingHmacKey",
        2,
        "on the demo's warehouse `eval \"$(sinergi dev env)\"` sets the demo's key",
    ),
    ("sinergi.transform.dbt", "DbtRunFailed", 1, "dbt's log: dbt_project/logs/dbt.log"),
    ("sinergi.ingestion.http", "SourceError", 1, ""),
    ("sinergi.ingestion.raw_loader", "LoadError", 1, ""),
    ("sinergi.ingestion.registry", "RegistryError", 2, "fix sources.yml"),
    ("sinergi.quality.config", "QualityConfigError", 2, "fix expectations/quality.yml"),
    ("sinergi.warehouse.identifiers", "InvalidIdentifier", 2, ""),
    ("sinergi.report.run_facts", "PublishNotFound", 2, ""),
    ("sinergi.orchestration.local_airflow", "AirflowNotReady", 1, ""),
    ("sinergi.orchestration.local_airflow", "AirflowAlreadyRunning", 2, ""),
    (
        "sinergi.orchestration.airflow_api",
        "AirflowApiError",
        1,
        "is the local Airflow up? `sinergi airflow status`",
    ),
    ("sinergi.orchestration.dag_runs", "DagRunFailed", 1, ""),
    ("sinergi.orchestration.chain", "ChainTimeout", 1, ""),
    (
        "psycopg.errors",
        "UndefinedTable",
        2,
        "`sinergi warehouse init` creates the warehouse's own tables,"
        " `sinergi transform build` the marts",
    ),
    ("psycopg", "OperationalError", 2, _WAREHOUSE_DOWN),
    ("sqlalchemy.exc", "OperationalError", 2, _WAREHOUSE_DOWN),
)


def expected_failure(error: BaseException) -> tuple[int, str] | None:
    """(exit status, one line saying what is wrong and what to do), or None for a bug."""
    for module_name, class_name, status, advice in EXPECTED_ERRORS:
        kind = getattr(sys.modules.get(module_name), class_name, None)
        if isinstance(kind, type) and isinstance(error, kind):
            message = " ".join(str(error).split()) or type(error).__name__
            return status, f"{message}; {advice}" if advice else message
    return None


def command_path(error: BaseException) -> str:
    """`sinergi <group> <command>` of the command that raised `error`.

    Read off the traceback: click's `Command.invoke(self, ctx)` frames hold each
    command's context as `ctx`, the innermost that of the command that failed.
    """
    context: Any = None
    trace = error.__traceback__
    while trace is not None:
        candidate = trace.tb_frame.f_locals.get("ctx")
        if hasattr(candidate, "command_path") and hasattr(candidate, "info_name"):
            context = candidate
        trace = trace.tb_next
    names = []
    while context is not None and context.parent is not None:
        names.append(context.info_name)
        context = context.parent
    return " ".join(["sinergi", *reversed(names)])


class SinergiGroup(TyperGroup):
    """The root command: expected failures end in one line (see the module docstring)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as error:
            found = expected_failure(error)
            if found is None or ctx.params.get("verbose"):
                raise
            status, message = found
            typer.echo(f"{command_path(error)}: {message}", err=True)
            raise typer.Exit(status) from None


app = typer.Typer(
    cls=SinergiGroup,
    help="Sinergi: ASN competency-development data integration.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Log at DEBUG; show the traceback of any failure."
    ),
) -> None:
    from sinergi.ingestion.batch_trigger import batch_trigger, cli_trigger

    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Batches this command loads (`ingest`, `ingest-file`) record a `cli` trigger at its start.
    ctx.with_resource(batch_trigger(cli_trigger()))


@app.command()
def notify(
    source: str = typer.Argument(..., help="The API source with new data (sources.yml)."),
    entity: list[str] = typer.Option([], "--entity", "-e", help="Only these entities."),
    via: str = typer.Option("rest", "--via", help="rest (Airflow API) or redis (pub/sub)."),
) -> None:
    """Tell the running pipeline that SOURCE has new data: its ingest DAG pulls now.

    An event only means "pull now": the pull reads everything past the
    watermark, so a lost event delays data, never loses it.
    """
    from sinergi.orchestration.notify import NotifyError, notify_redis, notify_rest

    try:
        if via == "redis":
            received = notify_redis(source, entity or None)
            if not received:
                typer.echo(
                    "no watcher subscribed: the event is lost (the next pull still gets the data)",
                    err=True,
                )
                raise typer.Exit(1)
            typer.echo(f"event for {source} published to {received} subscriber(s)")
        elif via == "rest":
            typer.echo(f"asset event {notify_rest(source, entity or None)} created for {source}")
        else:
            raise NotifyError(f"--via must be rest or redis, not {via!r}")
    except (NotifyError, KeyError, ValueError) as error:
        typer.echo(f"notify {source}: {error}", err=True)
        raise typer.Exit(2) from None


# Each layer's command: (module, attribute); a Typer app becomes a command group.
PRODUCT_COMMANDS = {
    "warehouse": ("sinergi.warehouse.cli", "app"),
    "ingest": ("sinergi.ingestion.cli", "ingest"),
    "ingest-file": ("sinergi.ingestion.cli", "ingest_file"),
    "backfill": ("sinergi.orchestration.backfill", "backfill"),
    "transform": ("sinergi.transform.cli", "app"),
    "quality": ("sinergi.orchestration.quality_cli", "app"),
    "report": ("sinergi.report.cli", "report"),
    "airflow": ("sinergi.orchestration.cli", "app"),
    "open-data": ("sinergi.open_data.cli", "app"),
}


def _mount(name: str, command: Any) -> None:
    if isinstance(command, typer.Typer):
        app.add_typer(command, name=name)
    else:
        app.command(name)(command)


def _mount_subcommands(argv: list[str]) -> None:
    """Attach each layer's command group: only the one invoked, when argv names one.

    Importing every layer (Airflow's client, dbt, the simulator) costs seconds
    at each start; `sinergi ingest` needs the ingestion layer only. `--help`,
    an unknown command and in-process callers (tests) get them all.
    """
    invoked = next((arg for arg in argv[1:] if not arg.startswith("-")), None)
    names = [invoked] if invoked in PRODUCT_COMMANDS else list(PRODUCT_COMMANDS)
    for name in names:
        module, attribute = PRODUCT_COMMANDS[name]
        _mount(name, getattr(importlib.import_module(module), attribute))
    if len(names) > 1:
        _mount_development_commands()


# The commands the development tools add (packages/simulator registers them
# under this entry-point group); the production image installs none of them.
COMMANDS_GROUP = "sinergi.commands"
DEVELOPMENT_COMMANDS = {
    "demo": "Run the pipeline end to end on a simulated world (what `make demo` runs).",
    "simulate": "Serve or write the simulated sources.",
    "dev": "Shell settings for working on the demo's warehouse.",
}


def _mount_development_commands() -> None:
    """Attach the commands installed distributions register under `sinergi.commands`.

    A Typer app becomes a command group, a function a command. A development
    command that is not installed still answers, with one line saying so.
    """
    from importlib.metadata import entry_points

    mounted = set()
    for entry in entry_points(group=COMMANDS_GROUP):
        _mount(entry.name, entry.load())
        mounted.add(entry.name)
    for name, what in DEVELOPMENT_COMMANDS.items():
        if name not in mounted:
            app.command(
                name,
                help=f"{what} Development tools only: not installed here.",
                hidden=True,
                add_help_option=False,
                context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
            )(_not_installed(name))


def _not_installed(name: str) -> Any:
    def command() -> None:
        typer.echo(
            f"sinergi {name}: not installed here: it is part of the development tools"
            " (packages/simulator, the sinergi-simulator distribution), which the production"
            " image leaves out; in a checkout `make venv` installs them",
            err=True,
        )
        raise typer.Exit(2)

    return command


_mount_subcommands(sys.argv)
