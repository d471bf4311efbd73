"""Data quality: Great Expectations suites on raw and on the audited marts,
quarantine of bad raw rows, the raw = staged + quarantined reconciliation,
and the results every check leaves in `meta.dq_results`."""
