{#- Every central (K/L-hosted) classroom or blended training (LMS e-learning excluded): participants, regional participants,
    their share against the 30% regional quota and the training's own quota. -#}
with

participations as (
    select * from {{ ref('fct_participations') }}
),

trainings as (
    select * from {{ ref('int_trainings_conformed') }}
),

institutions as (
    select * from {{ ref('int_institutions') }}
),

counts as (
    select
        training_id,
        count(*) as participant_count,
        count(*) filter (where is_regional_participant) as regional_participant_count
    from participations
    where
        is_central_hosted
        and not is_elearning_completion
    group by training_id
),

final as (
    select
        trainings.training_id,
        trainings.nama_pelatihan,
        trainings.penyelenggara_id,
        institutions.instansi_nama as penyelenggara_nama,
        cast(extract(year from trainings.tanggal_mulai) as integer) as tahun,
        trainings.jenis_pelatihan,
        trainings.kuota_peserta,
        trainings.kuota_daerah,
        cast(counts.participant_count as integer) as participant_count,
        cast(counts.regional_participant_count as integer) as regional_participant_count,
        {{ safe_ratio('counts.regional_participant_count', 'counts.participant_count') }}
            as regional_share,
        {{ safe_ratio('counts.regional_participant_count', 'counts.participant_count') }}
        >= {{ var('regional_quota_share') }} as meets_regional_quota
    from counts
    inner join trainings
        on counts.training_id = trainings.training_id
    left join institutions
        on trainings.penyelenggara_id = institutions.instansi_id
)

select * from final
