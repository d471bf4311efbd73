{#- `+schema: staging` builds into `staging`, not `<target schema>_staging`:
    the warehouse's layer schemas are created by `sinergi warehouse init`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
