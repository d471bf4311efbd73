with

source as (
    select * from {{ source_or_empty('bpsdm_kemendagri', 'trainings') }}
    {{- new_batches_only() }}
),

keyed as (
    select
        *,
        {{ text_field('kode_pelatihan') }} as record_key
    from source
),

-- materialized: inlined, every later use of a parsed field would parse it again
renamed as materialized (
    select
        record_key as kode_pelatihan,
        {{ text_field('nama_pelatihan') }} as nama_pelatihan,
        lower({{ text_field('jenis_pelatihan') }}) as jenis_pelatihan,
        lower({{ text_field('mode') }}) as mode,
        lower({{ text_field('kategori_pembelajaran') }}) as kategori_pembelajaran,
        {{ normalise_instansi_code("record ->> 'penyelenggara_kode'") }} as penyelenggara_kode,
        {{ text_field('penyelenggara_nama') }} as penyelenggara_nama,
        {{ parse_date("record ->> 'tanggal_mulai'") }} as tanggal_mulai,
        {{ parse_date("record ->> 'tanggal_selesai'") }} as tanggal_selesai,
        {{ parse_number("record -> 'jp'") }} as jp,
        case lower(record ->> 'terakreditasi_lan')
            when 'true' then true
            when 'false' then false
            when 'ya' then true
            when 'tidak' then false
        end as is_lan_accredited,
        {{ parse_number("record -> 'kuota_peserta'", 'integer') }} as kuota_peserta,
        {{ parse_number("record -> 'kuota_daerah'", 'integer') }} as kuota_daerah,
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
            when kode_pelatihan is null then 'kode_pelatihan_missing'
            when
                jenis_pelatihan is null
                or jenis_pelatihan not in (select s.jenis_pelatihan from {{ ref('training_kinds') }} as s)
                then 'unknown_jenis_pelatihan'
            when mode is not null and mode not in ('klasikal', 'non_klasikal') then 'unknown_mode'
            when
                kategori_pembelajaran is not null
                and kategori_pembelajaran not in ('formal', 'sosial', 'pengalaman')
                then 'unknown_kategori_pembelajaran'
            when tanggal_mulai is null then 'invalid_date'
            when tanggal_selesai < tanggal_mulai then 'invalid_date'
            when jp is null then 'invalid_jp'
            when jp < 0 then 'negative_jp'
            when kuota_peserta < 0 or kuota_daerah < 0 then 'invalid_count'
            when {{ is_unknown_instansi_code('penyelenggara_kode') }} then 'unknown_instansi'
        end as invalid_reason
    from renamed
),

staged as (
    select
        kode_pelatihan,
        nama_pelatihan,
        jenis_pelatihan,
        mode,
        kategori_pembelajaran,
        penyelenggara_kode,
        penyelenggara_nama,
        tanggal_mulai,
        tanggal_selesai,
        jp,
        is_lan_accredited,
        kuota_peserta,
        kuota_daerah,
        modified_at,
        invalid_reason,
        _source_changed_at,
        {{ version_columns('kode_pelatihan') }}
    from validated
),

-- the latest version of each group wins (see macros/version_rank.sql)
final as (
    {{ latest_versions('staged', newest_by="_source_changed_at") }}
)

select * from final
