{{ config(
    indexes=[{'columns': ['participation_key'], 'unique': true}],
    materialized='incremental',
    unique_key='participation_key',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook="{{ record_new_batches(participation_staging_models()) }}",
    post_hook="{{ delete_retracted_participations(ref('int_participation_reports_unioned'), 'participation_key') }}",
) }}
{#- One row per ASN x training, however many reports name it (host and
    origin, API and file drop): the best result wins (lulus > tidak_lulus >
    proses: a final result supersedes an origin's stale `proses`), then the
    host's report, then the Kemendagri API, then the latest report. JP is
    recognised only for lulus. An e-learning completion is its own row.

    Incremental: only the participations that batches new to this model
    touched are recomputed, from all their reports, and those left without
    a report are deleted, so an incremental run and a full refresh agree
    (macros/incremental_batches.sql). -#}
with

reports as (
    select * from {{ ref('int_participation_reports_unioned') }}
),

{% if is_incremental() %}
touched as (
    {{ touched_participation_keys(ref('int_participation_reports_unioned'), 'participation_key') }}
),

scoped as (
    select reports.*
    from reports
    inner join touched
        on reports.participation_key = touched.participation_key
),
{% else %}
    scoped as (
        select * from reports
    ),
{% endif %}

ranked as (
    select
        *,
        row_number() over (
            partition by participation_key
            order by
                case hasil when 'lulus' then 1 when 'tidak_lulus' then 2 else 3 end,
                (pelapor = 'penyelenggara') desc,
                case report_source
                    when 'bpsdm_kemendagri' then 1
                    when 'bpsdm_daerah' then 2
                    else 3
                end,
                reported_at desc nulls last,
                report_id desc
        ) as report_rank,
        count(*) over (partition by participation_key) as report_count,
        bool_or(pelapor = 'penyelenggara') over (partition by participation_key)
            as has_host_report,
        bool_or(pelapor = 'asal') over (partition by participation_key)
            as has_origin_report,
        max(_source_batch_id) over (partition by participation_key) as max_source_batch_id
    from scoped
),

final as (
    select
        participation_key,
        nip,
        training_id,
        origin_instansi_id,
        report_source,
        report_id,
        pelapor,
        hasil,
        case when hasil = 'lulus' then coalesce(jp, 0) else 0 end as jp,
        case when hasil = 'lulus' then coalesce(jp_minutes, 0) else 0 end as jp_minutes,
        tahun,
        reported_at,
        report_count,
        has_host_report,
        has_origin_report,
        max_source_batch_id as _source_batch_id
    from ranked
    where report_rank = 1
)

select * from final
