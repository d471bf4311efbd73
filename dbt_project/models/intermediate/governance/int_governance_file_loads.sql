{#- One row per regional file Sinergi saw (meta.file_loads): the region that
    dropped it, the month it reports (its landing folder `<region>/<yyyy-mm>/`;
    the month of its load, in WIB, when the path has none), when it was
    loaded (its batch's finish time) and what the file loader made of it:
    loaded or rejected whole, rows read, rows refused before raw and why.
    meta.* is Sinergi's own bookkeeping, not a source system, so it is read
    directly (as macros/incremental_batches.sql does), not declared as a dbt
    source: a source would enter the stale-source checks meant for raw feeds. -#}
with

file_loads as (
    select * from meta.file_loads
),

load_batches as (
    select * from meta.load_batches
),

located as (
    select
        file_loads.file_sha256,
        file_loads.path,
        file_loads.status as file_status,
        file_loads.batch_id,
        file_loads.summary,
        {{ normalise_instansi_code('file_loads.region_code') }} as instansi_id,
        coalesce(load_batches.finished_at, load_batches.started_at, file_loads.loaded_at)
            as loaded_at,
        substring(file_loads.path from '(\d{4}-(?:0[1-9]|1[0-2]))[/\\][^/\\]*$') as folder_month
    from file_loads
    left join load_batches
        on file_loads.batch_id = load_batches.batch_id
),

final as (
    select
        md5(file_sha256 || '|' || instansi_id) as file_load_key,
        instansi_id,
        coalesce(
            to_date(folder_month, 'YYYY-MM'),
            cast(date_trunc('month', loaded_at at time zone 'Asia/Jakarta') as date)
        ) as report_month,
        loaded_at,
        file_status,
        batch_id,
        path,
        coalesce(cast(summary ->> 'rows_read' as bigint), 0) as rows_read,
        case
            when file_status = 'loaded'
                then coalesce(cast(summary ->> 'rows_quarantined' as bigint), 0)
            else 0
        end as rows_refused,
        case
            when file_status = 'loaded' and jsonb_typeof(summary -> 'quarantine_reasons') = 'object'
                then summary -> 'quarantine_reasons'
            else cast('{}' as jsonb)
        end as refused_by_reason
    from located
)

select * from final
