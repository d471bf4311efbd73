{{ config(
    materialized='incremental',
    unique_key=['report_source', 'report_id'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    indexes=[
        {'columns': ['report_source', 'report_id'], 'unique': true},
        {'columns': ['participation_key']},
        {'columns': ['training_id']},
    ],
    pre_hook=[
        "{{ record_new_batches(participation_staging_models()) }}",
        "{{ rebuild_changed_reports() }}",
    ],
) }}
{#- Every valid participation report of every source, on one layout:
    - the Kemendagri API (host or origin reports, latest version per id);
    - regional file drops (a row in the training host's folder is a host report, else an origin
      report), matched to the catalogue by Kode Pelatihan, else by training name
      (case-insensitive) and start date;
    - Kemnaker e-learning completions, each its own participation (a learner may complete a
      course twice), JP = minutes / var('minutes_per_jp'), origin = the learner's SIASN
      institution, year = completed_at in Asia/Jakarta.
    Reports whose training or origin does not resolve are left out (int_quarantine_candidates).
    Incremental: a run rebuilds only the reports its new batches changed, directly or through
    the training or SIASN record they depend on (macros/participation_changes.sql). -#}
-- the pre-hook's inputs: depends_on: {{ ref('stg_bpsdm_kemendagri__trainings') }}, {{ ref('stg_siasn__asns') }}
with

api_reports as (
    select * from {{ ref('stg_bpsdm_kemendagri__participations') }}
    where
        is_valid
        and {{ in_rebuild_scope(
            'reports_to_rebuild', 'partisipasi_id', 'report_id',
            "report_source = 'bpsdm_kemendagri'") }}
),

completions as (
    select * from {{ ref('stg_kemnaker_corpu__completions') }}
    where
        is_valid
        and {{ in_rebuild_scope(
            'reports_to_rebuild', 'completion_id', 'report_id',
            "report_source = 'kemnaker_corpu'") }}
),

file_rows as (
    select * from {{ ref('stg_bpsdm_daerah__participations') }}
    where
        is_valid
        and {{ in_rebuild_scope(
            'reports_to_rebuild', 'file_row_id', 'report_id',
            "report_source = 'bpsdm_daerah'") }}
),

trainings as (
    select * from {{ ref('int_trainings_conformed') }}
),

asns as (
    select * from {{ ref('int_asns_resolved') }}
),

from_api as (
    select
        'bpsdm_kemendagri' as report_source,
        api_reports.partisipasi_id as report_id,
        api_reports.nip,
        api_reports.kode_pelatihan as training_id,
        {{ resolved_instansi_id('origin') }} as origin_instansi_id,
        coalesce(api_reports.pelapor, 'penyelenggara') as pelapor,
        api_reports.hasil,
        api_reports.jp_diakui as jp,
        {{ jp_to_minutes('api_reports.jp_diakui') }} as jp_minutes,
        api_reports.modified_at as reported_at,
        api_reports._batch_id,
        cast(null as bigint) as _asn_batch_id
    from api_reports
    {{ join_instansi('origin', 'api_reports.instansi_asal_kode', 'api_reports.instansi_asal_nama') }}
),

from_lms as (
    select
        'kemnaker_corpu' as report_source,
        completions.completion_id as report_id,
        completions.nip,
        'CORPU-' || completions.course_id as training_id,
        asns.instansi_id as origin_instansi_id,
        'penyelenggara' as pelapor,
        'lulus' as hasil,
        {{ minutes_to_jp('completions.duration_minutes') }} as jp,
        completions.duration_minutes as jp_minutes,
        completions.completed_at as reported_at,
        completions._batch_id,
        asns._batch_id as _asn_batch_id
    from completions
    inner join asns
        on completions.nip = asns.nip
),

catalogue as (
    select
        training_id,
        lower(btrim(nama_pelatihan)) as name_key,
        tanggal_mulai,
        penyelenggara_id
    from trainings
    where training_source = 'bpsdm_kemendagri'
),

file_matched as (
    select
        file_rows.*,
        coalesce(by_code.training_id, by_name.training_id) as training_id,
        coalesce(by_code.penyelenggara_id, by_name.penyelenggara_id) as penyelenggara_id,
        {{ resolved_instansi_id('origin') }} as origin_instansi_id
    from file_rows
    left join catalogue as by_code
        on file_rows.kode_pelatihan = by_code.training_id
    left join catalogue as by_name
        on
            file_rows.kode_pelatihan is null
            and by_name.name_key = lower(btrim(file_rows.nama_pelatihan))
            and file_rows.tanggal_mulai = by_name.tanggal_mulai
    {{ join_instansi(
        'origin',
        normalise_instansi_code('file_rows.instansi_asal'),
        'file_rows.instansi_asal',
    ) }}
),

from_files as (
    select
        'bpsdm_daerah' as report_source,
        file_row_id as report_id,
        nip,
        training_id,
        origin_instansi_id,
        case
            when region_code = penyelenggara_id then 'penyelenggara'
            else 'asal'
        end as pelapor,
        -- the Status column is optional: a row without one reports a completion
        coalesce(hasil, 'lulus') as hasil,
        jp,
        {{ jp_to_minutes('jp') }} as jp_minutes,
        cast(tanggal_mulai as timestamp) at time zone 'UTC' as reported_at,
        _batch_id,
        cast(null as bigint) as _asn_batch_id
    from file_matched
    where training_id is not null
),

unioned as (
    select * from from_api
    union all
    select * from from_lms
    union all
    select * from from_files
),

final as (
    select
        case
            when unioned.report_source = 'kemnaker_corpu'
                then md5('kemnaker_corpu|' || unioned.report_id)
            else md5(unioned.nip || '|' || unioned.training_id)
        end as participation_key,
        unioned.report_source,
        unioned.report_id,
        unioned.nip,
        unioned.training_id,
        unioned.origin_instansi_id,
        unioned.pelapor,
        unioned.hasil,
        unioned.jp,
        unioned.jp_minutes,
        unioned.reported_at,
        case
            when unioned.report_source = 'kemnaker_corpu'
                then cast(extract(year from unioned.reported_at at time zone 'Asia/Jakarta') as integer)
            else cast(extract(year from trainings.tanggal_mulai) as integer)
        end as tahun,
        unioned._batch_id,
        -- the latest batch a report's figures come from: its own, the catalogue training's (an
        -- e-learning course is fixed: its title, the only field that moves, is not used above)
        -- and, for a completion, the learner's SIASN record (the origin)
        greatest(
            unioned._batch_id,
            case when trainings.training_source = 'bpsdm_kemendagri' then trainings._batch_id end,
            unioned._asn_batch_id
        ) as _source_batch_id
    from unioned
    inner join trainings
        on unioned.training_id = trainings.training_id
    where unioned.origin_instansi_id is not null
)

select * from final
