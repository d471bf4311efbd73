{#- Competency assessments of the Kemendagri API and of regional file drops,
    the job's standard level taken from the record, else from the standards
    table. Gap = standard - assessed (positive = shortfall). -#}
with

api_assessments as (
    select * from {{ ref('stg_bpsdm_kemendagri__competency_assessments') }}
    where is_valid
),

file_assessments as (
    select * from {{ ref('stg_bpsdm_daerah__assessments') }}
    where is_valid
),

standards as (
    select * from {{ ref('stg_bpsdm_kemendagri__competency_standards') }}
    where is_valid
),

from_api as (
    select
        'bpsdm_kemendagri' as report_source,
        api_assessments.asesmen_id as assessment_id,
        api_assessments.nip,
        {{ resolved_instansi_id('inst') }} as instansi_id,
        api_assessments.jabatan,
        api_assessments.jenis_kompetensi,
        api_assessments.level_standar,
        api_assessments.level_hasil,
        api_assessments.tanggal_asesmen,
        api_assessments._batch_id
    from api_assessments
    {{ join_instansi('inst', 'api_assessments.instansi_kode', 'api_assessments.instansi_nama') }}
),

from_files as (
    select
        'bpsdm_daerah' as report_source,
        file_assessments.file_row_id as assessment_id,
        file_assessments.nip,
        {{ resolved_instansi_id('inst') }} as instansi_id,
        file_assessments.jabatan,
        file_assessments.jenis_kompetensi,
        file_assessments.level_standar,
        file_assessments.level_hasil,
        file_assessments.tanggal_asesmen,
        file_assessments._batch_id
    from file_assessments
    {{ join_instansi(
        'inst',
        normalise_instansi_code('file_assessments.instansi_asal'),
        'file_assessments.instansi_asal',
    ) }}
),

unioned as (
    select * from from_api
    union all
    select * from from_files
),

with_standard as (
    select
        unioned.*,
        coalesce(unioned.level_standar, standards.level_standar) as standard_level
    from unioned
    left join standards
        on
            lower(standards.jabatan) = lower(unioned.jabatan)
            and unioned.jenis_kompetensi = standards.jenis_kompetensi
),

deduplicated as (
    select
        *,
        row_number() over (
            partition by nip, jenis_kompetensi, tanggal_asesmen
            order by case report_source when 'bpsdm_kemendagri' then 1 else 2 end, assessment_id
        ) as report_rank
    from with_standard
    where
        instansi_id is not null
        and standard_level is not null
),

final as (
    select
        assessment_id,
        report_source,
        nip,
        instansi_id,
        jabatan,
        jenis_kompetensi,
        standard_level,
        level_hasil as assessed_level,
        standard_level - level_hasil as gap,
        level_hasil >= standard_level as is_meeting_standard,
        tanggal_asesmen,
        cast(extract(year from tanggal_asesmen) as integer) as tahun,
        _batch_id
    from deduplicated
    where report_rank = 1
)

select * from final
