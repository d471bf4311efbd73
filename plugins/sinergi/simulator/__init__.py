"""Source simulator: the five sources of the spec as real HTTP servers and real files.

Deterministic from (seed, number of ASN), streaming at any scale, as messy as
configured, with a truth manifest of what the marts must show. Entry points:
`start_simulator` (Python, used by tests) and `sinergi simulate` (CLI).
"""

from sinergi.simulator.api import SimulatorHandle, build_sources, start_simulator
from sinergi.simulator.config import Credentials, Messiness, ServeConfig, WorldConfig

__all__ = [
    "Credentials",
    "Messiness",
    "ServeConfig",
    "SimulatorHandle",
    "WorldConfig",
    "build_sources",
    "start_simulator",
]
