{#- The annual development plan against what happened, per institution x
    year x training kind: planned participants, JP and budget vs the
    institution's ASN who completed trainings of that kind and their JP. -#}
with

plans as (
    select * from {{ ref('int_development_plans_resolved') }}
),

participations as (
    select * from {{ ref('fct_participations') }}
),

institutions as (
    select * from {{ ref('int_institutions') }}
),

planned as (
    select
        instansi_id,
        tahun,
        jenis_pelatihan,
        sum(rencana_peserta) as rencana_peserta,
        sum(rencana_jp) as rencana_jp,
        sum(rencana_anggaran_idr) as rencana_anggaran_idr
    from plans
    group by instansi_id, tahun, jenis_pelatihan
),

realised as (
    select
        origin_instansi_id as instansi_id,
        tahun,
        jenis_pelatihan,
        count(distinct asn_key) as realised_participant_count,
        sum(jp) as realised_jp
    from participations
    where is_completed
    group by origin_instansi_id, tahun, jenis_pelatihan
),

final as (
    select
        planned.instansi_id,
        planned.tahun,
        planned.jenis_pelatihan,
        institutions.instansi_nama,
        institutions.provinsi_kode,
        institutions.provinsi_nama,
        institutions.is_dob,
        cast(planned.rencana_peserta as integer) as rencana_peserta,
        cast(planned.rencana_jp as numeric(14, 2)) as rencana_jp,
        cast(planned.rencana_anggaran_idr as numeric(18, 2)) as rencana_anggaran_idr,
        cast(coalesce(realised.realised_participant_count, 0) as integer)
            as realised_participant_count,
        cast(coalesce(realised.realised_jp, 0) as numeric(14, 2)) as realised_jp,
        {{ safe_ratio('coalesce(realised.realised_participant_count, 0)', 'planned.rencana_peserta') }}
            as participant_realisation_rate,
        {{ safe_ratio('coalesce(realised.realised_jp, 0)', 'planned.rencana_jp') }}
            as jp_realisation_rate
    from planned
    inner join institutions
        on planned.instansi_id = institutions.instansi_id
    left join realised
        on
            planned.instansi_id = realised.instansi_id
            and planned.tahun = realised.tahun
            and planned.jenis_pelatihan = realised.jenis_pelatihan
)

select * from final
