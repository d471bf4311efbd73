{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    indexes=[
        {'columns': ['source', 'entity', '_version_key']},
        {'columns': ['source', 'entity', 'batch_id', '_record_hash']},
    ],
    pre_hook=[
        "{{ record_new_batches(quarantine_staging_models()) }}",
        "{{ rebuild_changed_candidates() }}",
    ],
) }}
{#- Every record that must not reach a mart, with its reason: invalid in
    staging (bad NIP, impossible date, negative JP or amount, ...) or valid
    but unresolvable downstream (unknown institution or training). The
    quality step copies these rows into quarantine.records, joined on the
    raw row's identity (batch_id, _record_hash); per source and entity,
    staged valid-and-resolved rows + these rows = the distinct records in
    raw. Each row comes from one staging row (`_version_key`: its group there).

    Incremental: a run re-evaluates only the staging rows it may have
    changed (macros/quarantine_candidates.sql, rebuild_changed_candidates):
    those of its new batches, every record still unresolved (its training,
    institution or ASN may have arrived) and the valid records whose
    training or ASN a new batch changed. A change of the institution seeds
    needs a full refresh, as for the participation models. -#}
-- the pre-hook's inputs: depends_on: {{ ref('stg_bpsdm_kemendagri__trainings') }}
{%- set staging_models = quarantine_staging_models() %}
with

-- invalid in staging: generated from each staging model's invalid_reason
invalid as (
    {{ invalid_staging_records(staging_models) }}
),

-- valid in staging but unresolvable downstream: one rule per entity
unresolved as (
    select
        'siasn' as source,
        'asn' as entity,
        asns.nip as record_key,
        'unknown_instansi' as reason,
        asns._batch_id as batch_id,
        asns._record_hash,
        asns._version_key
    from {{ ref('stg_siasn__asns') }} as asns
    left join {{ ref('int_asns_resolved') }} as resolved
        on asns.nip = resolved.nip
    where
        asns.is_valid
        and {{ in_candidate_scope('siasn', 'asn', 'asns._version_key') }}
        and resolved.nip is null
    union all
    select
        'bpsdm_kemendagri' as source,
        'participations' as entity,
        reports.partisipasi_id as record_key,
        case
            when trainings.training_id is null then 'unknown_training'
            else 'unknown_instansi'
        end as reason,
        reports._batch_id as batch_id,
        reports._record_hash,
        reports._version_key
    from {{ ref('stg_bpsdm_kemendagri__participations') }} as reports
    left join {{ ref('int_trainings_conformed') }} as trainings
        on reports.kode_pelatihan = trainings.training_id
    left join {{ ref('int_participation_reports_unioned') }} as unioned
        on
            unioned.report_source = 'bpsdm_kemendagri'
            and reports.partisipasi_id = unioned.report_id
    where
        reports.is_valid
        and {{ in_candidate_scope('bpsdm_kemendagri', 'participations', 'reports._version_key') }}
        and unioned.report_id is null
    union all
    select
        'bpsdm_kemendagri' as source,
        'certifications' as entity,
        certifications.sertifikasi_id as record_key,
        'unknown_instansi' as reason,
        certifications._batch_id as batch_id,
        certifications._record_hash,
        certifications._version_key
    from {{ ref('stg_bpsdm_kemendagri__certifications') }} as certifications
    left join {{ ref('int_certifications_resolved') }} as resolved
        on certifications.sertifikasi_id = resolved.sertifikasi_id
    where
        certifications.is_valid
        and {{ in_candidate_scope('bpsdm_kemendagri', 'certifications', 'certifications._version_key') }}
        and resolved.sertifikasi_id is null
    union all
    select
        'bpsdm_kemendagri' as source,
        'development_plans' as entity,
        plans.rencana_id as record_key,
        'unknown_instansi' as reason,
        plans._batch_id as batch_id,
        plans._record_hash,
        plans._version_key
    from {{ ref('stg_bpsdm_kemendagri__development_plans') }} as plans
    left join {{ ref('int_development_plans_resolved') }} as resolved
        on plans.rencana_id = resolved.rencana_id
    where
        plans.is_valid
        and {{ in_candidate_scope('bpsdm_kemendagri', 'development_plans', 'plans._version_key') }}
        and resolved.rencana_id is null
    union all
    select
        'satudata' as source,
        'budgets' as entity,
        budgets.budget_id as record_key,
        'unknown_instansi' as reason,
        budgets._batch_id as batch_id,
        budgets._record_hash,
        budgets._version_key
    from {{ ref('stg_satudata__budgets') }} as budgets
    left join {{ ref('int_budgets_resolved') }} as resolved
        on budgets.budget_id = resolved.budget_id
    where
        budgets.is_valid
        and {{ in_candidate_scope('satudata', 'budgets', 'budgets._version_key') }}
        and resolved.budget_id is null
    union all
    select
        'kemnaker_corpu' as source,
        'completions' as entity,
        completions.completion_id as record_key,
        'unknown_asn' as reason,
        completions._batch_id as batch_id,
        completions._record_hash,
        completions._version_key
    from {{ ref('stg_kemnaker_corpu__completions') }} as completions
    left join {{ ref('int_participation_reports_unioned') }} as unioned
        on
            unioned.report_source = 'kemnaker_corpu'
            and completions.completion_id = unioned.report_id
    where
        completions.is_valid
        and {{ in_candidate_scope('kemnaker_corpu', 'completions', 'completions._version_key') }}
        and unioned.report_id is null
    union all
    select
        'bpsdm_daerah' as source,
        'participations' as entity,
        file_rows.file_row_id as record_key,
        case
            when by_code.training_id is null and by_name.training_id is null
                then 'unknown_training'
            else 'unknown_instansi'
        end as reason,
        file_rows._batch_id as batch_id,
        file_rows._record_hash,
        file_rows._version_key
    from {{ ref('stg_bpsdm_daerah__participations') }} as file_rows
    left join {{ ref('int_trainings_conformed') }} as by_code
        on file_rows.kode_pelatihan = by_code.training_id
    left join {{ ref('int_trainings_conformed') }} as by_name
        on
            file_rows.kode_pelatihan is null
            and lower(btrim(by_name.nama_pelatihan)) = lower(btrim(file_rows.nama_pelatihan))
            and file_rows.tanggal_mulai = by_name.tanggal_mulai
    left join {{ ref('int_participation_reports_unioned') }} as unioned
        on
            unioned.report_source = 'bpsdm_daerah'
            and file_rows.file_row_id = unioned.report_id
    where
        file_rows.is_valid
        and {{ in_candidate_scope('bpsdm_daerah', 'participations', 'file_rows._version_key') }}
        and unioned.report_id is null
),

final as (
    select * from invalid
    union all
    select * from unresolved
)

select * from final
