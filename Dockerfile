# syntax=docker/dockerfile:1
# The one image every Airflow component of docker-compose.yml runs: the locked
# runtime environment, the project as .dockerignore filters it, and the dbt
# manifest (`dbt parse`) that the DAGs and the quality checks read: the mart
# Assets, each mart's keys. It is build output (.dockerignore keeps a
# checkout's stale one out), so the image builds its own.
#
# tests/integration/test_image.py runs every RUN after `COPY . .` on a copy of
# the tree, so keep those to project steps that work from the project directory
# (system packages and users go above the first COPY).
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/sinergi/.venv \
    UV_PYTHON=python3.11 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    SINERGI_PROJECT_DIR=/opt/sinergi \
    SINERGI_STATE_DIR=/opt/sinergi/state \
    AIRFLOW_HOME=/opt/sinergi/airflow \
    PATH=/opt/sinergi/.venv/bin:$PATH

# Everything under /opt/sinergi belongs to the user the components run as, so
# the install below runs as that user: no chown of the environment afterwards.
RUN pip install --no-cache-dir uv==0.13.9 \
    && useradd --create-home --uid 50000 --gid 0 sinergi \
    && install -d -o sinergi -g 0 /opt/sinergi
USER sinergi
WORKDIR /opt/sinergi

# Dependencies first (a cached layer while uv.lock is unchanged), then the project.
# --frozen, not --locked: the lock names the workspace's dev-only member
# (packages/simulator), which the image leaves out, so uv cannot re-check the
# lock here; `make venv` (uv sync --locked) checks it in every checkout and CI.
COPY --chown=sinergi:0 pyproject.toml uv.lock README.md ./
RUN --mount=type=cache,target=/home/sinergi/.cache/uv,uid=50000 \
    uv sync --frozen --no-dev --no-install-project
COPY --chown=sinergi:0 . .
# The project (editable: the venv points at /opt/sinergi/plugins), without the
# dev group and so without the simulator and the demo; dbt parse,
# which needs no database, writes dbt_project/target/manifest.json; the state
# folders exist owned by sinergi, so the volumes mounted on them (landing zone,
# task logs) start writable by it.
RUN --mount=type=cache,target=/home/sinergi/.cache/uv,uid=50000 \
    uv sync --frozen --no-dev \
    && sinergi transform manifest \
    && mkdir -p state/landing airflow/logs
