{#- The governance scorecard per submitting institution x year: the months
    of governance_scorecard added up (averages weighted by records), the
    components and the composite recomputed on the year's totals with the
    same formula (macros/governance_score.sql), ranked per year. -#}
with

monthly as (
    select * from {{ ref('governance_scorecard') }}
),

reasons as (
    select
        instansi_id,
        tahun,
        jsonb_object_agg(reason, records order by reason) as quarantined_by_reason
    from (
        select
            monthly.instansi_id,
            monthly.tahun,
            counted.key as reason,
            sum(cast(counted.value as bigint)) as records
        from monthly
        cross join lateral jsonb_each_text(monthly.quarantined_by_reason) as counted
        group by monthly.instansi_id, monthly.tahun, counted.key
    ) as per_reason
    group by instansi_id, tahun
),

yearly as (
    select
        instansi_id,
        tahun,
        max(instansi_nama) as instansi_nama,
        max(instansi_level) as instansi_level,
        max(provinsi_kode) as provinsi_kode,
        max(provinsi_nama) as provinsi_nama,
        bool_or(is_dob) as is_dob,
        count(*) as months_covered,
        sum(records_submitted) as records_submitted,
        sum(file_records_submitted) as file_records_submitted,
        sum(api_records_submitted) as api_records_submitted,
        sum(avg_days_to_first_load * records_submitted)
        / nullif(sum(records_submitted) filter (where avg_days_to_first_load is not null), 0)
            as avg_days_to_first_load,
        sum(file_avg_days_to_first_load * file_records_submitted)
        / nullif(sum(file_records_submitted), 0) as file_avg_days_to_first_load,
        sum(api_avg_days_to_first_load * api_records_submitted)
        / nullif(sum(api_records_submitted), 0) as api_avg_days_to_first_load,
        max(max_days_to_first_load) as max_days_to_first_load,
        bool_or(is_file_drop_region) as is_file_drop_region,
        sum(folders_expected) as folders_expected,
        sum(folders_received) as folders_received,
        sum(files_loaded) as files_loaded,
        sum(files_rejected) as files_rejected,
        sum(records_quarantined) as records_quarantined,
        sum(file_records_quarantined) as file_records_quarantined,
        -- required fields: back from the monthly share to a count
        sum(records_submitted * (1 - required_fields_present_share)) as records_missing_required,
        max(asn_in_siasn) as asn_in_siasn,
        max(asn_with_development_record) as asn_with_development_record,
        sum(double_reports) as double_reports,
        sum(double_reports_agreeing) as double_reports_agreeing,
        max(last_submission_at) as last_submission_at,
        -- as of the year's last month
        (array_agg(days_since_last_submission order by report_month desc))[1]
            as days_since_last_submission
    from monthly
    group by instansi_id, tahun
),

{{ governance_scored('yearly') }},

final as (
    select
        md5(scored.instansi_id || '|' || cast(scored.tahun as text)) as scorecard_key,
        scored.instansi_id,
        scored.instansi_nama,
        scored.instansi_level,
        scored.provinsi_kode,
        scored.provinsi_nama,
        scored.is_dob,
        scored.tahun,
        cast(scored.months_covered as integer) as months_covered,
        cast(scored.records_submitted as bigint) as records_submitted,
        cast(scored.file_records_submitted as bigint) as file_records_submitted,
        cast(scored.api_records_submitted as bigint) as api_records_submitted,
        cast(round(scored.avg_days_to_first_load, 2) as numeric(9, 2)) as avg_days_to_first_load,
        cast(round(scored.file_avg_days_to_first_load, 2) as numeric(9, 2))
            as file_avg_days_to_first_load,
        cast(round(scored.api_avg_days_to_first_load, 2) as numeric(9, 2))
            as api_avg_days_to_first_load,
        scored.max_days_to_first_load,
        scored.is_file_drop_region,
        cast(scored.folders_expected as integer) as folders_expected,
        cast(scored.folders_received as integer) as folders_received,
        cast(scored.files_loaded as integer) as files_loaded,
        cast(scored.files_rejected as integer) as files_rejected,
        cast(scored.records_quarantined as bigint) as records_quarantined,
        cast(round(scored.quarantined_share, 4) as numeric(5, 4)) as quarantined_share,
        coalesce(reasons.quarantined_by_reason, cast('{}' as jsonb)) as quarantined_by_reason,
        cast(scored.file_records_quarantined as bigint) as file_records_quarantined,
        cast(round(scored.file_quarantined_share, 4) as numeric(5, 4)) as file_quarantined_share,
        cast(round(scored.required_fields_present_share, 4) as numeric(5, 4))
            as required_fields_present_share,
        scored.asn_in_siasn,
        scored.asn_with_development_record,
        cast(round(scored.development_record_share, 4) as numeric(5, 4))
            as development_record_share,
        cast(scored.double_reports as integer) as double_reports,
        cast(scored.double_reports_agreeing as integer) as double_reports_agreeing,
        cast(round(scored.double_reports_agreeing_share, 4) as numeric(5, 4))
            as double_reports_agreeing_share,
        scored.last_submission_at,
        scored.days_since_last_submission,
        {{ governance_score_columns('scored.tahun', 'scored.provinsi_kode') }}
    from scored
    left join reasons
        on
            scored.instansi_id = reasons.instansi_id
            and scored.tahun = reasons.tahun
)

select * from final
