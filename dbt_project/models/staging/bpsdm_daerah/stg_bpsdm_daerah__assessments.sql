{#- Assessment rows of regional file drops, keyed by region, NIP, competency
    type and assessment date (no id of their own). -#}
with

source as (
    select * from {{ source_or_empty('bpsdm_daerah', 'assessments') }}
    {{- new_batches_only() }}
),

-- materialized: inlined, every later use of a parsed field would parse it again
typed as materialized (
    select
        _batch_id,
        _extracted_at,
        _record_hash,
        record,
        {{ normalise_instansi_code(
            "coalesce(record ->> 'region_code', record ->> 'kode_wilayah', record ->> '_region_code')"
        ) }} as region_code,
        {{ clean_nip("record ->> 'nip'") }} as nip,
        {{ text_field('instansi_asal') }} as instansi_asal,
        {{ text_field('jabatan') }} as jabatan,
        lower(replace({{ text_field('jenis_kompetensi') }}, ' ', '_')) as jenis_kompetensi,
        {{ parse_number("record -> 'level_standar'", 'integer') }} as level_standar,
        {{ parse_number("record -> 'level_hasil'", 'integer') }} as level_hasil,
        {{ parse_date("record ->> 'tanggal_asesmen'") }} as tanggal_asesmen,
        {{ text_field('level_standar') }} as level_standar_text,
        {{ text_field('level_hasil') }} as level_hasil_text,
        {{ text_field('tanggal_asesmen') }} as tanggal_asesmen_text
    from source
),

keyed as (
    select
        *,
        md5(concat_ws('|', region_code, nip, jenis_kompetensi, tanggal_asesmen)) as record_key
    from typed
),

validated as materialized (
    select
        record_key as file_row_id,
        region_code,
        nip,
        instansi_asal,
        jabatan,
        jenis_kompetensi,
        level_standar,
        level_hasil,
        tanggal_asesmen,
        case
            -- a required column of the file-drop contract is empty: ingestion's word for it
            when
                nip is null
                or instansi_asal is null
                or jabatan is null
                or jenis_kompetensi is null
                or level_standar_text is null
                or level_hasil_text is null
                or tanggal_asesmen_text is null
                then 'missing_required'
            when {{ nip_invalid_reason('nip') }} is not null then 'invalid_nip'
            when jenis_kompetensi not in ('teknis', 'manajerial', 'sosial_kultural')
                then 'unknown_jenis_kompetensi'
            when level_standar is null or level_standar not between 1 and 5
                then 'invalid_level'
            when level_hasil is null or level_hasil not between 1 and 5 then 'invalid_level'
            when tanggal_asesmen is null then 'invalid_date'
            when {{ is_unknown_instansi_code("case when instansi_asal ~* '^(\d{2}(\.\d{2})?|KL-\d{3})$' then upper(instansi_asal) end") }}
                then 'unknown_instansi'
        end as invalid_reason,
        _batch_id,
        _extracted_at,
        _record_hash
    from keyed
),

staged as (
    select
        file_row_id,
        region_code,
        nip,
        instansi_asal,
        jabatan,
        jenis_kompetensi,
        level_standar,
        level_hasil,
        tanggal_asesmen,
        invalid_reason,
        {{ version_columns('file_row_id') }}
    from validated
),

-- the latest version of each group wins (see macros/version_rank.sql)
final as (
    {{ latest_versions('staged') }}
)

select * from final
