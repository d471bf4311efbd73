{#- The records the given staging models flag invalid, one `union all` of
    the same select per model: source and entity from the model's source
    dependency, the record key from its `meta.record_key`, the reason from
    its invalid_reason column, the raw row's identity (batch, _record_hash)
    and the staging group (_version_key); on an incremental run only the
    groups rebuild_changed_candidates put in scope. The list is the caller's (refs must be known
    when dbt parses); at run time every staging model with an
    invalid_reason column must be in it, so a new one cannot be forgotten. -#}
{% macro invalid_staging_records(staging_models) -%}
    {%- if execute %}{{ check_every_reason_model_listed(staging_models) }}{% endif -%}
    {%- for name in staging_models %}
        {%- set relation = ref(name) %}
        {%- set origin = staging_origin(name) %}
    select
        '{{ origin.source }}' as source,
        '{{ origin.entity }}' as entity,
        cast({{ origin.record_key }} as text) as record_key,
        invalid_reason as reason,
        _batch_id as batch_id,
        _record_hash,
        _version_key
    from {{ relation }}
    where
        not is_valid
        and {{ in_candidate_scope(origin.source, origin.entity, '_version_key') }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{#- A staging model's source, entity (its raw source table) and record key. -#}
{% macro staging_origin(name) -%}
    {%- if not execute -%}
        {{ return({'source': 'parse', 'entity': 'parse', 'record_key': 'null'}) }}
    {%- endif -%}
    {%- set node = graph.nodes['model.' ~ project_name ~ '.' ~ name] -%}
    {%- set sources = [] -%}
    {%- for node_id in node.depends_on.nodes if node_id.startswith('source.') -%}
        {%- do sources.append(node_id) -%}
    {%- endfor -%}
    {%- set record_key = node.config.meta.get('record_key') -%}
    {%- if sources | length != 1 or not record_key -%}
        {{ exceptions.raise_compiler_error(
            name ~ ": a staging model with invalid_reason needs one source and meta.record_key") }}
    {%- endif -%}
    {%- set source_node = graph.sources[sources[0]] -%}
    {{ return({
        'source': source_node.source_name,
        'entity': source_node.name,
        'record_key': record_key,
    }) }}
{%- endmacro %}


{#- Fails the compile when a model with an invalid_reason column is missing from the list. -#}
{% macro check_every_reason_model_listed(staging_models) -%}
    {%- set missing = [] -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.package_name == project_name
        and 'invalid_reason' in node.columns and node.name not in staging_models -%}
        {%- do missing.append(node.name) -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            this.identifier ~ ": " ~ (missing | sort | join(', '))
            ~ " has an invalid_reason column but is not in staging_models: add it there") }}
    {%- endif -%}
{%- endmacro %}


{#- The staging models int_quarantine_candidates reads: every one with an
    invalid_reason column (check_every_reason_model_listed holds it to that). -#}
{% macro quarantine_staging_models() -%}
    {{ return([
        'stg_siasn__asns',
        'stg_bpsdm_kemendagri__trainings',
        'stg_bpsdm_kemendagri__participations',
        'stg_bpsdm_kemendagri__certifications',
        'stg_bpsdm_kemendagri__development_plans',
        'stg_bpsdm_kemendagri__competency_standards',
        'stg_bpsdm_kemendagri__competency_assessments',
        'stg_kemnaker_corpu__completions',
        'stg_satudata__budgets',
        'stg_bpsdm_daerah__participations',
        'stg_bpsdm_daerah__assessments',
    ]) }}
{%- endmacro %}


{#- int_quarantine_candidates' filter on a staging read: the rows whose group
    (`version_key`) the pre-hook put in scope. Everything on a full refresh
    or in a unit test. -#}
{% macro in_candidate_scope(source, entity, version_key) -%}
    {%- if is_incremental_run() -%}
        {{ version_key }} in (
            select scope._version_key
            from candidates_to_rebuild as scope
            where scope.source = '{{ source }}' and scope.entity = '{{ entity }}'
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{#- Pre-hook of int_quarantine_candidates (after record_new_batches): the
    staging groups (source, entity, _version_key) this run must re-evaluate,
    in temporary table `candidates_to_rebuild`; their rows leave the table
    and the model writes what they give now. A record's candidacy depends on
    its own row and, for a valid one, on what it refers to, so the scope is:
    - the groups of every staging row of this run's batches (a new record,
      a new version, an invalid record sent again);
    - every valid record that is a candidate now: its training, institution
      or ASN may have arrived (a release);
    - valid records a changed reference may leave unresolved: Kemendagri
      reports and file rows naming a catalogue training of this run by code,
      e-learning completions of a SIASN record of this run, and file rows
      without a code that match no catalogue training by name and start date
      now (the title or date of the training they matched may have moved; the
      old one is gone from staging).
    Institutions come from the seeds: changing those needs a full refresh.
    Nothing on a full refresh, which evaluates everything. -#}
{% macro rebuild_changed_candidates() -%}
    {%- if is_incremental() -%}
    {%- set trainings = ref('stg_bpsdm_kemendagri__trainings') -%}
    {%- set file_rows = ref('stg_bpsdm_daerah__participations') -%}
    create temporary table candidates_to_rebuild on commit drop as
    with

    changed_trainings as (
        select kode_pelatihan as training_id
        from {{ trainings }}
        where
            _batch_id in {{ batches_of_this_run() }}
            and kode_pelatihan is not null
    ),

    changed_nips as (
        select nip
        from {{ ref('stg_siasn__asns') }}
        where
            _batch_id in {{ batches_of_this_run() }}
            and nip is not null
    ),

    scope as (
        {%- for name in quarantine_staging_models() %}
        {%- set origin = staging_origin(name) %}
        select '{{ origin.source }}' as source, '{{ origin.entity }}' as entity, _version_key
        from {{ ref(name) }}
        where _batch_id in {{ batches_of_this_run() }}
        union all
        {%- endfor %}
        select source, entity, _version_key
        from {{ this }}
        where _version_key like 'valid|%'
        union all
        select 'bpsdm_kemendagri', 'participations', reports._version_key
        from {{ ref('stg_bpsdm_kemendagri__participations') }} as reports
        inner join changed_trainings
            on reports.kode_pelatihan = changed_trainings.training_id
        where reports.is_valid
        union all
        select 'kemnaker_corpu', 'completions', completions._version_key
        from {{ ref('stg_kemnaker_corpu__completions') }} as completions
        inner join changed_nips
            on completions.nip = changed_nips.nip
        where completions.is_valid
        union all
        select 'bpsdm_daerah', 'participations', file_rows._version_key
        from {{ file_rows }} as file_rows
        inner join changed_trainings
            on file_rows.kode_pelatihan = changed_trainings.training_id
        where file_rows.is_valid
        union all
        select 'bpsdm_daerah', 'participations', file_rows._version_key
        from {{ file_rows }} as file_rows
        where
            file_rows.is_valid
            and file_rows.kode_pelatihan is null
            and not exists (
                select
                from {{ ref('int_trainings_conformed') }} as by_name
                where
                    lower(btrim(by_name.nama_pelatihan)) = lower(btrim(file_rows.nama_pelatihan))
                    and by_name.tanggal_mulai = file_rows.tanggal_mulai
            )
    )

    select distinct source, entity, _version_key
    from scope;
    analyze candidates_to_rebuild;
    delete from {{ this }} as kept
    using candidates_to_rebuild as scope
    where
        kept.source = scope.source
        and kept.entity = scope.entity
        and kept._version_key = scope._version_key
    {%- endif -%}
{%- endmacro %}
