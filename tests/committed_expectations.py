"""A private copy of the committed GX context, for a test or a test's Airflow.

GX's stores write files under `expectations/uncommitted/`; suites that run
side by side (`make test` runs three groups at once) must never share them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sinergi.paths import project_dir

FILES = ("great_expectations.yml", "raw_contracts.yml", "quality.yml")


def copy_to(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copy(project_dir() / "expectations" / name, root / name)
    return root
