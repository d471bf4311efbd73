{#- source(), or an empty relation of the raw layout while the raw table does
    not exist yet: a source that has never loaded (no file dropped yet, say)
    must not stop the models of every other source. The dependency on the
    source is recorded at parse time as with source(); the next run after the
    first load reads the real table: its batches were never recorded as
    processed (macros/incremental_batches.sql), so they are all new then.

    The stand-in is an empty subquery with its own alias (PostgreSQL before 16
    requires one), so write `from {{ source_or_empty(...) }}` with no alias
    after it; its columns are the raw layout's, which linters can count. -#}
{% macro source_or_empty(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if execute and model.resource_type != 'unit_test'
        and adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
        {{ log("raw table " ~ relation ~ " does not exist yet: read as empty", info=true) }}
        (
            select
                cast(null as bigint) as _batch_id,
                cast(null as text) as _source,
                cast(null as text) as _entity,
                cast(null as timestamptz) as _extracted_at,
                cast(null as text) as _record_hash,
                cast(null as jsonb) as record
            where false
        ) as {{ table_name }}_not_loaded_yet
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}
