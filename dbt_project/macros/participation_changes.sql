{#- What an incremental run of the participation models must rebuild.

    The three participation models (int_participation_reports_unioned,
    int_participations_deduplicated, fct_participations) are incremental
    tables. Each one's pre-hook puts the keys this run must rebuild in a
    temporary table (dropped at commit) and deletes those rows; the model
    then selects only those keys, from their current inputs. A key whose
    inputs no longer give a row (a retracted, moved or now unresolvable
    report) is therefore deleted and not re-inserted, so an incremental run
    and a full refresh agree. -#}


{#- Pre-hook, called with the query (`caller()`) selecting the keys
    (`key_columns`) to rebuild: they go into temporary table `scope_table`
    and their rows leave this model. Nothing on a full refresh, which
    rebuilds everything. -#}
{% macro rebuild_scope(scope_table, key_columns) -%}
    {%- if is_incremental() -%}
        create temporary table {{ scope_table }} on commit drop as
        {{ caller() }};
        analyze {{ scope_table }};
        delete from {{ this }} as kept
        using {{ scope_table }} as scope
        where
        {%- for column in key_columns %}
            {{ 'and ' if not loop.first }}kept.{{ column }} = scope.{{ column }}
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}


{#- An incremental model's filter on an input: keep the rows whose `column` is
    among the pre-hook's keys (`scope_column` of `scope_table`, the rows
    `scope_filter` keeps). Everything on a full refresh or in a unit test. -#}
{% macro in_rebuild_scope(scope_table, column, scope_column, scope_filter='true') -%}
    {%- if is_incremental_run() -%}
        {{ column }} in (select {{ scope_column }} from {{ scope_table }} where {{ scope_filter }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{#- Catalogue trainings and SIASN records a batch of this run changed: a
    report's training, its year and (for an e-learning completion) its
    origin depend on them. -#}
{% macro changed_trainings() -%}
    select
        kode_pelatihan as training_id,
        lower(btrim(nama_pelatihan)) as name_key,
        tanggal_mulai
    from {{ ref('stg_bpsdm_kemendagri__trainings') }}
    where
        _batch_id in {{ batches_of_this_run() }}
        and kode_pelatihan is not null
{%- endmacro %}


{% macro changed_nips() -%}
    select nip
    from {{ ref('stg_siasn__asns') }}
    where
        _batch_id in {{ batches_of_this_run() }}
        and nip is not null
{%- endmacro %}


{#- Both, as the CTEs changed_participation_reports() reads. -#}
{% macro changed_inputs() -%}
    changed_trainings as ({{ changed_trainings() }}),
    changed_nips as ({{ changed_nips() }})
{%- endmacro %}


{#- The reports (report_source, report_id) whose figures a batch of this run
    may have changed: a new version of the report itself, a changed
    catalogue training it names or matches by name and start date (file
    drops), a report `reports` matched to a changed training before (its
    name may have moved away), and the e-learning completions of a changed
    SIASN record. One join per reason: as `or ... in (subquery)` the planner,
    misjudging the changed trainings as all of them, rescanned them per row
    (minutes at 1M ASN). -#}
{% macro changed_participation_reports(reports) -%}
    {%- set api = ref('stg_bpsdm_kemendagri__participations') -%}
    {%- set completions = ref('stg_kemnaker_corpu__completions') -%}
    {%- set file_rows = ref('stg_bpsdm_daerah__participations') -%}
    select report_source, report_id
    from (
        select 'bpsdm_kemendagri' as report_source, partisipasi_id as report_id
        from {{ api }}
        where _batch_id in {{ batches_of_this_run() }}
        union
        select 'bpsdm_kemendagri', api.partisipasi_id
        from {{ api }} as api
        inner join changed_trainings
            on api.kode_pelatihan = changed_trainings.training_id
        union
        select 'kemnaker_corpu', completion_id
        from {{ completions }}
        where _batch_id in {{ batches_of_this_run() }}
        union
        select 'kemnaker_corpu', completions.completion_id
        from {{ completions }} as completions
        inner join changed_nips
            on completions.nip = changed_nips.nip
        union
        select 'bpsdm_daerah', file_row_id
        from {{ file_rows }}
        where _batch_id in {{ batches_of_this_run() }}
        union
        select 'bpsdm_daerah', file_rows.file_row_id
        from {{ file_rows }} as file_rows
        inner join changed_trainings
            on file_rows.kode_pelatihan = changed_trainings.training_id
        union
        select 'bpsdm_daerah', file_rows.file_row_id
        from {{ file_rows }} as file_rows
        inner join changed_trainings
            on
                file_rows.kode_pelatihan is null
                and lower(btrim(file_rows.nama_pelatihan)) = changed_trainings.name_key
                and file_rows.tanggal_mulai = changed_trainings.tanggal_mulai
        union
        select reports.report_source, reports.report_id
        from {{ reports }} as reports
        inner join changed_trainings
            on reports.training_id = changed_trainings.training_id
    ) as changed
    where report_id is not null
{%- endmacro %}


{#- Pre-hook of int_participation_reports_unioned: the changed reports. -#}
{% macro rebuild_changed_reports() -%}
    {% call rebuild_scope('reports_to_rebuild', ['report_source', 'report_id']) -%}
        with
        {{ changed_inputs() }}
        {{ changed_participation_reports(this) }}
    {%- endcall %}
{%- endmacro %}


{#- Pre-hook of int_participations_deduplicated: the participations the changed
    reports name now (in the rebuilt reports table) or named when this table
    last counted them (its report_keys), and every participation in a changed
    training (a file row matched by name may have left it). -#}
{% macro rebuild_changed_participations() -%}
    {%- set reports = ref('int_participation_reports_unioned') -%}
    {% call rebuild_scope('participations_to_rebuild', ['participation_key']) -%}
        with
        {{ changed_inputs() }},
        changed_reports as ({{ changed_participation_reports(reports) }})
        select reports.participation_key
        from {{ reports }} as reports
        inner join changed_reports
            on
                reports.report_source = changed_reports.report_source
                and reports.report_id = changed_reports.report_id
        union
        -- a join, not `report_keys && array(...)`: && compares every element pair
        select kept.participation_key
        from {{ this }} as kept
        cross join lateral unnest(kept.report_keys) as counted (report_key)
        inner join changed_reports
            on counted.report_key = changed_reports.report_source || '|' || changed_reports.report_id
        union
        select participation_key
        from {{ this }}
        where training_id in (select training_id from changed_trainings)
    {%- endcall %}
{%- endmacro %}


{#- Pre-hook of fct_participations: the participations int_participations_deduplicated
    rebuilt in the batches this table has not seen, and those it no longer has. -#}
{% macro rebuild_changed_facts() -%}
    {%- set deduplicated = ref('int_participations_deduplicated') -%}
    {% call rebuild_scope('facts_to_rebuild', ['participation_id']) -%}
        select participation_key as participation_id
        from {{ deduplicated }}
        where _rebuilt_in_batch in {{ batches_of_this_run() }}
        union
        select kept.participation_id
        from {{ this }} as kept
        where not exists (
            select
            from {{ deduplicated }} as deduplicated
            where deduplicated.participation_key = kept.participation_id
        )
    {%- endcall %}
{%- endmacro %}
