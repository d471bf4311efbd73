{#- A rupiah amount to numeric(18, 2), or null when it cannot be read.
    JSON numbers pass as they are; text may carry `Rp`, spaces, Indonesian
    grouping (`1.234.567,00`, `25.000.000`) or English grouping
    (`Rp25,000,000`, `25,000,000.50`). A lone `.` followed by exactly three
    digits is a thousands separator (`25.000` = 25000), as rupiah have no
    three-decimal amounts. Takes the jsonb value (`record -> 'pagu'`).
    The rule is implemented once, by the warehouse function meta.parse_rupiah
    (plugins/sinergi/warehouse/sql/007_domain_rules.sql), which the GX raw
    contracts call too. Test vectors: tests/data/rule_vectors/rupiah.csv. -#}
{% macro parse_rupiah(jsonb_expr) -%}
    cast(meta.parse_rupiah({{ jsonb_expr }}) as numeric(18, 2))
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
