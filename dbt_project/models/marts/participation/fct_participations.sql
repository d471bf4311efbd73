{{ config(
    indexes=[{'columns': ['participation_id'], 'unique': true}],
    materialized='incremental',
    unique_key='participation_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook=[
        "{{ record_new_batches(['int_participations_deduplicated']) }}",
        "{{ rebuild_changed_facts() }}",
    ],
) }}
{#- One row per ASN x training (pseudonymised ASN). Incremental: a run
    rewrites the participations int_participations_deduplicated rebuilt in
    batches this table has not seen, and deletes those it dropped
    (macros/participation_changes.sql). -#}
with

participations as (
    select *
    from {{ ref('int_participations_deduplicated') }}
    where {{ in_rebuild_scope('facts_to_rebuild', 'participation_key', 'participation_id') }}
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
