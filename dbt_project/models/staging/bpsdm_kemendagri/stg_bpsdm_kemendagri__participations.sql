with

source as (
    select * from {{ source_or_empty('bpsdm_kemendagri', 'participations') }}
),

keyed as (
    select
        *,
        {{ text_field('partisipasi_id') }} as record_key
    from source
),

renamed as (
    select
        record_key as partisipasi_id,
        {{ text_field('kode_pelatihan') }} as kode_pelatihan,
        {{ clean_nip("record ->> 'nip'") }} as nip,
        {{ normalise_instansi_code("record ->> 'instansi_asal_kode'") }} as instansi_asal_kode,
        {{ text_field('instansi_asal_nama') }} as instansi_asal_nama,
        lower({{ text_field('pelapor') }}) as pelapor,
        lower({{ text_field('hasil') }}) as hasil,
        {{ parse_number("record -> 'jp_diakui'") }} as jp_diakui,
        record -> 'jp_diakui' as jp_diakui_raw,
        {{ parse_timestamp("record ->> 'modified_at'") }} as modified_at,
        _batch_id,
        _extracted_at,
        _record_hash,
        record as source_record
    from keyed
),

validated as (
    select
        *,
        case
            when partisipasi_id is null then 'partisipasi_id_missing'
            when {{ nip_invalid_reason('nip') }} is not null then 'invalid_nip'
            when kode_pelatihan is null then 'kode_pelatihan_missing'
            when instansi_asal_kode is null and instansi_asal_nama is null then 'instansi_missing'
            when hasil is null or hasil not in ('proses', 'lulus', 'tidak_lulus')
                then 'unknown_hasil'
            when pelapor is not null and pelapor not in ('penyelenggara', 'asal')
                then 'unknown_pelapor'
            when jp_diakui < 0 then 'negative_jp'
            when jp_diakui is null and jsonb_typeof(jp_diakui_raw) not in ('null')
                then 'negative_jp'
            when {{ is_unknown_instansi_code('instansi_asal_kode') }} then 'unknown_instansi'
            when kode_pelatihan not in (
                select t.kode_pelatihan
                from {{ ref('stg_bpsdm_kemendagri__trainings') }} as t
                where t.is_valid
            ) then 'unknown_training'
        end as invalid_reason
    from renamed
),

deduplicated as (
    select
        *,
        {{ version_rank(
            'partisipasi_id',
            "source_record ->> 'modified_at' desc nulls last, _batch_id desc, _record_hash desc",
        ) }} as version_rank
    from validated
),

final as (
    select
        partisipasi_id,
        kode_pelatihan,
        nip,
        instansi_asal_kode,
        instansi_asal_nama,
        pelapor,
        hasil,
        jp_diakui,
        modified_at,
        invalid_reason,
        invalid_reason is null as is_valid,
        _batch_id,
        _extracted_at,
        _record_hash,
        source_record
    from deduplicated
    where version_rank = 1
)

select * from final
