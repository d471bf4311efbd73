"""The shared test vectors of the domain rules (tests/data/rule_vectors/*.csv).

One table a rule, one row a case: `input`, then the expected result (an empty
cell means "not valid": no date, no amount, no reason, no funding source),
then a `note`. The Python rules (tests/unit/domain: NIP, dates, rupiah, the
file-drop reader's) and the warehouse's (tests/integration/transform/
test_rule_vectors.py: every table) both run every row, so the implementations
cannot drift apart.
"""

from __future__ import annotations

import csv
from pathlib import Path

VECTORS_DIR = Path(__file__).parent / "data" / "rule_vectors"


def load(rule: str) -> list[dict[str, str]]:
    """The rows of one rule's table, each with its line number as `line`."""
    with (VECTORS_DIR / f"{rule}.csv").open(encoding="utf-8", newline="") as handle:
        rows = [{**row, "line": str(line)} for line, row in enumerate(csv.DictReader(handle), 2)]
    if not rows:
        raise AssertionError(f"{rule}.csv has no vectors")
    return rows


def case_id(row: dict[str, str]) -> str:
    return f"line{row['line']}:{row['input']!r}"
