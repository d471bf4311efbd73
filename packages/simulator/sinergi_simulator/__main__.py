"""`python -m sinergi_simulator serve|files ...` (the same commands as `sinergi simulate`)."""

from sinergi_simulator.cli import app

app()
