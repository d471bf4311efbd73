"""dbt: run the project in `dbt_project/` against the configured warehouse."""
