-- The domain rules in the warehouse: one implementation, here. The NIP rule
-- (docs/domain-rules.md, "Who counts: ASN and the NIP"); dates and rupiah
-- amounts as sources write them (docs/source-contracts.md, "`bpsdm_daerah`: file drop").
-- dbt's staging macros (macros/nip.sql, parse_date.sql, parse_rupiah.sql) and
-- the GX raw contracts (quality/raw_suites.py) call these functions; the
-- file-drop reader's Python rules (sinergi.domain) must agree with them on
-- every row of tests/data/rule_vectors/ (tests/unit/domain and
-- tests/integration/transform/test_rule_vectors.py).
--
-- None ever raises on input text: what is no valid value gives null (or a
-- reason), so staging can flag the row instead of failing the build. Digits
-- are `[0-9]` and white space is ASCII white space and the no-break space,
-- whatever the database's locale. The parsers are plpgsql so that the cleaned
-- text and its parts are computed once a row: the same rule as one SQL
-- expression, inlined, repeats them in every branch and ran 1.3-3 times
-- slower (200 000 NIPs, dates, amounts).
-- Idempotent (create or replace): applied on every `sinergi warehouse init`;
-- parameter names are kept as first released, as create or replace requires.

-- Whether integers form a real Gregorian date in 1900-2099 (arithmetic only).
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

-- make_date() without its error: null unless the parts form a real date.
create or replace function meta.date_or_null(y integer, m integer, d integer)
returns date
language sql
immutable parallel safe
as $$
    select case when meta.is_real_date(y, m, d) then make_date(y, m, d) end
$$;

-- Month number of an Indonesian (or English) month name, told by its first three
-- letters (`Desember`, `Des`, `Agt`, `Agst`, `Nopember`, `Sept`); null if none.
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

-- A date as Indonesian sources write it, or null when it is no real date:
-- ISO `2022-12-14` (a time part ignored), `14/12/2022`, `14-12-2022`,
-- `14.12.2022`, `14 Desember 2022`, `14 Des. 2022`, or an Excel serial
-- (`44909`, day 0 = 1899-12-30, a time fraction ignored) of five digits,
-- 1927-05-18 to 2099-12-31: `2022` in a date column is a year, not a serial.
create or replace function meta.parse_date_id(value text)
returns date
language plpgsql
immutable parallel safe
as $$
declare
    v text := lower(btrim(value, E' \t\n\r\f\x0b\u00a0'));
    parts text [];
begin
    if v ~ '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([t ].*)?$' then
        parts := regexp_match(v, '^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})');
        return meta.date_or_null(parts[1]::int, parts[2]::int, parts[3]::int);
    elsif v ~ '^[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{4}$' then
        parts := regexp_match(v, '^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})$');
        return meta.date_or_null(parts[3]::int, parts[2]::int, parts[1]::int);
    elsif v ~ '^[0-9]{1,2}\s+[a-z]+\.?\s+[0-9]{4}$' then
        parts := regexp_match(v, '^([0-9]{1,2})\s+([a-z]+)\.?\s+([0-9]{4})$');
        return meta.date_or_null(parts[3]::int, meta.month_number(parts[2]), parts[1]::int);
    elsif v ~ '^[1-9][0-9]{4}(\.[0-9]+)?$' and left(v, 5)::int <= 73050 then
        return date '1899-12-30' + left(v, 5)::int;
    end if;
    return null;
end
$$;

-- A NIP as sources send it (`19850315 201001 1 002`): white space removed, blank as null.
create or replace function meta.clean_nip(raw_nip text)
returns text
language sql
immutable parallel safe
as $$
    select nullif(translate(raw_nip, E' \t\n\r\f\x0b\u00a0', ''), '')
$$;

-- Why a text is not a valid PNS NIP or NI PPPK: the first rule it breaks, as
-- `nip_*` (the row's quarantine reason is `invalid_nip`), or null when valid.
-- PNS NIP (Perka BKN 22/2007): birth date YYYYMMDD, CPNS start YYYYMM after
-- the birth month, gender 1/2, 3-digit sequence. NI PPPK: birth date,
-- appointment year after the birth year, `2`, gender, 3-digit sequence; its
-- digits 13-14 (`21`/`22`) are never a month, so the forms cannot be confused.
create or replace function meta.nip_invalid_reason(raw_nip text)
returns text
language plpgsql
immutable parallel safe
as $$
declare
    nip text := meta.clean_nip(raw_nip);
begin
    if nip is null then
        return 'nip_missing';
    elsif nip !~ '^[0-9]{18}$' then
        return 'nip_not_18_digits';
    elsif not meta.is_real_date(
        substring(nip, 1, 4)::int, substring(nip, 5, 2)::int, substring(nip, 7, 2)::int
    ) then
        return 'nip_birth_date_invalid';
    elsif substring(nip, 13, 2)::int between 1 and 12 then  -- PNS
        if substring(nip, 9, 6) <= substring(nip, 1, 6) then
            return 'nip_start_not_after_birth';
        elsif substring(nip, 15, 1) not in ('1', '2') then
            return 'nip_gender_invalid';
        end if;
        return null;
    elsif substring(nip, 13, 1) != '2' then  -- neither a month nor the PPPK marker
        return 'nip_start_month_invalid';
    elsif substring(nip, 14, 1) not in ('1', '2') then
        return 'nip_gender_invalid';
    elsif substring(nip, 9, 4)::int <= substring(nip, 1, 4)::int then
        return 'nip_pppk_year_not_after_birth';
    end if;
    return null;
end
$$;

-- 'pns', 'pppk', or null when the text is no valid NIP of either kind.
create or replace function meta.nip_kind(raw_nip text)
returns text
language sql
immutable parallel safe
as $$
    select case
        when meta.nip_invalid_reason(raw_nip) is not null then null
        when substring(meta.clean_nip(raw_nip), 13, 2)::int between 1 and 12 then 'pns'
        else 'pppk'
    end
$$;

-- An amount rounded to whole sen, or null beyond what numeric(18, 2) holds.
create or replace function meta.rupiah_or_null(amount numeric)
returns numeric
language sql
immutable parallel safe
as $$
    select case when abs(round(amount, 2)) < 1e16 then round(amount, 2) end
$$;

-- A rupiah amount as text, to numeric rounded to whole sen, or null when it
-- cannot be read or is beyond numeric(18, 2). White space is ignored, `Rp`,
-- `Rp.` or `IDR` may lead (before or after a minus), then: Indonesian grouping
-- (`1.234.567`, `1.234.567,00`; `25.000` is 25000: rupiah have no 3-decimal
-- amounts), English grouping (`1,234,567`, `1,234,567.50`), or no grouping
-- with at most two decimals after a comma or a point (`1500,5`, `1500.50`).
create or replace function meta.parse_rupiah_text(value text)
returns numeric
language plpgsql
immutable parallel safe
as $$
declare
    v text := regexp_replace(
        translate(value, E' \t\n\r\f\x0b\u00a0', ''), '^(-?)(rp\.?|idr)(-?)', '\1\3', 'i'
    );
begin
    if length(v) > 40 then  -- no amount; and numeric's own limit is never reached
        return null;
    elsif v ~ '^-?[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?$' then
        return meta.rupiah_or_null(replace(replace(v, '.', ''), ',', '.')::numeric);
    elsif v ~ '^-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$' then
        return meta.rupiah_or_null(replace(v, ',', '')::numeric);
    elsif v ~ '^-?[0-9]+([.,][0-9]{1,2})?$' then
        return meta.rupiah_or_null(replace(v, ',', '.')::numeric);
    end if;
    return null;
end
$$;

-- A rupiah amount as sources send it, a JSON number or text such as
-- "Rp 1.234.567,00" (parse_rupiah_text), or null when it cannot be read.
create or replace function meta.parse_rupiah(value jsonb)
returns numeric
language sql
immutable parallel safe
as $$
    select case jsonb_typeof(value)
        when 'number' then meta.rupiah_or_null((value #>> '{}')::numeric)
        when 'string' then meta.parse_rupiah_text(value #>> '{}')
    end
$$;

-- A count or level sent as a JSON number or numeric text, or null.
create or replace function meta.parse_number(value jsonb)
returns numeric
language sql
immutable parallel safe
as $$
    select case
        when jsonb_typeof(value) = 'number' then (value #>> '{}')::numeric
        when jsonb_typeof(value) = 'string' and btrim(value #>> '{}') ~ '^-?[0-9]+([.,][0-9]+)?$'
            then replace(btrim(value #>> '{}'), ',', '.')::numeric
    end
$$;

grant execute on all functions in schema meta to sinergi_loader, sinergi_transformer;
