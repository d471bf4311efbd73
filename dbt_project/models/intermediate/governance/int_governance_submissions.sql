{#- Every record an institution submitted, attributed to its submitter and
    the month it reports, with when it was first loaded and, if it was kept
    out of the marts, why. One row per staged record, plus one row per
    (file, reason) for the rows the file loader refused before raw
    (`record_count` says how many).
    - regional files (bpsdm_daerah): the region whose folder holds the file,
      the folder's month, the file's load time;
    - Kemendagri API participations: the training's host for a host report,
      the origin institution for an origin report (pelapor = asal); the month
      (WIB) of the record's modified_at, the load time of the batch that
      brought the version kept in staging. A record whose submitter cannot be
      told (no training and no known origin) is left out.
    The reason is staging's invalid_reason, else the one
    int_quarantine_candidates gives a valid but unresolvable record. -#}
with

file_loads as (
    select * from {{ ref('int_governance_file_loads') }}
),

file_participations as (
    select * from {{ ref('stg_bpsdm_daerah__participations') }}
),

file_assessments as (
    select * from {{ ref('stg_bpsdm_daerah__assessments') }}
),

api_reports as (
    select * from {{ ref('stg_bpsdm_kemendagri__participations') }}
),

candidates as (
    select * from {{ ref('int_quarantine_candidates') }}
),

reports as (
    select * from {{ ref('int_participation_reports_unioned') }}
    where report_source = 'bpsdm_kemendagri'
),

trainings as (
    select * from {{ ref('int_trainings_conformed') }}
),

institutions as (
    select * from {{ ref('int_institutions') }}
),

load_batches as (
    select * from meta.load_batches
),

file_rows as (
    select
        'participations' as entity,
        file_row_id as record_key,
        _version_key,
        _batch_id,
        is_valid,
        invalid_reason
    from file_participations
    union all
    select
        'assessments' as entity,
        file_row_id as record_key,
        _version_key,
        _batch_id,
        is_valid,
        invalid_reason
    from file_assessments
),

from_files as (
    select
        'file_drop' as channel,
        'bpsdm_daerah' as source,
        file_rows.entity,
        file_rows.record_key,
        file_rows._version_key as version_key,
        file_loads.instansi_id,
        file_loads.report_month,
        file_rows._batch_id as batch_id,
        file_loads.loaded_at,
        coalesce(file_rows.invalid_reason, candidates.reason) as quarantine_reason,
        1 as record_count
    from file_rows
    inner join file_loads
        on file_rows._batch_id = file_loads.batch_id
    left join candidates
        on
            file_rows.is_valid
            and candidates.source = 'bpsdm_daerah'
            and file_rows.entity = candidates.entity
            and file_rows.record_key = candidates.record_key
            and file_rows._batch_id = candidates.batch_id
),

refused_at_load as (
    select
        'file_drop' as channel,
        'bpsdm_daerah' as source,
        'refused_at_load' as entity,
        cast(null as text) as record_key,
        'refused|' || file_loads.file_load_key || '|' || reasons.reason as version_key,
        file_loads.instansi_id,
        file_loads.report_month,
        file_loads.batch_id,
        file_loads.loaded_at,
        reasons.reason as quarantine_reason,
        cast(reasons.row_count as integer) as record_count
    from file_loads
    cross join lateral jsonb_each_text(file_loads.refused_by_reason) as reasons (reason, row_count)
    where file_loads.file_status = 'loaded'
),

from_api as (
    select
        'api' as channel,
        'bpsdm_kemendagri' as source,
        'participations' as entity,
        api_reports.partisipasi_id as record_key,
        api_reports._version_key as version_key,
        case
            when coalesce(api_reports.pelapor, 'penyelenggara') = 'asal'
                then coalesce(reports.origin_instansi_id, origin_code.instansi_id)
            else trainings.penyelenggara_id
        end as instansi_id,
        cast(date_trunc(
            'month',
            coalesce(api_reports.modified_at, load_batches.finished_at, load_batches.started_at)
            at time zone 'Asia/Jakarta'
        ) as date) as report_month,
        api_reports._batch_id as batch_id,
        coalesce(load_batches.finished_at, load_batches.started_at) as loaded_at,
        coalesce(api_reports.invalid_reason, candidates.reason) as quarantine_reason,
        1 as record_count
    from api_reports
    left join load_batches
        on api_reports._batch_id = load_batches.batch_id
    left join reports
        on api_reports.partisipasi_id = reports.report_id
    left join trainings
        on api_reports.kode_pelatihan = trainings.training_id
    left join institutions as origin_code
        on upper(api_reports.instansi_asal_kode) = origin_code.instansi_id
    left join candidates
        on
            api_reports.is_valid
            and candidates.source = 'bpsdm_kemendagri'
            and candidates.entity = 'participations'
            and api_reports.partisipasi_id = candidates.record_key
            and api_reports._batch_id = candidates.batch_id
),

unioned as (
    select * from from_files
    union all
    select * from refused_at_load
    union all
    select * from from_api
),

final as (
    select
        md5(channel || '|' || entity || '|' || version_key) as submission_key,
        channel,
        source,
        entity,
        record_key,
        instansi_id,
        report_month,
        batch_id,
        loaded_at,
        quarantine_reason,
        record_count
    from unioned
    where
        instansi_id is not null
        and report_month is not null
)

select * from final
