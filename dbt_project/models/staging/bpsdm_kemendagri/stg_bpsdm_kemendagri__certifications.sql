with

source as (
    select * from {{ source_or_empty('bpsdm_kemendagri', 'certifications') }}
    {{- new_batches_only() }}
),

keyed as (
    select
        *,
        {{ text_field('sertifikasi_id') }} as record_key
    from source
),

-- materialized: inlined, every later use of a parsed field would parse it again
renamed as materialized (
    select
        record_key as sertifikasi_id,
        {{ clean_nip("record ->> 'nip'") }} as nip,
        {{ normalise_instansi_code("record ->> 'instansi_kode'") }} as instansi_kode,
        {{ text_field('instansi_nama') }} as instansi_nama,
        {{ text_field('jenis_sertifikasi') }} as jenis_sertifikasi,
        {{ parse_date("record ->> 'tanggal_sertifikasi'") }} as tanggal_sertifikasi,
        lower({{ text_field('hasil') }}) as hasil,
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
            when sertifikasi_id is null then 'sertifikasi_id_missing'
            when {{ nip_invalid_reason('nip') }} is not null then 'invalid_nip'
            when instansi_kode is null and instansi_nama is null then 'instansi_missing'
            when jenis_sertifikasi is null then 'jenis_sertifikasi_missing'
            when tanggal_sertifikasi is null then 'invalid_date'
            when hasil is null or hasil not in ('kompeten', 'belum_kompeten') then 'unknown_hasil'
            when {{ is_unknown_instansi_code('instansi_kode') }} then 'unknown_instansi'
        end as invalid_reason
    from renamed
),

staged as (
    select
        sertifikasi_id,
        nip,
        instansi_kode,
        instansi_nama,
        jenis_sertifikasi,
        tanggal_sertifikasi,
        hasil,
        modified_at,
        invalid_reason,
        _source_changed_at,
        {{ version_columns('sertifikasi_id') }}
    from validated
),

-- the latest version of each group wins (see macros/version_rank.sql)
final as (
    {{ latest_versions('staged', newest_by="_source_changed_at") }}
)

select * from final
