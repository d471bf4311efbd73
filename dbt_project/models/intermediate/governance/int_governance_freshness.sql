{#- Freshness per submitting institution x month: its latest load of any data
    (a rejected file too) by the month's as_of_at (int_governance_months). A
    marker per month, ordered among the loads, carries the latest load before
    it forward: one sort, however many months and loads. -#}
with

months as (
    select * from {{ ref('int_governance_months') }}
),

submissions as (
    select * from {{ ref('int_governance_submissions') }}
),

file_loads as (
    select * from {{ ref('int_governance_file_loads') }}
),

loads as (
    select
        instansi_id,
        loaded_at
    from submissions
    union
    select
        instansi_id,
        loaded_at
    from file_loads
),

load_events as (
    select
        instansi_id,
        loaded_at as event_at,
        0 as is_marker,
        cast(null as date) as report_month
    from loads
    where loaded_at is not null
    union all
    select
        instansi_id,
        as_of_at as event_at,
        1 as is_marker,
        report_month
    from months
),

carried as (
    select
        *,
        max(case when is_marker = 0 then event_at end) over (
            partition by instansi_id
            order by event_at, is_marker
            rows between unbounded preceding and current row
        ) as last_submission_at
    from load_events
),

final as (
    select
        md5(instansi_id || '|' || cast(report_month as text)) as institution_month_key,
        instansi_id,
        report_month,
        event_at as as_of_at,
        last_submission_at,
        extract(epoch from (event_at - last_submission_at)) / 86400.0
            as days_since_last_submission
    from carried
    where is_marker = 1
)

select * from final
