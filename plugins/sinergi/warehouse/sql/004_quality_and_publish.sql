-- Data quality and publishing: what write-audit-publish records. The SQL
-- functions the raw contracts use are the domain rules of 007_domain_rules.sql.
-- Idempotent: run on every `sinergi warehouse init`.

-- One row per publish attempt: analysts' `marts` changed only when status = 'published'.
create table if not exists meta.publish_runs (
    publish_id bigint generated always as identity primary key,
    run_id text not null,
    started_at timestamptz not null default now(),
    finished_at timestamptz,
    status text not null default 'running'
    check (status in ('running', 'published', 'blocked', 'failed')),
    tables text[] not null default '{}',
    row_counts jsonb not null default '{}',
    reason text,
    details jsonb
);
create index if not exists publish_runs_status_idx on meta.publish_runs (status, publish_id);

-- Raw rows are identified by (batch, record hash); GX and dbt quarantine the
-- same record at most once per detector, so re-runs add nothing.
alter table quarantine.records add column if not exists record_hash text;
create unique index if not exists records_detector_uidx
on quarantine.records (source, entity, batch_id, record_hash, detected_by)
where record_hash is not null;
create index if not exists records_hash_idx
on quarantine.records (source, entity, batch_id, record_hash);

create index if not exists dq_results_suite_idx on meta.dq_results (suite, checked_at);

grant select on meta.publish_runs to sinergi_transformer;
grant insert, update on meta.publish_runs to sinergi_transformer;

-- Raw batches the GX raw contracts have checked: each night checks only new
-- batches (`sinergi quality check --full` checks everything again).
create table if not exists meta.dq_checked_batches (
    raw_table text not null,
    batch_id bigint not null,
    run_id text not null,
    checked_at timestamptz not null default now(),
    primary key (raw_table, batch_id)
);
grant select, insert, delete on meta.dq_checked_batches to sinergi_transformer;

-- A record kept out because something it refers to had not arrived yet (a
-- training, an institution, an ASN) is released when that reference arrives
-- and it reaches the marts: the row stays, for the audit trail, with the time.
alter table quarantine.records add column if not exists released_at timestamptz;

-- What the raw contracts caught in one quality run: one scan of each raw
-- table evaluates every rule, GX's expectations read the findings, the
-- quarantine copies the bad records from here. Scratch: a run deletes its
-- rows when it ends, so unlogged (nothing to recover after a crash).
create unlogged table if not exists meta.raw_contract_findings (
    run_id text not null,
    raw_table text not null,
    check_name text not null,
    batch_id bigint,
    record_hash text,
    record_key text,
    reason text,
    record jsonb,
    new_key text,  -- schema drift: a key outside the contract ...
    records bigint  -- ... and how many records carry it
);
-- a run killed before its cleanup leaves its findings; the next run deletes
-- those older than a day (`forget_stale_findings`)
alter table meta.raw_contract_findings
add column if not exists found_at timestamptz not null default now();
create index if not exists raw_contract_findings_run_idx
on meta.raw_contract_findings (run_id, raw_table, check_name);
grant select, insert, delete on meta.raw_contract_findings to sinergi_transformer;
