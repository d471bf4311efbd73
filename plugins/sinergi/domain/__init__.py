"""Domain rules (docs/domain-rules.md) shared by ingestion and checked again in dbt."""
