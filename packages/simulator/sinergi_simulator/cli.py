"""`sinergi simulate`: run the source simulator (HTTP servers) or write the file drop."""

from __future__ import annotations

import json
import logging
import shlex
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sinergi.malloc import use_one_arena
from sinergi_simulator.config import Credentials, Messiness, ServeConfig
from sinergi_simulator.timeline import WORLD_END_MS, format_ms, parse_timestamp

if TYPE_CHECKING:
    from sinergi_simulator.api import SimulatorHandle

logger = logging.getLogger(__name__)

app = typer.Typer(
    help="Source simulator: Sinergi's five sources, deterministic from a seed, at any "
    "scale, as messy as real data, with a truth manifest for the marts.",
    no_args_is_help=True,
)

# The defaults are the demo's world (sinergi_simulator.devtools.demo: DEMO_SEED, SCALES), so
# what `serve` or `files` gives adds to the demo's warehouse instead of mixing a
# second world into it; a unit test keeps the two equal.
DEFAULT_SEED = 2026
DEFAULT_ASN = 3000
SEED = typer.Option(
    DEFAULT_SEED,
    "--seed",
    help="World seed: same seed and size give identical output (default: the demo's).",
)
ASN = typer.Option(
    DEFAULT_ASN,
    "--asn",
    min=1,
    help="Number of ASN in the world (default: the demo's; national: 4300000).",
)
TRUTH = typer.Option(
    None, "--truth", help="Write the truth manifest (JSON) for the world up to the clock here."
)


def _messiness(
    name_variants: float,
    duplicates: float,
    late_updates: float,
    invalid: float,
    drift: float,
    broken_files: float,
) -> Messiness:
    return Messiness(
        name_variant_rate=name_variants,
        duplicate_rate=duplicates,
        late_update_rate=late_updates,
        invalid_rate=invalid,
        drift_rate=drift,
        broken_file_rate=broken_files,
    )


NAME_VARIANTS = typer.Option(0.3, help="Share of records naming an institution by a variant.")
DUPLICATES = typer.Option(0.08, help="Share of participations reported again by the origin.")
LATE_UPDATES = typer.Option(0.1, help="Share of participations first `proses`, final later.")
INVALID = typer.Option(0.01, help="Invalid records injected per valid record.")
DRIFT = typer.Option(0.02, help="Share of records with an extra or a missing optional field.")
BROKEN = typer.Option(0.02, help="Unreadable extra files per region-month folder.")


@app.command()
def serve(
    seed: int = SEED,
    asn: int = ASN,
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(
        8700,
        help="Base port: siasn, bpsdm_kemendagri, kemnaker_corpu, satudata take port..+3 "
        "(0 = any free ports).",
    ),
    faults: str = typer.Option(
        "0",
        help="Share of requests failing transiently (5xx, 429, slow, truncated; retries always"
        " get through) and/or fault profiles, comma-separated: 0.1, ckan_unordered,gzip or"
        " 0.1,gzip. `sinergi simulate fault-profiles` lists the profiles.",
    ),
    slow_delay: float = typer.Option(3.0, help="Seconds a 'slow' fault stalls."),
    clock: str = typer.Option(
        None, help="Initial clock (ISO UTC); default: end of the world (everything visible)."
    ),
    truth: Path = TRUTH,
    siasn_client_id: str = typer.Option(
        None, envvar="SINERGI_SIM_SIASN_CLIENT_ID", help="siasn OAuth2 client id [sinergi]."
    ),
    siasn_client_secret: str = typer.Option(
        None, envvar="SINERGI_SIM_SIASN_CLIENT_SECRET", help="siasn client secret [dev default]."
    ),
    kemendagri_api_key: str = typer.Option(
        None, envvar="SINERGI_SIM_KEMENDAGRI_API_KEY", help="bpsdm_kemendagri X-API-Key."
    ),
    corpu_token: str = typer.Option(
        None, envvar="SINERGI_SIM_CORPU_TOKEN", help="kemnaker_corpu bearer token."
    ),
    satudata_api_key: str = typer.Option(
        None, envvar="SINERGI_SIM_SATUDATA_API_KEY", help="satudata CKAN Authorization key."
    ),
    name_variants: float = NAME_VARIANTS,
    duplicates: float = DUPLICATES,
    late_updates: float = LATE_UPDATES,
    invalid: float = INVALID,
    drift: float = DRIFT,
) -> None:
    """Serve siasn, bpsdm_kemendagri, kemnaker_corpu and satudata over HTTP until Ctrl-C.

    Prints {"urls": {...}, "credentials": {...}, "clock": ...} as one JSON line once
    listening, then the sources' `export AIRFLOW_CONN_SINERGI_...=...` lines to paste
    into the shell that runs `sinergi ingest` or `sinergi airflow up`.
    Move the clock with POST <any url>/_sim/clock {"clock": "2023-06-30T00:00:00Z"}.
    """
    from sinergi_simulator.api import build_sources, start_simulator
    from sinergi_simulator.faults import parse_faults

    try:
        spec = parse_faults(faults)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--faults") from None
    use_one_arena()  # handler threads' own arenas kept freed buffers mapped
    given = {
        "siasn_client_id": siasn_client_id,
        "siasn_client_secret": siasn_client_secret,
        "kemendagri_api_key": kemendagri_api_key,
        "corpu_token": corpu_token,
        "satudata_api_key": satudata_api_key,
    }
    credentials = Credentials(**{k: v for k, v in given.items() if v})
    mess = _messiness(name_variants, duplicates, late_updates, invalid, drift, 0.02)
    sources = build_sources(seed, asn, mess)
    handle = start_simulator(
        seed,
        asn,
        faults=spec,
        credentials=credentials,
        serve_config=ServeConfig(slow_delay_s=slow_delay),
        host=host,
        port=port,
        clock=clock,
        sources=sources,
    )
    if truth:
        handle.truth(truth)
    typer.echo(
        json.dumps({"urls": handle.urls, "credentials": credentials.__dict__, "clock": handle.now}),
    )
    for line in export_lines(handle, seed, asn):
        typer.echo(line)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        handle.stop()


def export_lines(handle: SimulatorHandle, seed: int, asn: int) -> list[str]:
    """The served sources' connections as shell `export` lines, ready to paste."""
    # The registry's connection ids live above the simulator; this entry point
    # borrows the demo's mapping rather than keeping a second copy of it.
    from sinergi_simulator.devtools.pipeline import simulator_connections

    demo = (seed, asn) == (DEFAULT_SEED, DEFAULT_ASN)
    world = "the demo's world" if demo else "a world of its own, not the demo's"
    lines = [f"# connections to this simulator (seed {seed}, {asn} ASN: {world}); paste:"]
    for variable, uri in sorted(simulator_connections(handle).items()):
        lines.append(f"export {variable}={shlex.quote(uri)}")
    return lines


@app.command("fault-profiles")
def fault_profiles() -> None:
    """List the fault profiles `serve --faults` accepts: how real sources misbehave."""
    from sinergi_simulator.faults import PROFILES

    width = max(map(len, PROFILES))
    for name, what in PROFILES.items():
        typer.echo(f"{name:<{width}}  {what}")


@app.command()
def files(
    seed: int = SEED,
    asn: int = ASN,
    out: Path = typer.Option(
        ..., "--out", help="Landing folder: writes <out>/<region>/<yyyy-mm>/."
    ),
    until: str = typer.Option(
        None, help="Write only folders uploaded by this time (ISO UTC); default: all."
    ),
    truth: Path = TRUTH,
    name_variants: float = NAME_VARIANTS,
    duplicates: float = DUPLICATES,
    late_updates: float = LATE_UPDATES,
    invalid: float = INVALID,
    drift: float = DRIFT,
    broken_files: float = BROKEN,
) -> None:
    """Write the bpsdm_daerah file drop (CSV/XLSX participation and assessment reports).

    The truth manifest written with --truth covers the API sources and these files at the
    same clock (--until).
    """
    from sinergi_simulator.api import build_sources
    from sinergi_simulator.files import write_files
    from sinergi_simulator.truth import compute_truth, write_truth

    mess = _messiness(name_variants, duplicates, late_updates, invalid, drift, broken_files)
    sources = build_sources(seed, asn, mess)
    until_ms = parse_timestamp(until) if until else WORLD_END_MS
    written = write_files(sources, out, until_ms)
    if truth:
        write_truth(compute_truth(sources, until_ms), truth)
    typer.echo(json.dumps({"out": str(out), "until": format_ms(until_ms), **written}))
