"""Open data out: the published aggregate marts as CSV with Satu Data and DCAT metadata,
small cells suppressed, pushed to a CKAN portal.

`config` (what is exported, the threshold), `marts` (reading the published
marts and dbt's documentation of them), `suppression` (small cells and their
complements, pure), `metadata` (Satu Data elements and DCAT, pure), `export`
(the files), `ckan` (the Action API client), `portal` (the idempotent push),
`cli` (`sinergi open-data`).
"""
