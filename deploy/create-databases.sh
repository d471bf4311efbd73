#!/usr/bin/env bash
# Runs once, on the PostgreSQL container's first start: one server, two databases
# (Airflow's metadata and the Sinergi warehouse).
set -euo pipefail
for db in airflow sinergi; do
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -c "create database $db"
done
