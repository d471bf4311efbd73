{#- Participation reports (host or origin) of the Kemendagri API. A report
    naming a training the catalogue lacks is valid here and quarantined as
    unknown_training by int_quarantine_candidates: staging reads its own raw
    table only, so an incremental run never needs to re-check old rows when
    the catalogue changes. -#}
with

source as (
    select * from {{ source_or_empty('bpsdm_kemendagri', 'participations') }}
    {{- new_batches_only() }}
),

keyed as (
    select
        *,
        {{ text_field('partisipasi_id') }} as record_key
    from source
),

-- materialized: inlined, every later use of a parsed field would parse it again
renamed as materialized (
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
        record ->> 'modified_at' as _source_changed_at
    from keyed
),

validated as materialized (
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
                then 'invalid_jp'
            when {{ is_unknown_instansi_code('instansi_asal_kode') }} then 'unknown_instansi'
        end as invalid_reason
    from renamed
),

staged as (
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
        _source_changed_at,
        {{ version_columns('partisipasi_id') }}
    from validated
),

-- the latest version of each group wins (see macros/version_rank.sql)
final as (
    {{ latest_versions('staged', newest_by="_source_changed_at") }}
)

select * from final
