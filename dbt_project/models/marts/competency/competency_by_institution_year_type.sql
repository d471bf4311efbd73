{#- Competency per institution x year x type (teknis, manajerial,
    sosial_kultural): ASN assessed, average gap (standard - assessed level),
    share meeting the job's standard, and the job with the largest gap. -#}
with

assessments as (
    select * from {{ ref('int_competency_assessments_unioned') }}
),

gaps_by_job as (
    select * from {{ ref('competency_gaps_by_job') }}
),

institutions as (
    select * from {{ ref('int_institutions') }}
),

totals as (
    select
        instansi_id,
        tahun,
        jenis_kompetensi,
        count(*) as assessment_count,
        count(distinct nip) as asn_assessed_count,
        sum(gap) as gap_sum,
        avg(gap) as avg_gap,
        count(*) filter (where is_meeting_standard) as meeting_standard_count
    from assessments
    group by instansi_id, tahun, jenis_kompetensi
),

largest_gap as (
    select
        instansi_id,
        tahun,
        jenis_kompetensi,
        min(jabatan) as largest_gap_jabatan,
        max(avg_gap) as largest_gap_avg
    from gaps_by_job
    where gap_rank = 1
    group by instansi_id, tahun, jenis_kompetensi
),

final as (
    select
        totals.instansi_id,
        totals.tahun,
        totals.jenis_kompetensi,
        institutions.instansi_nama,
        institutions.provinsi_kode,
        institutions.provinsi_nama,
        institutions.is_dob,
        cast(totals.assessment_count as integer) as assessment_count,
        cast(totals.asn_assessed_count as integer) as asn_assessed_count,
        cast(totals.gap_sum as integer) as gap_sum,
        cast(totals.avg_gap as numeric(6, 2)) as avg_gap,
        cast(totals.meeting_standard_count as integer) as meeting_standard_count,
        {{ safe_ratio('totals.meeting_standard_count', 'totals.assessment_count') }}
            as share_meeting_standard,
        largest_gap.largest_gap_jabatan,
        cast(largest_gap.largest_gap_avg as numeric(6, 2)) as largest_gap_avg
    from totals
    inner join institutions
        on totals.instansi_id = institutions.instansi_id
    left join largest_gap
        on
            totals.instansi_id = largest_gap.instansi_id
            and totals.tahun = largest_gap.tahun
            and totals.jenis_kompetensi = largest_gap.jenis_kompetensi
)

select * from final
