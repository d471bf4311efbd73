"""Ingestion: the source registry, resilient extract, transactional loads into `raw`."""
