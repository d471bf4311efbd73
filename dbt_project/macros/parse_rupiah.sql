{#- A rupiah amount to numeric(18, 2), or null when it cannot be read.
    JSON numbers pass as they are; text may carry `Rp`, spaces, Indonesian
    grouping (`1.234.567,00`, `25.000.000`) or English grouping
    (`Rp25,000,000`, `25,000,000.50`). A lone `.` followed by exactly three
    digits is a thousands separator (`25.000` = 25000), as rupiah have no
    three-decimal amounts. Takes the jsonb value (`record -> 'pagu'`). -#}
{% macro parse_rupiah(jsonb_expr) -%}
    case
        when jsonb_typeof({{ jsonb_expr }}) = 'number'
            then cast(cast({{ jsonb_expr }} as text) as numeric(18, 2))
        when jsonb_typeof({{ jsonb_expr }}) = 'string'
            then {{ parse_rupiah_text("(" ~ jsonb_expr ~ " #>> '{}')") }}
    end
{%- endmacro %}


{% macro parse_rupiah_text(text_expr) -%}
    {%- set v = "regexp_replace(" ~ text_expr ~ ", '(?i)rp\.?|idr|\s', '', 'g')" -%}
    case
        when {{ v }} ~ '^-?\d{1,3}(\.\d{3})+(,\d+)?$'
            then cast(replace(replace({{ v }}, '.', ''), ',', '.') as numeric(18, 2))
        when {{ v }} ~ '^-?\d{1,3}(,\d{3})+(\.\d+)?$'
            then cast(replace({{ v }}, ',', '') as numeric(18, 2))
        when {{ v }} ~ '^-?\d+,\d{1,2}$'
            then cast(replace({{ v }}, ',', '.') as numeric(18, 2))
        when {{ v }} ~ '^-?\d+(\.\d+)?$'
            then cast({{ v }} as numeric(18, 2))
    end
{%- endmacro %}


{#- A count or level sent as a number or numeric text; null if not a number. -#}
{% macro parse_number(jsonb_expr, as_type="numeric") -%}
    case
        when jsonb_typeof({{ jsonb_expr }}) = 'number'
            then cast(cast({{ jsonb_expr }} as text) as {{ as_type }})
        when jsonb_typeof({{ jsonb_expr }}) = 'string'
            and btrim({{ jsonb_expr }} #>> '{}') ~ '^-?\d+([.,]\d+)?$'
            then cast(replace(btrim({{ jsonb_expr }} #>> '{}'), ',', '.') as {{ as_type }})
    end
{%- endmacro %}
