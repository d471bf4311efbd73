{#- Every record that must not reach a mart, with its reason: invalid in
    staging (bad NIP, impossible date, negative JP or amount, ...) or valid
    but unresolvable downstream (unknown institution or training). The
    quality step copies these rows into quarantine.records; per source and
    entity, staged valid-and-resolved rows + these rows = the distinct
    records in raw. -#}
with

siasn__asn as (
    select * from {{ ref('stg_siasn__asns') }}
),

bpsdm_kemendagri__trainings as (
    select * from {{ ref('stg_bpsdm_kemendagri__trainings') }}
),

bpsdm_kemendagri__participations as (
    select * from {{ ref('stg_bpsdm_kemendagri__participations') }}
),

bpsdm_kemendagri__certifications as (
    select * from {{ ref('stg_bpsdm_kemendagri__certifications') }}
),

bpsdm_kemendagri__development_plans as (
    select * from {{ ref('stg_bpsdm_kemendagri__development_plans') }}
),

bpsdm_kemendagri__competency_standards as (
    select * from {{ ref('stg_bpsdm_kemendagri__competency_standards') }}
),

bpsdm_kemendagri__competency_assessments as (
    select * from {{ ref('stg_bpsdm_kemendagri__competency_assessments') }}
),

kemnaker_corpu__completions as (
    select * from {{ ref('stg_kemnaker_corpu__completions') }}
),

satudata__budgets as (
    select * from {{ ref('stg_satudata__budgets') }}
),

bpsdm_daerah__participations as (
    select * from {{ ref('stg_bpsdm_daerah__participations') }}
),

bpsdm_daerah__assessments as (
    select * from {{ ref('stg_bpsdm_daerah__assessments') }}
),

invalid as (
    select
        'siasn' as source,
        'asn' as entity,
        cast(nip as text) as record_key,
        invalid_reason as reason,
        _batch_id as batch_id,
        source_record as record
    from siasn__asn
    where not is_valid
    union all
    select
        'bpsdm_kemendagri' as source,
        'trainings' as entity,
        cast(kode_pelatihan as text) as record_key,
        invalid_reason as reason,
        _batch_id as batch_id,
        source_record as record
    from bpsdm_kemendagri__trainings
    where not is_valid
    union all
    select
        'bpsdm_kemendagri' as source,
        'participations' as entity,
        cast(partisipasi_id as text) as record_key,
        invalid_reason as reason,
        _batch_id as batch_id,
        source_record as record
    from bpsdm_kemendagri__participations
    where not is_valid
    union all
    select
        'bpsdm_kemendagri' as source,
        'certifications' as entity,
        cast(sertifikasi_id as text) as record_key,
        invalid_reason as reason,
        _batch_id as batch_id,
        source_record as record
    from bpsdm_kemendagri__certifications
    where not is_valid
    union all
    select
        'bpsdm_kemendagri' as source,
        'development_plans' as entity,
        cast(rencana_id as text) as record_key,
        invalid_reason as reason,
        _batch_id as batch_id,
        source_record as record
    from bpsdm_kemendagri__development_plans
    where not is_valid
    union all
    select
        'bpsdm_kemendagri' as source,
        'competency_standards' as entity,
        cast(standar_id as text) as record_key,
        invalid_reason as reason,
        _batch_id as batch_id,
        source_record as record
    from bpsdm_kemendagri__competency_standards
    where not is_valid
    union all
    select
        'bpsdm_kemendagri' as source,
        'competency_assessments' as entity,
        cast(asesmen_id as text) as record_key,
        invalid_reason as reason,
        _batch_id as batch_id,
        source_record as record
    from bpsdm_kemendagri__competency_assessments
    where not is_valid
    union all
    select
        'kemnaker_corpu' as source,
        'completions' as entity,
        cast(completion_id as text) as record_key,
        invalid_reason as reason,
        _batch_id as batch_id,
        source_record as record
    from kemnaker_corpu__completions
    where not is_valid
    union all
    select
        'satudata' as source,
        'budgets' as entity,
        cast(budget_id as text) as record_key,
        invalid_reason as reason,
        _batch_id as batch_id,
        source_record as record
    from satudata__budgets
    where not is_valid
    union all
    select
        'bpsdm_daerah' as source,
        'participations' as entity,
        cast(file_row_id as text) as record_key,
        invalid_reason as reason,
        _batch_id as batch_id,
        source_record as record
    from bpsdm_daerah__participations
    where not is_valid
    union all
    select
        'bpsdm_daerah' as source,
        'assessments' as entity,
        cast(file_row_id as text) as record_key,
        invalid_reason as reason,
        _batch_id as batch_id,
        source_record as record
    from bpsdm_daerah__assessments
    where not is_valid
),

unresolved as (
    select
        'siasn' as source,
        'asn' as entity,
        asns.nip as record_key,
        'unknown_instansi' as reason,
        asns._batch_id as batch_id,
        asns.source_record as record
    from siasn__asn as asns
    left join {{ ref('int_asns_resolved') }} as resolved
        on resolved.nip = asns.nip
    where asns.is_valid
        and resolved.nip is null
    union all
    select
        'bpsdm_kemendagri',
        'participations',
        reports.partisipasi_id,
        case
            when trainings.training_id is null then 'unknown_training'
            else 'unknown_instansi'
        end,
        reports._batch_id,
        reports.source_record
    from bpsdm_kemendagri__participations as reports
    left join {{ ref('int_trainings_conformed') }} as trainings
        on trainings.training_id = reports.kode_pelatihan
    left join {{ ref('int_participation_reports_unioned') }} as unioned
        on unioned.report_source = 'bpsdm_kemendagri'
        and unioned.report_id = reports.partisipasi_id
    where reports.is_valid
        and unioned.report_id is null
    union all
    select
        'bpsdm_kemendagri',
        'certifications',
        certifications.sertifikasi_id,
        'unknown_instansi',
        certifications._batch_id,
        certifications.source_record
    from bpsdm_kemendagri__certifications as certifications
    left join {{ ref('int_certifications_resolved') }} as resolved
        on resolved.sertifikasi_id = certifications.sertifikasi_id
    where certifications.is_valid
        and resolved.sertifikasi_id is null
    union all
    select
        'bpsdm_kemendagri',
        'development_plans',
        plans.rencana_id,
        'unknown_instansi',
        plans._batch_id,
        plans.source_record
    from bpsdm_kemendagri__development_plans as plans
    left join {{ ref('int_development_plans_resolved') }} as resolved
        on resolved.rencana_id = plans.rencana_id
    where plans.is_valid
        and resolved.rencana_id is null
    union all
    select
        'satudata',
        'budgets',
        budgets.budget_id,
        'unknown_instansi',
        budgets._batch_id,
        budgets.source_record
    from satudata__budgets as budgets
    left join {{ ref('int_budgets_resolved') }} as resolved
        on resolved.budget_id = budgets.budget_id
    where budgets.is_valid
        and resolved.budget_id is null
    union all
    select
        'kemnaker_corpu',
        'completions',
        completions.completion_id,
        'unknown_asn',
        completions._batch_id,
        completions.source_record
    from kemnaker_corpu__completions as completions
    left join {{ ref('int_participation_reports_unioned') }} as unioned
        on unioned.report_source = 'kemnaker_corpu'
        and unioned.report_id = completions.completion_id
    where completions.is_valid
        and unioned.report_id is null
    union all
    select
        'bpsdm_daerah',
        'participations',
        file_rows.file_row_id,
        case
            when by_code.training_id is null and by_name.training_id is null
                then 'unknown_training'
            else 'unknown_instansi'
        end,
        file_rows._batch_id,
        file_rows.source_record
    from bpsdm_daerah__participations as file_rows
    left join {{ ref('int_trainings_conformed') }} as by_code
        on by_code.training_id = file_rows.kode_pelatihan
    left join {{ ref('int_trainings_conformed') }} as by_name
        on file_rows.kode_pelatihan is null
        and lower(btrim(by_name.nama_pelatihan)) = lower(btrim(file_rows.nama_pelatihan))
        and by_name.tanggal_mulai = file_rows.tanggal_mulai
    left join {{ ref('int_participation_reports_unioned') }} as unioned
        on unioned.report_source = 'bpsdm_daerah'
        and unioned.report_id = file_rows.file_row_id
    where file_rows.is_valid
        and unioned.report_id is null
),

final as (
    select * from invalid
    union all
    select * from unresolved
)

select * from final
