{#- Competency gaps per institution x year x competency type x job, ranked
    within the institution, year and type (1 = largest average gap). -#}
with

assessments as (
    select * from {{ ref('int_competency_assessments_unioned') }}
),

by_job as (
    select
        instansi_id,
        tahun,
        jenis_kompetensi,
        jabatan,
        count(*) as assessment_count,
        count(distinct nip) as asn_assessed_count,
        avg(gap) as avg_gap,
        count(*) filter (where is_meeting_standard) as meeting_standard_count
    from assessments
    group by instansi_id, tahun, jenis_kompetensi, jabatan
),

final as (
    select
        instansi_id,
        tahun,
        jenis_kompetensi,
        jabatan,
        cast(assessment_count as integer) as assessment_count,
        cast(asn_assessed_count as integer) as asn_assessed_count,
        cast(avg_gap as numeric(6, 2)) as avg_gap,
        {{ safe_ratio('meeting_standard_count', 'assessment_count') }} as share_meeting_standard,
        cast(rank() over (
            partition by instansi_id, tahun, jenis_kompetensi
            order by avg_gap desc
        ) as integer) as gap_rank
    from by_job
)

select * from final
