{{ config(
    materialized='incremental',
    unique_key='participation_key',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    indexes=[
        {'columns': ['participation_key'], 'unique': true},
        {'columns': ['training_id']},
    ],
    pre_hook=[
        "{{ record_new_batches(['int_participation_reports_unioned']) }}",
        "{{ rebuild_changed_participations() }}",
    ],
) }}
{#- One row per ASN x training, however many reports name it (host and
    origin, API and file drop): the best result wins (lulus > tidak_lulus >
    proses: a final result supersedes an origin's stale `proses`), then the
    host's report, then the Kemendagri API, then the latest report. JP is
    recognised only for lulus. An e-learning completion is its own row.

    Incremental: a run rebuilds only the participations its changed reports
    name now or named before (report_keys), from all their reports; one
    left without a report is deleted (macros/participation_changes.sql). -#}
-- the pre-hook's inputs: depends_on: {{ ref('stg_bpsdm_kemendagri__trainings') }}, {{ ref('stg_siasn__asns') }}
-- depends_on: {{ ref('stg_bpsdm_kemendagri__participations') }}, {{ ref('stg_bpsdm_daerah__participations') }}
-- depends_on: {{ ref('stg_kemnaker_corpu__completions') }}
with

scoped as (
    select *
    from {{ ref('int_participation_reports_unioned') }}
    where {{ in_rebuild_scope('participations_to_rebuild', 'participation_key', 'participation_key') }}
),

ranked as (
    select
        *,
        row_number() over preference as report_rank,
        -- the reports counted, best first: one sort serves both windows
        array_agg(report_source || '|' || report_id) over (
            preference rows between unbounded preceding and unbounded following
        ) as report_keys,
        count(*) over (partition by participation_key) as report_count,
        bool_or(pelapor = 'penyelenggara') over (partition by participation_key)
            as has_host_report,
        bool_or(pelapor = 'asal') over (partition by participation_key)
            as has_origin_report,
        max(_source_batch_id) over (partition by participation_key) as max_source_batch_id
    from scoped
    window preference as (
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
    )
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
        report_keys,
        max_source_batch_id as _source_batch_id,
        -- which run wrote the row, for fct_participations' incremental runs
        {{ latest_batch_of_this_run() }} as _rebuilt_in_batch
    from ranked
    where report_rank = 1
)

select * from final
