with

source as (
    select * from {{ source_or_empty('bpsdm_kemendagri', 'competency_standards') }}
    {{- new_batches_only() }}
),

keyed as (
    select
        *,
        {{ text_field('standar_id') }} as record_key
    from source
),

-- materialized: inlined, every later use of a parsed field would parse it again
renamed as materialized (
    select
        record_key as standar_id,
        {{ text_field('jabatan') }} as jabatan,
        lower({{ text_field('jenis_kompetensi') }}) as jenis_kompetensi,
        {{ parse_number("record -> 'level_standar'", 'integer') }} as level_standar,
        {{ parse_timestamp("record ->> 'modified_at'") }} as modified_at,
        _batch_id,
        _extracted_at,
        _record_hash,
        record ->> 'modified_at' as _source_changed_at
    from keyed
),

validated as materialized (
    select
        *,
        case
            when standar_id is null then 'standar_id_missing'
            when jabatan is null then 'jabatan_missing'
            when
                jenis_kompetensi is null
                or jenis_kompetensi not in ('teknis', 'manajerial', 'sosial_kultural')
                then 'unknown_jenis_kompetensi'
            when level_standar is null or level_standar not between 1 and 5
                then 'invalid_level'
        end as invalid_reason
    from renamed
),

staged as (
    select
        standar_id,
        jabatan,
        jenis_kompetensi,
        level_standar,
        modified_at,
        invalid_reason,
        _source_changed_at,
        {{ version_columns('standar_id') }}
    from validated
),

-- the latest version of each group wins (see macros/version_rank.sql)
final as (
    {{ latest_versions('staged', newest_by="_source_changed_at") }}
)

select * from final
