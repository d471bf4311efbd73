with

source as (
    select * from {{ source_or_empty('siasn', 'asn') }}
    {{- new_batches_only() }}
),

keyed as (
    select
        *,
        {{ clean_nip("record ->> 'nip'") }} as record_key
    from source
),

-- materialized: inlined, every later use of a parsed field would parse it again
renamed as materialized (
    select
        record_key as nip,
        {{ text_field('nama') }} as nama,
        upper({{ text_field('gender') }}) as gender,
        {{ parse_date("record ->> 'tanggal_lahir'") }} as birth_date,
        upper({{ text_field('status_kepegawaian') }}) as status_kepegawaian,
        {{ normalise_instansi_code("record ->> 'instansi_kode'") }} as instansi_kode,
        {{ text_field('instansi_nama') }} as instansi_nama,
        {{ text_field('unit_kerja') }} as unit_kerja,
        {{ text_field('jabatan') }} as jabatan,
        lower({{ text_field('jenis_jabatan') }}) as jenis_jabatan,
        {{ text_field('golongan') }} as golongan,
        {{ normalise_instansi_code("record ->> 'lokasi_kerja_kode'") }} as lokasi_kerja_kode,
        {{ parse_timestamp("record ->> 'updated_at'") }} as updated_at,
        record ->> 'tanggal_lahir' as tanggal_lahir_text,
        _batch_id,
        _extracted_at,
        _record_hash,
        record ->> 'updated_at' as _source_changed_at
    from keyed
),

validated as materialized (
    select
        *,
        case
            when {{ nip_invalid_reason('nip') }} is not null then 'invalid_nip'
            when status_kepegawaian not in ('PNS', 'PPPK', 'CPNS') or status_kepegawaian is null
                then 'unknown_status_kepegawaian'
            when instansi_kode is null and instansi_nama is null then 'instansi_missing'
            when birth_date is null and tanggal_lahir_text is not null then 'invalid_date'
            when gender is not null and gender not in ('L', 'P') then 'unknown_gender'
            when {{ is_unknown_instansi_code('instansi_kode') }} then 'unknown_instansi'
        end as invalid_reason
    from renamed
),

staged as (
    select
        nip,
        {{ nip_kind('nip') }} as nip_kind,
        nama,
        gender,
        birth_date,
        status_kepegawaian,
        instansi_kode,
        instansi_nama,
        unit_kerja,
        jabatan,
        jenis_jabatan,
        golongan,
        lokasi_kerja_kode,
        updated_at,
        invalid_reason,
        _source_changed_at,
        {{ version_columns('nip') }}
    from validated
),

-- the latest version of each group wins (see macros/version_rank.sql)
final as (
    {{ latest_versions('staged', newest_by="_source_changed_at") }}
)

select * from final
