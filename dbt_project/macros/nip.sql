{#- NIP rules (Perka BKN 22/2007), the same rule the simulator's truth states.
    A PNS NIP is 18 digits: birth date YYYYMMDD, CPNS start YYYYMM, gender
    1/2, a 3-digit sequence; the birth date real, the start month real and
    after the birth month. An NI PPPK is 18 digits too: birth date YYYYMMDD,
    appointment year YYYY after the birth year, `2`, gender 1/2, sequence;
    its digits 13-14 (`21`/`22`) are never a month, so the forms cannot be
    confused. Callers pass the NIP with spaces already removed (clean_nip). -#}

{#- A NIP as sources send it, spaces removed; blank as null. -#}
{% macro clean_nip(text_expr) -%}
    nullif(regexp_replace({{ text_expr }}, '\s', '', 'g'), '')
{%- endmacro %}


{#- 'pns', 'pppk' or null (not a valid number of either kind). -#}
{% macro nip_kind(nip_expr) -%}
    case
        when {{ nip_invalid_reason(nip_expr) }} is not null then null
        when cast(substring({{ nip_expr }}, 13, 2) as integer) between 1 and 12 then 'pns'
        else 'pppk'
    end
{%- endmacro %}


{#- Why a text is not a valid PNS NIP or NI PPPK (the first rule it breaks), or null. -#}
{% macro nip_invalid_reason(nip_expr) -%}
    {%- set birth_year = "cast(substring(" ~ nip_expr ~ ", 1, 4) as integer)" -%}
    {%- set birth_month = "cast(substring(" ~ nip_expr ~ ", 5, 2) as integer)" -%}
    {%- set birth_day = "cast(substring(" ~ nip_expr ~ ", 7, 2) as integer)" -%}
    {%- set start_year = "cast(substring(" ~ nip_expr ~ ", 9, 4) as integer)" -%}
    {%- set start_month = "cast(substring(" ~ nip_expr ~ ", 13, 2) as integer)" -%}
    case
        when {{ nip_expr }} is null then 'nip_missing'
        when {{ nip_expr }} !~ '^\d{18}$' then 'nip_not_18_digits'
        when not {{ is_real_date(birth_year, birth_month, birth_day) }}
            then 'nip_birth_date_invalid'
        when {{ start_month }} between 1 and 12
            then case
                when substring({{ nip_expr }}, 9, 6) <= substring({{ nip_expr }}, 1, 6)
                    then 'nip_start_not_after_birth'
                when substring({{ nip_expr }}, 15, 1) not in ('1', '2')
                    then 'nip_gender_invalid'
            end
        when substring({{ nip_expr }}, 13, 1) != '2'
            then 'nip_start_month_invalid'
        when substring({{ nip_expr }}, 14, 1) not in ('1', '2')
            then 'nip_gender_invalid'
        when {{ start_year }} <= {{ birth_year }}
            then 'nip_pppk_year_not_after_birth'
    end
{%- endmacro %}
