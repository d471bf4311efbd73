{#- The months of the governance scorecard: one row per submitting institution
    x month, from its first reported month to the last month any institution
    reported, with the moment its freshness is taken at: the end of the month
    (midnight WIB), or the warehouse's latest load for a month not over yet. -#}
with

submissions as (
    select * from {{ ref('int_governance_submissions') }}
),

file_loads as (
    select * from {{ ref('int_governance_file_loads') }}
),

spine as (
    select
        institution_months.instansi_id,
        cast(months.report_month as date) as report_month
    from (
        select
            instansi_id,
            min(report_month) as first_month
        from submissions
        group by instansi_id
    ) as institution_months
    cross join lateral generate_series(
        institution_months.first_month,
        (select max(report_month) from submissions),
        interval '1 month'
    ) as months (report_month)
),

latest_load as (
    select max(loaded_at) as latest_loaded_at
    from (
        select loaded_at from submissions
        union all
        select loaded_at from file_loads
    ) as loads
),

final as (
    select
        md5(spine.instansi_id || '|' || cast(spine.report_month as text)) as institution_month_key,
        spine.instansi_id,
        spine.report_month,
        least(
            cast(spine.report_month + interval '1 month' as timestamp) at time zone 'Asia/Jakarta',
            latest_load.latest_loaded_at
        ) as as_of_at
    from spine
    cross join latest_load
)

select * from final
