-- Who may read and write what. Last, so it covers every table the files before
-- created; default privileges cover the tables later layers create.

-- Nobody gets anything by default.
revoke all on schema raw, staging, intermediate, marts, audit, quarantine, meta, snapshots
from public;
revoke create on schema public from public;

-- Loader: writes what arrives (raw), what it refuses (quarantine), and its bookkeeping (meta).
grant usage, create on schema raw, quarantine, meta to sinergi_loader;
grant select, insert, update, delete on all tables in schema raw, quarantine, meta
to sinergi_loader;
grant usage on all sequences in schema raw, quarantine, meta to sinergi_loader;
-- ... but not the data-quality results: GX keeps samples of the values a check
-- refused there (bad NIPs among them), which the loader has no use for.
revoke all on meta.dq_results from sinergi_loader;

-- Transformer: reads raw, builds every dbt schema, records quality results.
grant usage on schema raw, quarantine, meta to sinergi_transformer;
grant select on all tables in schema raw to sinergi_transformer;
grant select, insert on all tables in schema quarantine, meta to sinergi_transformer;
grant usage, create on schema staging, intermediate, marts, audit, snapshots
to sinergi_transformer;
grant select, insert, update, delete on all tables
in schema staging, intermediate, marts, audit, snapshots to sinergi_transformer;

-- Analyst: the published marts, read-only, and nothing else.
grant usage on schema marts to sinergi_analyst;
grant select on all tables in schema marts to sinergi_analyst;
revoke all on all tables in schema raw, staging, intermediate, audit, quarantine, meta, snapshots
from sinergi_analyst;

-- The same grants for tables created later, by whoever runs the pipeline.
alter default privileges in schema raw grant select on tables to sinergi_transformer;
alter default privileges in schema raw grant select, insert, update, delete on tables
to sinergi_loader;
alter default privileges in schema quarantine, meta
grant select, insert, update, delete on tables to sinergi_loader;
alter default privileges in schema quarantine, meta grant select, insert on tables
to sinergi_transformer;
alter default privileges in schema staging, intermediate, marts, audit, snapshots
grant select, insert, update, delete on tables to sinergi_transformer;
alter default privileges in schema marts grant select on tables to sinergi_analyst;

-- The same again for tables the roles create themselves: a deployment whose
-- loader works as sinergi_loader creates a new source's raw table, whose
-- publisher works as sinergi_transformer replaces the marts. Only a superuser
-- or a member of a role may set its default privileges; an init by anyone
-- else leaves these out and says so.
do $$
begin
    alter default privileges for role sinergi_loader in schema raw
    grant select on tables to sinergi_transformer;
    alter default privileges for role sinergi_loader in schema quarantine, meta
    grant select, insert on tables to sinergi_transformer;
    alter default privileges for role sinergi_transformer in schema marts
    grant select on tables to sinergi_analyst;
exception when insufficient_privilege then
    raise notice 'default privileges of tables the roles create not set: %', sqlerrm;
end
$$;
