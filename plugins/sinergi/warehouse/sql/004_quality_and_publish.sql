-- Data quality and publishing: what write-audit-publish records, and the SQL
-- functions the raw contracts use. Idempotent: run on every `sinergi warehouse init`.

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

-- Whether integers form a real Gregorian date (1900-2099): arithmetic, never raises.
create or replace function meta.is_real_date(y integer, m integer, d integer)
returns boolean
language sql
immutable parallel safe
as $$
    select coalesce(
        y between 1900 and 2099
        and m between 1 and 12
        and d between 1 and (
            case
                when m in (4, 6, 9, 11) then 30
                when m = 2 then
                    case when (y % 4 = 0 and y % 100 != 0) or y % 400 = 0 then 29 else 28 end
                else 31
            end
        ),
        false
    )
$$;

-- Month number of an Indonesian (or English) month name or abbreviation.
create or replace function meta.month_number(name text)
returns integer
language sql
immutable parallel safe
as $$
    select case left(lower(name), 3)
        when 'jan' then 1 when 'feb' then 2 when 'peb' then 2 when 'mar' then 3
        when 'apr' then 4 when 'mei' then 5 when 'may' then 5 when 'jun' then 6
        when 'jul' then 7 when 'agu' then 8 when 'ags' then 8 when 'agt' then 8
        when 'aug' then 8 when 'sep' then 9 when 'okt' then 10 when 'oct' then 10
        when 'nov' then 11 when 'nop' then 11 when 'des' then 12 when 'dec' then 12
    end
$$;

-- A date as Indonesian sources write it (ISO, 14/12/2022, 14-12-2022,
-- 14 Desember 2022, Excel serial), or null: the same rule as dbt's parse_date
-- macro, so GX and staging agree on what "parseable" means.
create or replace function meta.parse_date_id(value text)
returns date
language plpgsql
immutable parallel safe
as $$
declare
    v text := lower(btrim(value));
    parts text [];
begin
    if v is null or v = '' then
        return null;
    elsif v ~ '^\d{4}-\d{1,2}-\d{1,2}([t ].*)?$' then
        parts := regexp_match(v, '^(\d{4})-(\d{1,2})-(\d{1,2})');
        if meta.is_real_date(parts[1]::int, parts[2]::int, parts[3]::int) then
            return make_date(parts[1]::int, parts[2]::int, parts[3]::int);
        end if;
    elsif v ~ '^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}$' then
        parts := regexp_match(v, '^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$');
        if meta.is_real_date(parts[3]::int, parts[2]::int, parts[1]::int) then
            return make_date(parts[3]::int, parts[2]::int, parts[1]::int);
        end if;
    elsif v ~ '^\d{1,2}\s+[a-z]+\.?\s+\d{4}$' then
        parts := regexp_match(v, '^(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})$');
        if meta.is_real_date(parts[3]::int, meta.month_number(parts[2]), parts[1]::int) then
            return make_date(parts[3]::int, meta.month_number(parts[2]), parts[1]::int);
        end if;
    elsif v ~ '^\d{5}(\.\d+)?$' then
        return date '1899-12-30' + substring(v from '^(\d{5})')::int;
    end if;
    return null;
end
$$;

-- Why a text is not a valid PNS NIP or NI PPPK (the first rule it breaks), or
-- null: the rule of SPEC §1 in the words of dbt's nip_invalid_reason macro.
create or replace function meta.nip_invalid_reason(raw_nip text)
returns text
language plpgsql
immutable parallel safe
as $$
declare
    nip text := nullif(regexp_replace(raw_nip, '\s', '', 'g'), '');
begin
    if nip is null then
        return 'nip_missing';
    elsif nip !~ '^\d{18}$' then
        return 'nip_not_18_digits';
    elsif not meta.is_real_date(
        substring(nip, 1, 4)::int, substring(nip, 5, 2)::int, substring(nip, 7, 2)::int
    ) then
        return 'nip_birth_date_invalid';
    elsif substring(nip, 13, 2)::int between 1 and 12 then
        if substring(nip, 9, 6) <= substring(nip, 1, 6) then
            return 'nip_start_not_after_birth';
        elsif substring(nip, 15, 1) not in ('1', '2') then
            return 'nip_gender_invalid';
        end if;
        return null;
    elsif substring(nip, 13, 1) != '2' then
        return 'nip_start_month_invalid';
    elsif substring(nip, 14, 1) not in ('1', '2') then
        return 'nip_gender_invalid';
    elsif substring(nip, 9, 4)::int <= substring(nip, 1, 4)::int then
        return 'nip_pppk_year_not_after_birth';
    end if;
    return null;
end
$$;

-- A rupiah amount (JSON number or text such as "Rp 1.234.567,00") to numeric, or null.
create or replace function meta.parse_rupiah(value jsonb)
returns numeric
language plpgsql
immutable parallel safe
as $$
declare
    v text;
begin
    if value is null or jsonb_typeof(value) = 'null' then
        return null;
    elsif jsonb_typeof(value) = 'number' then
        return (value #>> '{}')::numeric;
    elsif jsonb_typeof(value) <> 'string' then
        return null;
    end if;
    v := regexp_replace(value #>> '{}', '(?i)rp\.?|idr|\s', '', 'g');
    if v ~ '^-?\d{1,3}(\.\d{3})+(,\d+)?$' then
        return replace(replace(v, '.', ''), ',', '.')::numeric;
    elsif v ~ '^-?\d{1,3}(,\d{3})+(\.\d+)?$' then
        return replace(v, ',', '')::numeric;
    elsif v ~ '^-?\d+,\d{1,2}$' then
        return replace(v, ',', '.')::numeric;
    elsif v ~ '^-?\d+(\.\d+)?$' then
        return v::numeric;
    end if;
    return null;
end
$$;

grant select on meta.publish_runs to sinergi_transformer;
grant insert, update on meta.publish_runs to sinergi_transformer;
grant execute on all functions in schema meta to sinergi_loader, sinergi_transformer;

-- A count or level sent as a JSON number or numeric text, or null.
create or replace function meta.parse_number(value jsonb)
returns numeric
language sql
immutable parallel safe
as $$
    select case
        when jsonb_typeof(value) = 'number' then (value #>> '{}')::numeric
        when jsonb_typeof(value) = 'string' and btrim(value #>> '{}') ~ '^-?\d+([.,]\d+)?$'
            then replace(btrim(value #>> '{}'), ',', '.')::numeric
    end
$$;
grant execute on function meta.parse_number(jsonb) to sinergi_loader, sinergi_transformer;

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
