"""Python entry point: start the four HTTP sources in background threads.

Tests and ingestion code use `start_simulator(...)` as a context manager; the
CLI's `serve` command uses the same function and then waits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sinergi_simulator.config import (
    Credentials,
    Messiness,
    ReportingProfiles,
    ServeConfig,
    WorldConfig,
)
from sinergi_simulator.entities import Sources
from sinergi_simulator.faults import FaultInjector, FaultSpec, parse_faults
from sinergi_simulator.http_servers import (
    CorpuApp,
    KemendagriApp,
    SatudataApp,
    SiasnApp,
    SourceApp,
    make_server,
    serve_in_thread,
)
from sinergi_simulator.timeline import WORLD_END_MS, Clock, format_ms
from sinergi_simulator.world import World

logger = logging.getLogger(__name__)

SOURCE_ORDER = ("siasn", "bpsdm_kemendagri", "kemnaker_corpu", "satudata")


@dataclass
class SimulatorHandle:
    """Running simulator: base URL per source, credentials, the clock, and stop()."""

    world: World
    sources: Sources
    clock: Clock
    credentials: Credentials
    urls: dict[str, str]
    faults: FaultInjector
    _servers: list[Any] = field(default_factory=list, repr=False)

    def set_clock(self, value: str | int | float | datetime) -> str:
        """Serve only records with timestamp <= value (ISO string, epoch ms or datetime)."""
        return format_ms(self.clock.set(value))

    def advance(self, delta: timedelta | float) -> str:
        """Move the clock forward by a timedelta or a number of seconds."""
        seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
        return format_ms(self.clock.set(self.clock.now_ms + int(seconds * 1000)))

    def set_outage(self, source: str, down: bool = True) -> None:
        """Make one source answer 503 to every data request (down=False lifts it)."""
        if source not in self.urls:
            raise KeyError(f"no simulated source {source!r} (have {sorted(self.urls)})")
        (self.faults.outages.add if down else self.faults.outages.discard)(source)

    @property
    def now(self) -> str:
        return format_ms(self.clock.now_ms)

    def truth(self, path: str | Path | None = None, landing: bool = True) -> dict[str, Any]:
        """The truth manifest of the world as served at the current clock (optionally saved)."""
        from sinergi_simulator.truth import compute_truth, write_truth

        manifest = compute_truth(self.sources, self.clock.now_ms, include_files=landing)
        if path is not None:
            write_truth(manifest, Path(path))
        return manifest

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()
        logger.info("simulator: stopped")

    def __enter__(self) -> SimulatorHandle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def build_sources(
    seed: int,
    asn: int,
    messiness: Messiness | None = None,
    reporting: ReportingProfiles | None = None,
) -> Sources:
    """The world and its served entities, with every stream's layout computed up front."""
    world = World(
        WorldConfig(
            seed=seed,
            n_asn=asn,
            messiness=messiness or Messiness(),
            reporting=reporting or ReportingProfiles(),
        )
    )
    sources = Sources(world)
    for stream in sources.streams.values():
        logger.debug("simulator: %s has %d records", stream.name, stream.total)
    return sources


def start_simulator(
    seed: int = 42,
    asn: int = 1000,
    *,
    faults: float | str | Iterable[str] | FaultSpec = 0.0,
    messiness: Messiness | None = None,
    credentials: Credentials | None = None,
    serve_config: ServeConfig | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    clock: str | int | datetime | None = None,
    sources: Sources | None = None,
) -> SimulatorHandle:
    """Start siasn, bpsdm_kemendagri, kemnaker_corpu and satudata on their own ports.

    `port=0` picks free ports; otherwise the sources take port, port+1, port+2,
    port+3 in the order of SOURCE_ORDER. `faults` is the transient-fault rate
    (overriding `serve_config.fault_rate`) and/or fault profiles by name
    (`faults.PROFILES`): `0.1`, `"ckan_unordered,gzip"`, `"0.1,gzip"`, `["bom"]`.
    """
    spec = parse_faults(faults)
    sources = sources or build_sources(seed, asn, messiness)
    base = serve_config or ServeConfig()
    config = ServeConfig(**{**base.__dict__, "fault_rate": spec.rate or base.fault_rate})
    creds = credentials or Credentials.from_env()
    sim_clock = Clock(WORLD_END_MS)
    if clock is not None:
        sim_clock.set(clock)
    injector = FaultInjector(config, sources.world.seed, spec.profiles)
    urls: dict[str, str] = {}
    common = (sources, sim_clock, creds, config, injector)
    apps: list[SourceApp] = [
        SiasnApp(*common),
        KemendagriApp(*common),
        CorpuApp(*common, base_url=lambda: urls["kemnaker_corpu"]),
        SatudataApp(*common, base_url=lambda: urls["satudata"]),
    ]
    servers = []
    for offset, app in enumerate(apps):
        server = make_server(app, injector, host, port + offset if port else 0)
        servers.append(server)
        urls[app.name] = f"http://{host}:{server.server_address[1]}"
    for server in servers:
        serve_in_thread(server)
    logger.info(
        "simulator: seed %d, %d ASN, serving %s%s",
        seed,
        sources.world.n_asn,
        urls,
        f", fault profiles {sorted(spec.profiles)}" if spec.profiles else "",
    )
    return SimulatorHandle(
        world=sources.world,
        sources=sources,
        clock=sim_clock,
        credentials=creds,
        urls=urls,
        faults=injector,
        _servers=servers,
    )
