{#- The governance scorecard's raw measures, one row per submitting
    institution x month from its first reported month to the last month any
    institution reported: records submitted and how many days after the end
    of their month (midnight WIB) they were loaded, monthly folders expected
    and received, quarantined records by reason, the institution's SIASN ASN
    and those with a development record in the year, its double reports and
    how many agree, and its freshness (int_governance_freshness).
    governance_scorecard turns them into shares, scores and ranks. -#}
with

submissions as (
    select * from {{ ref('int_governance_submissions') }}
),

file_loads as (
    select * from {{ ref('int_governance_file_loads') }}
),

double_reports as (
    select * from {{ ref('int_governance_double_reports') }}
),

months as (
    select * from {{ ref('int_governance_months') }}
),

freshness as (
    select * from {{ ref('int_governance_freshness') }}
),

completeness as (
    select * from {{ ref('int_governance_completeness') }}
),

-- days from the end of the reported month (midnight WIB) to the record's load
timed as (
    select
        *,
        extract(epoch from (
            loaded_at
            - cast(report_month + interval '1 month' as timestamp) at time zone 'Asia/Jakarta'
        )) / 86400.0 as days_to_first_load
    from submissions
),

monthly_submissions as (
    select
        instansi_id,
        report_month,
        sum(record_count) as records_submitted,
        sum(record_count) filter (where channel = 'file_drop') as file_records_submitted,
        sum(record_count) filter (where channel = 'api') as api_records_submitted,
        sum(record_count * days_to_first_load) as days_total,
        sum(record_count * days_to_first_load) filter (where channel = 'file_drop')
            as file_days_total,
        sum(record_count * days_to_first_load) filter (where channel = 'api') as api_days_total,
        max(days_to_first_load) as max_days_to_first_load,
        sum(record_count) filter (where quarantine_reason is not null) as records_quarantined,
        sum(record_count) filter (
            where channel = 'file_drop' and quarantine_reason is not null
        ) as file_records_quarantined,
        sum(record_count) filter (where quarantine_reason = 'missing_required')
            as records_missing_required
    from timed
    group by instansi_id, report_month
),

reasons as (
    select
        instansi_id,
        report_month,
        jsonb_object_agg(quarantine_reason, records order by quarantine_reason) as by_reason
    from (
        select
            instansi_id,
            report_month,
            quarantine_reason,
            sum(record_count) as records
        from submissions
        where quarantine_reason is not null
        group by instansi_id, report_month, quarantine_reason
    ) as counted
    group by instansi_id, report_month
),

monthly_files as (
    select
        instansi_id,
        report_month,
        count(*) filter (where file_status = 'loaded') as files_loaded,
        count(*) filter (where file_status = 'rejected') as files_rejected
    from file_loads
    group by instansi_id, report_month
),

file_regions as (
    select
        instansi_id,
        min(report_month) as first_folder_month
    from file_loads
    group by instansi_id
),

monthly_doubles as (
    select
        instansi_id,
        report_month,
        count(*) as double_reports,
        count(*) filter (where is_agreeing) as double_reports_agreeing
    from double_reports
    group by instansi_id, report_month
),

measured as (
    select
        months.instansi_id,
        months.report_month,
        cast(coalesce(monthly_submissions.records_submitted, 0) as bigint) as records_submitted,
        cast(coalesce(monthly_submissions.file_records_submitted, 0) as bigint)
            as file_records_submitted,
        cast(coalesce(monthly_submissions.api_records_submitted, 0) as bigint)
            as api_records_submitted,
        monthly_submissions.days_total / nullif(monthly_submissions.records_submitted, 0)
            as avg_days_to_first_load,
        monthly_submissions.file_days_total
        / nullif(monthly_submissions.file_records_submitted, 0) as file_avg_days_to_first_load,
        monthly_submissions.api_days_total
        / nullif(monthly_submissions.api_records_submitted, 0) as api_avg_days_to_first_load,
        monthly_submissions.max_days_to_first_load,
        file_regions.instansi_id is not null as is_file_drop_region,
        case
            when months.report_month >= file_regions.first_folder_month then 1 else 0
        end as folders_expected,
        case when coalesce(monthly_files.files_loaded, 0) > 0 then 1 else 0 end
            as folders_received,
        coalesce(monthly_files.files_loaded, 0) as files_loaded,
        coalesce(monthly_files.files_rejected, 0) as files_rejected,
        cast(coalesce(monthly_submissions.records_quarantined, 0) as bigint)
            as records_quarantined,
        cast(coalesce(monthly_submissions.file_records_quarantined, 0) as bigint)
            as file_records_quarantined,
        cast(coalesce(monthly_submissions.records_missing_required, 0) as bigint)
            as records_missing_required,
        coalesce(reasons.by_reason, cast('{}' as jsonb)) as quarantined_by_reason,
        completeness.asn_in_siasn,
        coalesce(completeness.asn_with_development_record, 0) as asn_with_development_record,
        coalesce(monthly_doubles.double_reports, 0) as double_reports,
        coalesce(monthly_doubles.double_reports_agreeing, 0) as double_reports_agreeing,
        freshness.last_submission_at,
        freshness.days_since_last_submission
    from months
    inner join freshness
        on months.institution_month_key = freshness.institution_month_key
    left join monthly_submissions
        on
            months.instansi_id = monthly_submissions.instansi_id
            and months.report_month = monthly_submissions.report_month
    left join reasons
        on
            months.instansi_id = reasons.instansi_id
            and months.report_month = reasons.report_month
    left join monthly_files
        on
            months.instansi_id = monthly_files.instansi_id
            and months.report_month = monthly_files.report_month
    left join file_regions
        on months.instansi_id = file_regions.instansi_id
    left join monthly_doubles
        on
            months.instansi_id = monthly_doubles.instansi_id
            and months.report_month = monthly_doubles.report_month
    left join completeness
        on
            months.instansi_id = completeness.instansi_id
            and cast(extract(year from months.report_month) as integer) = completeness.tahun
)

select * from measured
