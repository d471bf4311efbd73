# The one image every Airflow component of docker-compose.yml runs.
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/sinergi/.venv \
    UV_PYTHON_DOWNLOADS=never \
    SINERGI_PROJECT_DIR=/opt/sinergi \
    PATH=/opt/sinergi/.venv/bin:$PATH

RUN pip install --no-cache-dir uv==0.13.9 \
    && useradd --create-home --uid 50000 sinergi
WORKDIR /opt/sinergi

# Dependencies first (cached layer), then the project itself.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project
COPY . .
RUN uv sync --locked --no-dev && chown -R sinergi /opt/sinergi

USER sinergi
