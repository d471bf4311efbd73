-- What changed since the previous publish: rows per mart and the largest
-- movements of the headline figures, written by sinergi.publish.changes in
-- the publish transaction (a blocked or failed publish records nothing).
-- Idempotent: run on every `sinergi warehouse init`.

-- The highest succeeded load batch when the publish started: the batches in
-- (previous published run's high water, this one's] are this publish's new
-- batches. Null for runs recorded before this column existed.
alter table meta.publish_runs add column if not exists batch_high_water bigint;

-- One row per published mart: its rows against the previous publish (by the
-- mart's unique key; without one, whole rows: changed is then 0).
create table if not exists meta.mart_changes (
    publish_id bigint references meta.publish_runs (publish_id),
    mart text,
    rows_before bigint,
    rows_after bigint,
    rows_added bigint,
    rows_changed bigint,
    rows_removed bigint,
    primary key (publish_id, mart)
);

-- The top 10 movements by |delta| of each headline figure, with the new load
-- batches whose rows feed the subject: a jsonb list of
-- {"batch_id", "source", "entity", "file", "rows"}.
create table if not exists meta.headline_movements (
    publish_id bigint references meta.publish_runs (publish_id),
    figure text,
    subject_kind text,
    subject_id text,
    subject_name text,
    tahun int,
    value_before numeric,
    value_after numeric,
    delta numeric,
    source_batches jsonb not null default '[]',
    primary key (publish_id, figure, subject_id, tahun)
);

grant select, insert on meta.mart_changes, meta.headline_movements to sinergi_transformer;

-- Analysts read the change record beside the marts (no NIP in it); usage on
-- meta reaches only these two tables (003 revokes every other meta table).
grant usage on schema meta to sinergi_analyst;
grant select on meta.mart_changes, meta.headline_movements to sinergi_analyst;
