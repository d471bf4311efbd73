"""The warehouse's schemas, named once for all of Sinergi's Python.

The layers of the data, in the order it flows: `raw` (the loaders'),
`staging` and `intermediate` (dbt's), `audit` (dbt builds the marts here),
`marts` (what analysts read, replaced from `audit` by the publish),
`quarantine` (records kept out, with their reason), `meta` (batches,
watermarks, check results, publishes) and `snapshots` (dbt's history).
The bootstrap SQL creates them and dbt_project.yml puts its models in them;
a unit test holds both to these names.
"""

from __future__ import annotations

RAW = "raw"
STAGING = "staging"
INTERMEDIATE = "intermediate"
AUDIT = "audit"
MARTS = "marts"
QUARANTINE = "quarantine"
META = "meta"
SNAPSHOTS = "snapshots"

ALL = (RAW, STAGING, INTERMEDIATE, MARTS, AUDIT, QUARANTINE, META, SNAPSHOTS)

# The role analysts log in as (or are granted): SELECT on `marts`.
ANALYST_ROLE = "sinergi_analyst"
