"""The simulator wired to the product: development tooling, never in the production image.

The rest of `sinergi_simulator` is the test world and imports nothing of the
product. This subpackage is where the two meet: the sources' connections and
file drops for a running simulator (`pipeline`), the demo (`demo`), and the
commands it adds to `sinergi` (`sinergi demo`, `sinergi dev env`, beside
`sinergi simulate`) through the `sinergi.commands` entry points in
`packages/simulator/pyproject.toml`.
"""
