{{ config(
    indexes=[{'columns': ['participation_id'], 'unique': true}],
    materialized='incremental',
    unique_key='participation_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook="{{ record_new_batches(participation_staging_models()) }}",
    post_hook="{{ delete_retracted_participations(ref('int_participations_deduplicated'), 'participation_id') }}",
) }}
{#- One row per ASN x training (pseudonymised ASN). Incremental: only the
    participations that batches new to this table touched are rewritten
    (the same rule as int_participations_deduplicated, kept apart so a run
    that failed between the two still catches up), and retracted ones are
    deleted. -#}
-- depends_on: {{ ref('int_participation_reports_unioned') }}
with

{% if is_incremental() %}
touched as (
    {{ touched_participation_keys(ref('int_participation_reports_unioned'), 'participation_id') }}
),
{% endif %}

participations as (
    select deduplicated.*
    from {{ ref('int_participations_deduplicated') }} as deduplicated
    {% if is_incremental() %}
        inner join touched
            on deduplicated.participation_key = touched.participation_key
    {% endif %}
),

trainings as (
    select * from {{ ref('int_trainings_conformed') }}
),

institutions as (
    select * from {{ ref('int_institutions') }}
),

joined as (
    select
        participations.participation_key as participation_id,
        {{ pseudonymise_nip('participations.nip') }} as asn_key,
        participations.training_id,
        participations.tahun,
        participations.origin_instansi_id,
        origins.provinsi_kode as origin_provinsi_kode,
        origins.is_central as is_origin_central,
        origins.is_dob as is_origin_dob,
        trainings.penyelenggara_id,
        trainings.penyelenggara_provinsi_kode,
        trainings.is_central_hosted,
        trainings.jenis_pelatihan,
        trainings.mode,
        trainings.kategori_pembelajaran,
        participations.hasil,
        participations.jp,
        participations.jp_minutes,
        participations.report_source,
        participations.report_count,
        participations.has_host_report,
        participations.has_origin_report,
        participations._source_batch_id
    from participations
    inner join trainings
        on participations.training_id = trainings.training_id
    inner join institutions as origins
        on participations.origin_instansi_id = origins.instansi_id
),

final as (
    select
        participation_id,
        asn_key,
        training_id,
        tahun,
        origin_instansi_id,
        origin_provinsi_kode,
        is_origin_dob,
        penyelenggara_id,
        penyelenggara_provinsi_kode,
        is_central_hosted,
        not is_origin_central as is_regional_participant,
        origin_instansi_id != penyelenggara_id as is_cross_institution,
        coalesce(origin_provinsi_kode, 'pusat') != coalesce(penyelenggara_provinsi_kode, 'pusat')
            as is_cross_region,
        jenis_pelatihan,
        mode,
        kategori_pembelajaran,
        hasil,
        hasil = 'lulus' as is_completed,
        cast(jp as numeric(12, 4)) as jp,
        cast(jp_minutes as numeric(12, 2)) as jp_minutes,
        report_source = 'kemnaker_corpu' as is_elearning_completion,
        report_source,
        cast(report_count as integer) as report_count,
        has_host_report,
        has_origin_report,
        _source_batch_id
    from joined
)

select * from final
