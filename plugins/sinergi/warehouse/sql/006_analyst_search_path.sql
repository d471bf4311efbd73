-- Analysts query the marts by name (`select * from participation_by_region_year`):
-- `marts` comes first on their search path in the warehouse database.
-- Idempotent: run on every `sinergi warehouse init`.
--
-- PostgreSQL applies a role's settings only to sessions that log in as that
-- role, never to the members of a group role, and sinergi_analyst is NOLOGIN.
-- So the setting is also made, in this database, for every login role granted
-- sinergi_analyst, unless it has a search path of its own here or for every
-- database (an administrator's choice stands) or is a pipeline role too (a
-- member of sinergi_loader or sinergi_transformer, whose sessions keep the
-- default). A login granted sinergi_analyst later gets it at the next init, or
-- by hand: `alter role alice in database <warehouse> set search_path = marts, public`.
-- Every setting is made `in database` this one: inits of other databases on
-- the same server (the tests run them side by side) never update the same
-- catalog row, and other databases keep their defaults.
-- Only the transformer writes marts, and it reads marts anyway: putting the
-- schema on an analyst's path opens no way into another role's privileges.
-- Only a superuser (or a role allowed to alter these roles) may do this; an
-- init by anyone else leaves it out and says so.
do $$
declare
    analyst_login text;
begin
    execute format(
        'alter role sinergi_analyst in database %I set search_path = marts, public',
        current_database()
    );
    for analyst_login in
        select member.rolname
        from pg_catalog.pg_roles as member
        where
            member.rolcanlogin
            and not member.rolsuper
            and pg_catalog.pg_has_role(member.oid, 'sinergi_analyst', 'member')
            and not pg_catalog.pg_has_role(member.oid, 'sinergi_loader', 'member')
            and not pg_catalog.pg_has_role(member.oid, 'sinergi_transformer', 'member')
            and not exists (
                select
                from pg_catalog.pg_db_role_setting as setting
                cross join lateral unnest(setting.setconfig) as config (item)
                where
                    setting.setrole = member.oid
                    and setting.setdatabase in (
                        0,
                        (
                            select pg_database.oid
                            from pg_catalog.pg_database
                            where pg_database.datname = current_database()
                        )
                    )
                    and config.item like 'search\_path=%'
            )
    loop
        begin
            execute format(
                'alter role %I in database %I set search_path = marts, public',
                analyst_login,
                current_database()
            );
        exception when undefined_object then
            -- dropped since the select (roles are server-wide): nothing to set
            null;
        end;
    end loop;
exception when insufficient_privilege then
    raise notice 'search path of the analyst role and its logins not set: %', sqlerrm;
end
$$;
