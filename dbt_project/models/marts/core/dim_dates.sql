with

days as (
    select cast(day as date) as date_day
    from generate_series(date '2015-01-01', date '2035-12-31', interval '1 day') as day
),

final as (
    select
        date_day,
        cast(extract(year from date_day) as integer) as tahun,
        cast(extract(quarter from date_day) as integer) as kuartal,
        cast(extract(month from date_day) as integer) as bulan,
        cast(extract(isodow from date_day) as integer) as iso_day_of_week
    from days
)

select * from final
