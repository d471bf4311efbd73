{#- source(), or an empty relation of the raw layout while the raw table does
    not exist yet: a source that has never loaded (no file dropped yet, say)
    must not stop the models of every other source. The dependency on the
    source is recorded at parse time as with source(); the next run after the
    first load reads the real table: its batches were never recorded as
    processed (macros/incremental_batches.sql), so they are all new then.

    The stand-in goes where a table name goes, with or without an alias after
    it (`from {{ source_or_empty(...) }}` and `... }} as x`). A bare subquery
    cannot: PostgreSQL before 16 requires its alias, and an alias inside the
    macro would clash with one after it. So the stand-in is a parenthesised
    join, which may take an alias or none on every version: the aliased empty
    subquery cross joined with a zero-column row (`select *` sees only the raw
    columns). -#}
{% macro source_or_empty(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if execute and model.resource_type != 'unit_test'
        and adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
        {{ log("raw table " ~ relation ~ " does not exist yet: read as empty", info=true) }}
        (
            (
                select
                    cast(null as bigint) as _batch_id,
                    cast(null as text) as _source,
                    cast(null as text) as _entity,
                    cast(null as timestamptz) as _extracted_at,
                    cast(null as text) as _record_hash,
                    cast(null as jsonb) as record
                where false
            ) as _raw_stand_in
            cross join (select) as _no_columns
        )
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}
