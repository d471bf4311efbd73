"""`python -m sinergi.simulator serve|files ...` (the same commands as `sinergi simulate`)."""

from sinergi.simulator.cli import app

app()
