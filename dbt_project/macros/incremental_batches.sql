{#- Which load batches each incremental model has processed.

    Raw tables are append-only and every load batch commits whole, with its
    `meta.load_batches` row. Batch ids are allocated when a batch starts, so
    they commit out of order (a long file load can commit after a later API
    pull): a watermark on max(_batch_id) would miss such a batch for good.
    Instead each incremental model keeps the set of batches it has seen in
    `dbt_processed_batches`. Its pre-hook records the batches it has not seen
    yet (in the model's own transaction: they are recorded only if the model
    commits), and the model reads the rows of exactly the batches recorded by
    this transaction. A full refresh forgets the set and records every batch. -#}

{% macro processed_batches_relation() -%}
    {{ generate_schema_name('staging', none) }}.dbt_processed_batches
{%- endmacro %}


{#- on-run-start: the bookkeeping table (dbt's own, so it lives with staging). -#}
{% macro create_processed_batches() -%}
    create schema if not exists {{ generate_schema_name('staging', none) }};
    create table if not exists {{ processed_batches_relation() }} (
        model_name text not null,
        batch_id bigint not null,
        recorded_xact xid8 not null default pg_current_xact_id(),
        recorded_at timestamptz not null default now(),
        primary key (model_name, batch_id)
    );
{%- endmacro %}


{#- The raw table (`<source>__<entity>`) a staging model reads, from its source dependency. -#}
{% macro raw_table_of_model() -%}
    {%- if not execute -%}
        {{ return('parse__time') }}
    {%- endif -%}
    {%- for node_id in model.depends_on.nodes if node_id.startswith('source.') -%}
        {{ return(graph.sources[node_id].identifier) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(this.identifier ~ ": reads no source, cannot track its load batches") }}
{%- endmacro %}


{#- pre-hook: record the batches this model has not processed yet.
    Staging models take the succeeded load batches of their raw table;
    models above staging (`upstream_models`) take the batches their upstream
    staging models have processed, so they only look at rows staging has
    written. -#}
{% macro record_new_batches(upstream_models=none) -%}
    {%- set bookkeeping = processed_batches_relation() -%}
    {%- if not is_incremental() %}
        delete from {{ bookkeeping }} where model_name = '{{ this.identifier }}';
    {%- endif %}
    insert into {{ bookkeeping }} (model_name, batch_id)
    select distinct
        '{{ this.identifier }}',
        available.batch_id
    from (
        {%- if upstream_models is none %}
            {%- set raw_source, raw_entity = raw_table_of_model().split('__', 1) %}
            select batch_id
            from meta.load_batches
            where
                source = '{{ raw_source }}'
                and entity = '{{ raw_entity }}'
                and status = 'succeeded'
        {%- else %}
            select batch_id
            from {{ bookkeeping }}
            where model_name in ('{{ upstream_models | join("', '") }}')
        {%- endif %}
    ) as available
    where not exists (
        select
        from {{ bookkeeping }} as seen
        where
            seen.model_name = '{{ this.identifier }}'
            and seen.batch_id = available.batch_id
    );
    -- the batches to process now, as an analyzed table: filtering on a subquery
    -- of the bookkeeping (`recorded_xact = pg_current_xact_id()`), the planner
    -- guessed one batch or all rows, and `= any(array(...))` scanned the
    -- batch array once per row (1.4 s for 577k rows and 729 batches)
    create temporary table run_batches on commit drop as
    select batch_id
    from {{ bookkeeping }}
    where
        model_name = '{{ this.identifier }}'
        and recorded_xact = pg_current_xact_id();
    analyze run_batches
{%- endmacro %}


{#- The batches the pre-hook recorded in this transaction: the ones to process now. -#}
{% macro batches_of_this_run() -%}
    (select batch_id from run_batches)
{%- endmacro %}


{#- The latest of them, to tag the rows a run writes (null in a unit test). -#}
{% macro latest_batch_of_this_run() -%}
    {%- if model.resource_type == 'unit_test' -%}
        cast(null as bigint)
    {%- else -%}
        (select max(batch_id) from run_batches)
    {%- endif -%}
{%- endmacro %}


{#- Staging's `where` on raw: an incremental run reads the new batches' rows only. -#}
{% macro new_batches_only() -%}
    {%- if is_incremental_run() %}
        where _batch_id in {{ batches_of_this_run() }}
    {%- endif %}
{%- endmacro %}


{#- The staging models whose batches the participation models depend on. -#}
{% macro participation_staging_models() -%}
    {{ return([
        'stg_bpsdm_kemendagri__participations',
        'stg_bpsdm_daerah__participations',
        'stg_kemnaker_corpu__completions',
        'stg_bpsdm_kemendagri__trainings',
        'stg_siasn__asns',
    ]) }}
{%- endmacro %}


{#- is_incremental(), false in unit tests (their `this` is no relation). -#}
{% macro is_incremental_run() -%}
    {{ return(model.resource_type != 'unit_test' and is_incremental()) }}
{%- endmacro %}
