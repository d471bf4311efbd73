"""Source simulator: Sinergi's five sources as real HTTP servers and real files.

Deterministic from (seed, number of ASN), streaming at any scale, as messy as
configured, with a truth manifest of what the marts must show. Entry points:
`start_simulator` (Python, used by tests) and `sinergi simulate` (CLI).

A distribution of its own (`packages/simulator`), installed for development,
the demo, the tests and the benchmarks, never in the production image; the
product (`plugins/sinergi`) never imports it. Where it checks the product
(the NIP rule in `nip`, the expected figures in `truth`, the defects and their
reasons in `defects`) it uses its own implementation, independent on purpose:
the test world must not share the product's mistakes. Only `cli` (the
product's memory settings, the sources' connection names) and `devtools` (the
demo and the development commands) import the product.
"""

from sinergi_simulator.api import SimulatorHandle, build_sources, start_simulator
from sinergi_simulator.config import Credentials, Messiness, ServeConfig, WorldConfig

__all__ = [
    "Credentials",
    "Messiness",
    "ServeConfig",
    "SimulatorHandle",
    "WorldConfig",
    "build_sources",
    "start_simulator",
]
