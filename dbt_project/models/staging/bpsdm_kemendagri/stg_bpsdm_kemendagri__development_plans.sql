with

source as (
    select * from {{ source_or_empty('bpsdm_kemendagri', 'development_plans') }}
    {{- new_batches_only() }}
),

keyed as (
    select
        *,
        {{ text_field('rencana_id') }} as record_key
    from source
),

-- materialized: inlined, every later use of a parsed field would parse it again
renamed as materialized (
    select
        record_key as rencana_id,
        {{ normalise_instansi_code("record ->> 'instansi_kode'") }} as instansi_kode,
        {{ text_field('instansi_nama') }} as instansi_nama,
        {{ parse_number("record -> 'tahun'", 'integer') }} as tahun,
        lower({{ text_field('jenis_pelatihan') }}) as jenis_pelatihan,
        {{ parse_number("record -> 'rencana_peserta'", 'integer') }} as rencana_peserta,
        {{ parse_number("record -> 'rencana_jp'") }} as rencana_jp,
        {{ parse_rupiah("record -> 'rencana_anggaran_idr'") }} as rencana_anggaran_idr,
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
            when rencana_id is null then 'rencana_id_missing'
            when instansi_kode is null and instansi_nama is null then 'instansi_missing'
            when tahun is null or not {{ is_plausible_year('tahun') }} then 'invalid_date'
            when
                jenis_pelatihan is null
                or jenis_pelatihan not in (select s.jenis_pelatihan from {{ ref('training_kinds') }} as s)
                then 'unknown_jenis_pelatihan'
            when rencana_peserta is null or rencana_peserta < 0 then 'invalid_count'
            when rencana_jp is null then 'invalid_jp'
            when rencana_jp < 0 then 'negative_jp'
            when rencana_anggaran_idr is null then 'invalid_amount'
            when rencana_anggaran_idr < 0 then 'negative_amount'
            when {{ is_unknown_instansi_code('instansi_kode') }} then 'unknown_instansi'
        end as invalid_reason
    from renamed
),

staged as (
    select
        rencana_id,
        instansi_kode,
        instansi_nama,
        tahun,
        jenis_pelatihan,
        rencana_peserta,
        rencana_jp,
        rencana_anggaran_idr,
        modified_at,
        invalid_reason,
        _source_changed_at,
        {{ version_columns('rencana_id') }}
    from validated
),

-- the latest version of each group wins (see macros/version_rank.sql)
final as (
    {{ latest_versions('staged', newest_by="_source_changed_at") }}
)

select * from final
