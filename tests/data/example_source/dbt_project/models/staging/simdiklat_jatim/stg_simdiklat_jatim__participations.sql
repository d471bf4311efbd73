{#- SIMDIKLAT Jawa Timur participation reports: BPSDM Jatim reports the
    participants of the trainings it hosts (peran_pelapor penyelenggara) and
    its own staff in other hosts' trainings (asal). A report naming a
    training the catalogue lacks is valid here and quarantined as
    unknown_training by int_quarantine_candidates. -#}
with

source as (
    select * from {{ source_or_empty('simdiklat_jatim', 'participations') }}
    {{- new_batches_only() }}
),

keyed as (
    select
        *,
        {{ text_field('id_laporan') }} as record_key
    from source
),

-- materialized: inlined, every later use of a parsed field would parse it again
renamed as materialized (
    select
        record_key as id_laporan,
        {{ clean_nip("record ->> 'nip'") }} as nip,
        {{ text_field('kode_pelatihan') }} as kode_pelatihan,
        {{ normalise_instansi_code("record ->> 'kode_instansi_asal'") }} as instansi_asal_kode,
        lower({{ text_field('peran_pelapor') }}) as pelapor,
        -- LULUS, TIDAK LULUS, PROSES
        replace(lower({{ text_field('status_kelulusan') }}), ' ', '_') as hasil,
        {{ parse_number("record -> 'jp'") }} as jp,
        {{ parse_timestamp("record ->> 'diperbarui_pada'") }} as diperbarui_pada,
        _batch_id,
        _extracted_at,
        _record_hash,
        record ->> 'diperbarui_pada' as _source_changed_at
    from keyed
),

validated as materialized (
    select
        *,
        case
            when id_laporan is null then 'id_laporan_missing'
            when {{ nip_invalid_reason('nip') }} is not null then 'invalid_nip'
            when kode_pelatihan is null then 'kode_pelatihan_missing'
            when instansi_asal_kode is null then 'instansi_missing'
            when hasil is null or hasil not in ('proses', 'lulus', 'tidak_lulus')
                then 'unknown_hasil'
            when pelapor is null or pelapor not in ('penyelenggara', 'asal')
                then 'unknown_pelapor'
            when jp is null then 'invalid_jp'
            when jp < 0 then 'negative_jp'
            when {{ is_unknown_instansi_code('instansi_asal_kode') }} then 'unknown_instansi'
        end as invalid_reason
    from renamed
),

staged as (
    select
        id_laporan,
        nip,
        kode_pelatihan,
        instansi_asal_kode,
        pelapor,
        hasil,
        jp,
        diperbarui_pada,
        invalid_reason,
        _source_changed_at,
        {{ version_columns('id_laporan') }}
    from validated
),

-- the latest version of each group wins (see macros/version_rank.sql)
final as (
    {{ latest_versions('staged', newest_by="_source_changed_at") }}
)

select * from final
