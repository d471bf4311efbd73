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


{#- A count or level sent as a number or numeric text (`24`, `24,5`), or null if
    not a number: the warehouse function meta.parse_number (007_domain_rules.sql,
    vectors tests/data/rule_vectors/numbers.csv), cast to `as_type`. A whole-number
    type is cast from the number's text, as it always was: `24.5` for an integer
    column fails the cast rather than being rounded. -#}
{% macro parse_number(jsonb_expr, as_type="numeric") -%}
    {%- if as_type == "numeric" -%}
        meta.parse_number({{ jsonb_expr }})
    {%- else -%}
        cast(cast(meta.parse_number({{ jsonb_expr }}) as text) as {{ as_type }})
    {%- endif -%}
{%- endmacro %}
