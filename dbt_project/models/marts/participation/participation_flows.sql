{#- Cross-institution flows: ASN of an origin institution trained by a host
    institution, per year (origin = host rows included, marked). -#}
with

participations as (
    select * from {{ ref('fct_participations') }}
),

final as (
    select
        origin_instansi_id,
        penyelenggara_id,
        tahun,
        min(origin_provinsi_kode) as origin_provinsi_kode,
        min(penyelenggara_provinsi_kode) as penyelenggara_provinsi_kode,
        bool_or(is_cross_region) as is_cross_region,
        bool_or(is_origin_dob) as is_origin_dob,
        cast(count(*) as integer) as participation_count,
        cast(count(distinct asn_key) as integer) as participant_count,
        cast(coalesce(sum(jp) filter (where is_completed), 0) as numeric(14, 2)) as jp_total
    from participations
    where origin_instansi_id != penyelenggara_id
    group by origin_instansi_id, penyelenggara_id, tahun
)

select * from final
