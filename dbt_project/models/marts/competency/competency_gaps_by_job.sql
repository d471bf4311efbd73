{#- Competency gaps per institution x year x competency type x job, ranked
    within the institution, year and type (1 = largest average gap). -#}
with

assessments as (
    select * from {{ ref('int_competency_assessments_unioned') }}
),

institutions as (
    select * from {{ ref('int_institutions') }}
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
        by_job.instansi_id,
        by_job.tahun,
        by_job.jenis_kompetensi,
        by_job.jabatan,
        institutions.instansi_nama,
        institutions.provinsi_kode,
        institutions.provinsi_nama,
        institutions.is_dob,
        cast(by_job.assessment_count as integer) as assessment_count,
        cast(by_job.asn_assessed_count as integer) as asn_assessed_count,
        cast(by_job.avg_gap as numeric(6, 2)) as avg_gap,
        cast(by_job.meeting_standard_count as integer) as meeting_standard_count,
        {{ safe_ratio('by_job.meeting_standard_count', 'by_job.assessment_count') }}
            as share_meeting_standard,
        cast(rank() over (
            partition by by_job.instansi_id, by_job.tahun, by_job.jenis_kompetensi
            order by by_job.avg_gap desc
        ) as integer) as gap_rank
    from by_job
    inner join institutions
        on by_job.instansi_id = institutions.instansi_id
)

select * from final
