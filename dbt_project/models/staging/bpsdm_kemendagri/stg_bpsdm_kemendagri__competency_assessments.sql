with

source as (
    select * from {{ source_or_empty('bpsdm_kemendagri', 'competency_assessments') }}
    {{- new_batches_only() }}
),

keyed as (
    select
        *,
        {{ text_field('asesmen_id') }} as record_key
    from source
),

-- materialized: inlined, every later use of a parsed field would parse it again
renamed as materialized (
    select
        record_key as asesmen_id,
        {{ clean_nip("record ->> 'nip'") }} as nip,
        {{ normalise_instansi_code("record ->> 'instansi_kode'") }} as instansi_kode,
        {{ text_field('instansi_nama') }} as instansi_nama,
        {{ text_field('jabatan') }} as jabatan,
        lower({{ text_field('jenis_kompetensi') }}) as jenis_kompetensi,
        {{ parse_number("record -> 'level_standar'", 'integer') }} as level_standar,
        {{ parse_number("record -> 'level_hasil'", 'integer') }} as level_hasil,
        {{ parse_date("record ->> 'tanggal_asesmen'") }} as tanggal_asesmen,
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
            when asesmen_id is null then 'asesmen_id_missing'
            when {{ nip_invalid_reason('nip') }} is not null then 'invalid_nip'
            when instansi_kode is null and instansi_nama is null then 'instansi_missing'
            when
                jenis_kompetensi is null
                or jenis_kompetensi not in ('teknis', 'manajerial', 'sosial_kultural')
                then 'unknown_jenis_kompetensi'
            when level_standar is not null and level_standar not between 1 and 5
                then 'invalid_level'
            when level_hasil is null or level_hasil not between 1 and 5 then 'invalid_level'
            when tanggal_asesmen is null then 'invalid_date'
            when {{ is_unknown_instansi_code('instansi_kode') }} then 'unknown_instansi'
        end as invalid_reason
    from renamed
),

staged as (
    select
        asesmen_id,
        nip,
        instansi_kode,
        instansi_nama,
        jabatan,
        jenis_kompetensi,
        level_standar,
        level_hasil,
        tanggal_asesmen,
        modified_at,
        invalid_reason,
        _source_changed_at,
        {{ version_columns('asesmen_id') }}
    from validated
),

-- the latest version of each group wins (see macros/version_rank.sql)
final as (
    {{ latest_versions('staged', newest_by="_source_changed_at") }}
)

select * from final
