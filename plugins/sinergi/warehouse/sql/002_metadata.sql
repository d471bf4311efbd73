-- Bookkeeping every layer shares: load batches, watermarks, file checksums,
-- quarantined records, data-quality results and alerts.

create table if not exists meta.load_batches (
    batch_id bigint generated always as identity primary key,
    source text not null,
    entity text not null,
    started_at timestamptz not null default now(),
    finished_at timestamptz,
    status text not null default 'running'
    check (status in ('running', 'succeeded', 'failed')),
    rows_read bigint not null default 0,
    rows_loaded bigint not null default 0,
    rows_quarantined bigint not null default 0,
    watermark_from text,
    watermark_to text,
    error text
);
create index if not exists load_batches_source_entity_idx
on meta.load_batches (source, entity, batch_id);
-- A backfill batch re-read one window [window_start, window_end) of source
-- time and left the watermark alone; both are null for a normal read. Added
-- after the table's first release, hence `add column if not exists`.
alter table meta.load_batches add column if not exists window_start timestamptz;
alter table meta.load_batches add column if not exists window_end timestamptz;
-- What started the batch, for the run report's "event to publish" time:
-- {"kind": event | file | schedule | manual | backfill | cli, "at": the
-- triggering event's UTC time, "asset", "dag_id", "run_id", "extra"} (see
-- sinergi.ingestion.batch_trigger). Null only for batches from before it.
alter table meta.load_batches add column if not exists trigger jsonb;

-- Committed in the same transaction as the batch it ends with.
create table if not exists meta.watermarks (
    source text not null,
    entity text not null,
    watermark text not null,
    batch_id bigint not null references meta.load_batches (batch_id),
    updated_at timestamptz not null default now(),
    primary key (source, entity)
);

-- A file dropped twice is recognised by its checksum and loaded once per region.
create table if not exists meta.file_loads (
    file_sha256 text not null,
    path text not null,
    region_code text not null,
    batch_id bigint references meta.load_batches (batch_id),
    loaded_at timestamptz not null default now(),
    status text not null check (status in ('loaded', 'rejected')),
    summary jsonb not null,
    primary key (file_sha256, region_code)
);

create table if not exists quarantine.records (
    quarantine_id bigint generated always as identity primary key,
    batch_id bigint references meta.load_batches (batch_id),
    source text not null,
    entity text not null,
    record_key text,
    reason text not null,
    detected_by text not null,
    record jsonb not null,
    quarantined_at timestamptz not null default now()
);
create index if not exists records_source_entity_idx
on quarantine.records (source, entity, reason);

create table if not exists meta.dq_results (
    result_id bigint generated always as identity primary key,
    run_id text not null,
    suite text not null,
    expectation text not null,
    column_name text,
    success boolean not null,
    is_blocking boolean not null default true,
    observed_value jsonb,
    unexpected_count bigint,
    details jsonb,
    checked_at timestamptz not null default now()
);
create index if not exists dq_results_run_idx on meta.dq_results (run_id);

create table if not exists meta.alerts (
    alert_id bigint generated always as identity primary key,
    raised_at timestamptz not null default now(),
    kind text not null,
    subject text not null,
    message text not null,
    details jsonb,
    delivered_to text
);
