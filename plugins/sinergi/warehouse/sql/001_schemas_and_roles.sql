-- Layers of the warehouse and the three roles that may touch them (grants: 003).
-- Idempotent: run on every `sinergi warehouse init`.

create schema if not exists raw;
create schema if not exists staging;
create schema if not exists intermediate;
create schema if not exists marts;
create schema if not exists audit;
create schema if not exists quarantine;
create schema if not exists meta;
create schema if not exists snapshots;

-- Roles are cluster-wide and NOLOGIN: deployments grant them to login users,
-- so no password lives in this repository.
do $$
declare
    role_name text;
begin
    foreach role_name in array array['sinergi_loader', 'sinergi_transformer', 'sinergi_analyst']
    loop
        if not exists (select from pg_roles where rolname = role_name) then
            execute format('create role %I nologin', role_name);
        end if;
    end loop;
end
$$;
