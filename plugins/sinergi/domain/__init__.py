"""Domain rules of the spec (§1) shared by ingestion and checked again in dbt."""
