{#- One row per report of a participation reported more than once (the
    host and the origin, by the Kemendagri API or a regional file), with its
    submitter and month (int_governance_submissions) and whether all the
    participation's reports agree on the result and the JP. An e-learning
    completion is its own participation and never a double report. -#}
with

reports as (
    select * from {{ ref('int_participation_reports_unioned') }}
    where report_source in ('bpsdm_kemendagri', 'bpsdm_daerah')
),

submissions as (
    select * from {{ ref('int_governance_submissions') }}
    where entity = 'participations'
),

compared as (
    select
        participation_key,
        report_source,
        report_id,
        count(*) over by_participation as report_count,
        -- one result and one JP across the participation's reports
        (
            min(hasil) over by_participation = max(hasil) over by_participation
            and count(hasil) over by_participation = count(*) over by_participation
            and min(coalesce(jp, -1)) over by_participation
            = max(coalesce(jp, -1)) over by_participation
        ) as is_agreeing
    from reports
    window by_participation as (partition by participation_key)
),

final as (
    select
        md5(compared.report_source || '|' || compared.report_id) as double_report_key,
        compared.participation_key,
        compared.report_source,
        compared.report_id,
        submissions.instansi_id,
        submissions.report_month,
        compared.report_count,
        compared.is_agreeing
    from compared
    inner join submissions
        on
            compared.report_source = submissions.source
            and compared.report_id = submissions.record_key
    where compared.report_count > 1
)

select * from final
