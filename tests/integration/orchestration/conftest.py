"""Fixtures of the scheduler-driven tests."""

import sys
from pathlib import Path

# the truth comparison of the dbt tests, shared rather than copied
sys.path.insert(0, str(Path(__file__).parents[1] / "transform"))

from scheduled_pipeline import pipeline  # noqa: F401
