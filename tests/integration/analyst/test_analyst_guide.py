"""Every SQL example of docs/analyst-guide.md runs, as an analyst, on a published world.

Each ```sql block of the guide is an analyst's query: it runs under a login
granted sinergi_analyst (so it reads `marts` by name, without the schema)
in a read-only transaction, and returns rows. The worked examples, one
section per seed question, return the columns listed here.
"""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest

from sinergi.paths import project_dir
from sinergi.warehouse.connection import WarehouseTarget

pytestmark = pytest.mark.integration

GUIDE = project_dir() / "docs" / "analyst-guide.md"

# section heading (a `### ` heading, without its number) -> the columns of each of its examples
WORKED_EXAMPLES = {
    "20-JP attainment by province, with the DOB cut": [
        ["provinsi_kode", "provinsi_nama", "is_dob", "asn_count", "asn_reaching_20_jp",
         "share_reaching_20_jp"],
        ["province_group", "province_count", "asn_count", "asn_reaching_20_jp",
         "share_reaching_20_jp"],
    ],
    "APBD realisation by province": [
        ["provinsi_kode", "provinsi_nama", "is_dob", "instansi_count", "pagu_idr",
         "realisasi_idr", "realisation_rate"],
    ],
    "Regional share in central trainings": [
        ["training_id", "nama_pelatihan", "penyelenggara_nama", "jenis_pelatihan",
         "participant_count", "regional_participant_count", "regional_share",
         "meets_regional_quota"],
        ["instansi_id", "instansi_nama", "central_training_participation_count",
         "central_training_regional_participation_count", "central_training_regional_share",
         "meets_regional_quota"],
    ],
    "Largest competency gaps": [
        ["instansi_nama", "provinsi_nama", "is_dob", "jenis_kompetensi", "jabatan",
         "assessment_count", "avg_gap", "share_meeting_standard"],
        ["provinsi", "jenis_kompetensi", "assessment_count", "avg_gap",
         "share_meeting_standard"],
    ],
}  # fmt: skip


def sql_blocks(path: Path) -> list[tuple[str, str]]:
    """(the `##`/`###` heading it sits under, without numbering; SQL) of every ```sql block."""
    heading, blocks, block = "", [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if block is not None:
            if line.startswith("```"):
                blocks.append((heading, "\n".join(block)))
                block = None
            else:
                block.append(line)
        elif line.startswith("```sql"):
            block = []
        elif line.startswith("#"):
            heading = re.sub(r"^#+\s*(\d+\.\s*)?", "", line).strip()
    return blocks


def test_the_guide_has_a_worked_example_per_seed_question() -> None:
    by_heading: dict[str, int] = {}
    for heading, _ in sql_blocks(GUIDE):
        by_heading[heading] = by_heading.get(heading, 0) + 1
    for heading, examples in WORKED_EXAMPLES.items():
        assert by_heading.get(heading) == len(examples), heading


def test_every_example_runs_as_an_analyst(analyst_login: WarehouseTarget) -> None:
    seen: dict[str, int] = {}
    with psycopg.connect(analyst_login.conninfo) as conn:
        conn.read_only = True
        for heading, query in sql_blocks(GUIDE):
            assert "marts." not in query, f"{heading}: the search path makes the prefix needless"
            with conn.transaction(force_rollback=True):
                cursor = conn.execute(query)  # type: ignore[arg-type]  # the guide's SQL
                columns = [column.name for column in cursor.description or []]
                rows = cursor.fetchall()
            assert rows, f"{heading}: no rows\n{query}"
            if heading in WORKED_EXAMPLES:
                index = seen.get(heading, 0)
                seen[heading] = index + 1
                assert columns == WORKED_EXAMPLES[heading][index], f"{heading} #{index + 1}"
    assert seen == {heading: len(examples) for heading, examples in WORKED_EXAMPLES.items()}
