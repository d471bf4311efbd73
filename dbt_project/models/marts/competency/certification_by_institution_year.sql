{#- Government competency certification (Permendagri 108/2017) per
    institution x year: participants, certifications, types, share
    kompeten, and the ranking of regions on number of types then
    participants, nationally and within the province. -#}
with

certifications as (
    select * from {{ ref('int_certifications_resolved') }}
),

institutions as (
    select * from {{ ref('int_institutions') }}
),

totals as (
    select
        instansi_id,
        tahun,
        count(*) as certification_count,
        count(distinct nip) as participant_count,
        count(distinct jenis_sertifikasi) as certification_type_count,
        count(*) filter (where hasil = 'kompeten') as kompeten_count
    from certifications
    group by instansi_id, tahun
),

final as (
    select
        totals.instansi_id,
        totals.tahun,
        institutions.instansi_nama,
        institutions.provinsi_kode,
        institutions.provinsi_nama,
        institutions.is_central,
        institutions.is_dob,
        cast(totals.participant_count as integer) as participant_count,
        cast(totals.certification_count as integer) as certification_count,
        cast(totals.certification_type_count as integer) as certification_type_count,
        cast(totals.kompeten_count as integer) as kompeten_count,
        {{ safe_ratio('totals.kompeten_count', 'totals.certification_count') }} as share_kompeten,
        cast(rank() over (
            partition by totals.tahun
            order by totals.certification_type_count desc, totals.participant_count desc
        ) as integer) as rank_national,
        cast(rank() over (
            partition by totals.tahun, institutions.provinsi_kode
            order by totals.certification_type_count desc, totals.participant_count desc
        ) as integer) as rank_in_province
    from totals
    inner join institutions
        on totals.instansi_id = institutions.instansi_id
)

select * from final
