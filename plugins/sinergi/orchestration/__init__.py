"""Running Sinergi's DAGs: the local Airflow home and DAG runs outside a scheduler."""
