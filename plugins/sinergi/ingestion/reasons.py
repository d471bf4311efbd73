"""The quarantine reasons ingestion gives, as one type: every record it refuses names one.

`QuarantinedRecord.reason` and the file-drop row checks are typed with
`IngestionReason`, so mypy refuses any other string, however the code that
picks the reason is shaped; tests/unit/test_quarantine_reasons.py reads the
same list and checks each one is in dbt_project/seeds/quarantine_reasons.csv
(with `ingestion` in its `detected_by`) and still written somewhere here.
A new reason is added here and in the seed.
"""

from __future__ import annotations

from typing import Literal, get_args

IngestionReason = Literal[
    # API records refused before raw (runner.py)
    "not_json_object",  # null, a string, a list: no record to load
    "nul_character",  # jsonb cannot hold U+0000
    # file-drop rows (file_drop.py)
    "missing_required",
    "invalid_nip",
    "invalid_date",
    "negative_jp",
    "invalid_jp",
    "negative_amount",
    "invalid_amount",
    "invalid_level",
    "unknown_instansi",
    "field_too_large",
    "conflicting_columns",
    "formula_like_text",
]


def ingestion_reasons() -> tuple[str, ...]:
    """Every reason ingestion can give, in the order above."""
    return get_args(IngestionReason)
