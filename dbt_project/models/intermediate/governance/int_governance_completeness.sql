{#- Completeness per institution x year: its ASN in SIASN (their current
    record) and how many of them have any participation or certification in
    the year. One row per institution with ASN in SIASN and per year any
    development record names (an institution without one in a year has no
    row for it: 0 of its ASN). -#}
with

asns as (
    select * from {{ ref('int_asns_resolved') }}
),

participations as (
    select * from {{ ref('int_participations_deduplicated') }}
),

certifications as (
    select * from {{ ref('int_certifications_resolved') }}
),

asn_counts as (
    select
        instansi_id,
        count(*) as asn_in_siasn
    from asns
    group by instansi_id
),

development_records as (
    select
        nip,
        tahun
    from participations
    union
    select
        nip,
        tahun
    from certifications
),

years as (
    select distinct tahun from development_records
),

asn_with_records as (
    select
        asns.instansi_id,
        development_records.tahun,
        count(distinct asns.nip) as asn_with_development_record
    from asns
    inner join development_records
        on asns.nip = development_records.nip
    group by asns.instansi_id, development_records.tahun
),

final as (
    select
        md5(asn_counts.instansi_id || '|' || cast(years.tahun as text)) as institution_year_key,
        asn_counts.instansi_id,
        years.tahun,
        asn_counts.asn_in_siasn,
        coalesce(asn_with_records.asn_with_development_record, 0) as asn_with_development_record
    from asn_counts
    cross join years
    left join asn_with_records
        on
            asn_counts.instansi_id = asn_with_records.instansi_id
            and years.tahun = asn_with_records.tahun
)

select * from final
