{#- The data-governance scorecard: one row per submitting institution (K/L,
    province, regency/city) x month, from its first reported month to the
    last month any institution reported. What it submitted, how late, how
    clean, how complete, how consistent with the other reporter of a
    participation, how fresh; the composite score (macros/governance_score.sql,
    docs/governance-scorecard.md) with national and in-province ranks. -#}
with

measured as (
    select * from {{ ref('int_governance_monthly_measures') }}
),

institutions as (
    select * from {{ ref('dim_institutions') }}
),

{{ governance_scored('measured') }},

final as (
    select
        md5(scored.instansi_id || '|' || cast(scored.report_month as text)) as scorecard_key,
        scored.instansi_id,
        institutions.instansi_nama,
        institutions.instansi_level,
        institutions.provinsi_kode,
        institutions.provinsi_nama,
        institutions.is_dob,
        scored.report_month,
        cast(extract(year from scored.report_month) as integer) as tahun,
        scored.records_submitted,
        scored.file_records_submitted,
        scored.api_records_submitted,
        cast(round(scored.avg_days_to_first_load, 2) as numeric(9, 2)) as avg_days_to_first_load,
        cast(round(scored.file_avg_days_to_first_load, 2) as numeric(9, 2))
            as file_avg_days_to_first_load,
        cast(round(scored.api_avg_days_to_first_load, 2) as numeric(9, 2))
            as api_avg_days_to_first_load,
        cast(round(scored.max_days_to_first_load, 2) as numeric(9, 2)) as max_days_to_first_load,
        scored.is_file_drop_region,
        scored.folders_expected,
        scored.folders_received,
        cast(scored.files_loaded as integer) as files_loaded,
        cast(scored.files_rejected as integer) as files_rejected,
        scored.records_quarantined,
        cast(round(scored.quarantined_share, 4) as numeric(5, 4)) as quarantined_share,
        scored.quarantined_by_reason,
        scored.file_records_quarantined,
        cast(round(scored.file_quarantined_share, 4) as numeric(5, 4)) as file_quarantined_share,
        cast(round(scored.required_fields_present_share, 4) as numeric(5, 4))
            as required_fields_present_share,
        cast(coalesce(scored.asn_in_siasn, 0) as integer) as asn_in_siasn,
        cast(scored.asn_with_development_record as integer) as asn_with_development_record,
        cast(round(scored.development_record_share, 4) as numeric(5, 4))
            as development_record_share,
        cast(scored.double_reports as integer) as double_reports,
        cast(scored.double_reports_agreeing as integer) as double_reports_agreeing,
        cast(round(scored.double_reports_agreeing_share, 4) as numeric(5, 4))
            as double_reports_agreeing_share,
        scored.last_submission_at,
        cast(round(scored.days_since_last_submission, 2) as numeric(9, 2))
            as days_since_last_submission,
        {{ governance_score_columns('scored.report_month', 'institutions.provinsi_kode') }}
    from scored
    inner join institutions
        on scored.instansi_id = institutions.instansi_id
)

select * from final
