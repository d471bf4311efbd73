"""What the open-data export publishes, and the small-cell threshold.

The threshold is the one setting an operator is expected to change, so it is
an environment variable (`SINERGI_OPEN_DATA_MIN_COUNT`, default 5); the rest
is the export's contract and lives here, documented in docs/open-data.md.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass

from sinergi.paths import state_dir
from sinergi.warehouse import schemas

THRESHOLD_VARIABLE = "SINERGI_OPEN_DATA_MIN_COUNT"
DEFAULT_THRESHOLD = 5
PUBLISHER_VARIABLE = "SINERGI_OPEN_DATA_PUBLISHER"
DEFAULT_PUBLISHER = "Sinergi (integrasi data pengembangan kompetensi ASN)"
BASE_URL_VARIABLE = "SINERGI_OPEN_DATA_BASE_URL"
OUT_DIR_VARIABLE = "SINERGI_OPEN_DATA_DIR"
CONNECTION_ID = "sinergi_open_data_portal"
PUBLISHED_SCHEMA = schemas.MARTS  # what analysts read: only published marts go out

# Never exported: person-level marts (the ASN profile, the participation fact)
# and the calendar, which is nobody's data. Any mart with a pseudonym column is
# refused as well, whatever its name (`PSEUDONYM_COLUMNS`).
EXCLUDED_MARTS: dict[str, str] = {
    "asn_development_profiles": "one row per (pseudonymised) ASN",
    "fct_participations": "one row per (pseudonymised) ASN x training",
    "dim_dates": "a calendar, not Sinergi's data",
    # the governance scorecard rates the reporting institutions, it is no statistic of
    # ASN; its ASN and record counts are not classed for small-cell suppression yet
    "governance_scorecard": "Sinergi's rating of each reporting institution, per month",
    "governance_scorecard_yearly": "Sinergi's rating of each reporting institution, per year",
}
PSEUDONYM_COLUMNS = ("asn_key", "nip", "nip_*", "*_nip", "participation_id")

# Counts of people or of their records: a value in 1..threshold-1 is a small cell.
COUNT_COLUMNS = ("*_count", "participants_*", "asn_reaching_*")
# Counts of things, not people: never suppressed.
NOT_PERSON_COUNTS = ("budget_line_count", "certification_type_count")

FLAG_COLUMN = "suppressed_columns"


class OpenDataConfigError(ValueError):
    """The open-data settings are wrong; the message names the setting."""


@dataclass(frozen=True)
class Relation:
    """Rows of `detail` grouped by `group` add up to the row of `total` keyed `total_key`.

    `columns` are (detail column, total column) pairs; empty means every count
    column the two marts share by name. `null_as` is the total's key value for
    a null group value (central K/L are `pusat` in the regional marts).
    """

    detail: str
    group: tuple[str, ...]
    total: str
    total_key: tuple[str, ...]
    columns: tuple[tuple[str, str], ...] = ()
    null_as: str | None = None


# Published totals a suppressed cell could be recovered from by subtraction.
RELATIONS: tuple[Relation, ...] = (
    Relation(
        "participation_by_institution_year",
        ("provinsi_kode", "tahun"),
        "participation_by_region_year",
        ("provinsi_kode", "tahun"),
        null_as="pusat",
    ),
    Relation(
        "competency_gaps_by_job",
        ("instansi_id", "tahun", "jenis_kompetensi"),
        "competency_by_institution_year_type",
        ("instansi_id", "tahun", "jenis_kompetensi"),
    ),
    Relation(
        "central_training_quotas",
        ("penyelenggara_id", "tahun"),
        "participation_by_institution_year",
        ("instansi_id", "tahun"),
        columns=(
            ("participant_count", "central_training_participation_count"),
            ("regional_participant_count", "central_training_regional_participation_count"),
        ),
    ),
)


def matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def is_count_column(name: str, data_type: str) -> bool:
    """Whether a column counts people or their records (a candidate small cell)."""
    integer = data_type in ("integer", "bigint", "smallint")
    return integer and matches(name, COUNT_COLUMNS) and not matches(name, NOT_PERSON_COUNTS)


def threshold() -> int:
    """Counts below this (and above 0) are suppressed: `SINERGI_OPEN_DATA_MIN_COUNT`, default 5."""
    raw = os.environ.get(THRESHOLD_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_THRESHOLD
    try:
        value = int(raw)
    except ValueError:
        raise OpenDataConfigError(f"{THRESHOLD_VARIABLE} must be an integer, not {raw!r}") from None
    if value < 1:
        raise OpenDataConfigError(f"{THRESHOLD_VARIABLE} must be at least 1, not {value}")
    return value


def publisher() -> str:
    return os.environ.get(PUBLISHER_VARIABLE, "").strip() or DEFAULT_PUBLISHER


def base_url() -> str:
    """Where the exported files will be served (DCAT downloadURL); empty: relative names."""
    return os.environ.get(BASE_URL_VARIABLE, "").strip().rstrip("/")


def default_out_dir() -> str:
    """Where the export goes unless told: `SINERGI_OPEN_DATA_DIR`, else `.sinergi/open-data`."""
    return os.environ.get(OUT_DIR_VARIABLE, "").strip() or str(state_dir() / "open-data")
