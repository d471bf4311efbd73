{#- Dates as Indonesian sources write them, to a `date`, or null when the text
    is no real date: ISO `2022-12-14` (a time part is ignored), `14/12/2022`,
    `14-12-2022`, `14 Desember 2022`, `14 Des 2022` and Excel serials
    (`44909`, day 0 = 1899-12-30). Never raises: an impossible date such as
    `31/02/2022` gives null, so staging can flag it instead of failing.
    The rule is implemented once, by the warehouse function meta.parse_date_id
    (plugins/sinergi/warehouse/sql/007_domain_rules.sql), which the GX raw
    contracts call too. Test vectors: tests/data/rule_vectors/dates.csv. -#}
{% macro parse_date(text_expr) -%}
    meta.parse_date_id(cast({{ text_expr }} as text))
{%- endmacro %}


{#- An ISO-8601 timestamp to timestamptz (UTC when it names no zone); null when malformed. -#}
{% macro parse_timestamp(text_expr) -%}
    {%- set v = "btrim(" ~ text_expr ~ ")" -%}
    case
        when not coalesce(
            {{ v }} ~ '^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$',
            false
        ) then null
        when not meta.is_real_date(
            cast(substring({{ v }}, 1, 4) as integer),
            cast(substring({{ v }}, 6, 2) as integer),
            cast(substring({{ v }}, 9, 2) as integer)
        ) then null
        when {{ v }} ~ '[T ]\d{2}:\d{2}.*(Z|[+-]\d{2}(:?\d{2})?)$'
            then cast({{ v }} as timestamp with time zone)
        else cast({{ v }} as timestamp) at time zone 'UTC'
    end
{%- endmacro %}
