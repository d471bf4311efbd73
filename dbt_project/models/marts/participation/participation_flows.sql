{#- Cross-institution flows: ASN of an origin institution trained by a host
    institution, per year (origin = host left out). E-learning completions
    count as flows to the LMS's host institution. -#}
with

participations as (
    select * from {{ ref('fct_participations') }}
),

institutions as (
    select * from {{ ref('int_institutions') }}
),

flows as (
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
),

final as (
    select
        flows.origin_instansi_id,
        origins.instansi_nama as origin_instansi_nama,
        flows.penyelenggara_id,
        hosts.instansi_nama as penyelenggara_nama,
        flows.tahun,
        flows.origin_provinsi_kode,
        flows.penyelenggara_provinsi_kode,
        flows.is_cross_region,
        flows.is_origin_dob,
        flows.participation_count,
        flows.participant_count,
        flows.jp_total
    from flows
    left join institutions as origins
        on flows.origin_instansi_id = origins.instansi_id
    left join institutions as hosts
        on flows.penyelenggara_id = hosts.instansi_id
)

select * from final
