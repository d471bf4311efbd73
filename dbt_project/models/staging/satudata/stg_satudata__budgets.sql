with

source as (
    select * from {{ source_or_empty('satudata', 'budgets') }}
    {{- new_batches_only() }}
),

keyed as (
    select
        *,
        {{ text_field('_id') }} as record_key
    from source
),

-- materialized: inlined, every later use of a parsed field would parse it again
renamed as materialized (
    select
        record_key as budget_id,
        {{ parse_number("record -> 'tahun'", 'integer') }} as tahun,
        {{ normalise_instansi_code("record ->> 'kode_satker'") }} as kode_satker,
        {{ text_field('nama_instansi') }} as nama_instansi,
        {{ text_field('sumber_dana') }} as sumber_dana_text,
        {{ normalise_funding_source("record ->> 'sumber_dana'") }} as sumber_dana,
        {{ text_field('program') }} as program,
        {{ parse_rupiah("record -> 'pagu'") }} as pagu_idr,
        {{ parse_rupiah("record -> 'realisasi'") }} as realisasi_idr,
        {{ parse_number("record -> 'target_peserta'", 'integer') }} as target_peserta,
        _batch_id,
        _extracted_at,
        _record_hash,
        record -> 'realisasi' as realisasi_sent
    from keyed
),

validated as materialized (
    select
        *,
        case
            when budget_id is null then 'budget_id_missing'
            when tahun is null or not {{ is_plausible_year('tahun') }} then 'invalid_date'
            when kode_satker is null and nama_instansi is null then 'instansi_missing'
            when sumber_dana is null then 'unknown_sumber_dana'
            when pagu_idr is null then 'invalid_amount'
            when pagu_idr < 0 then 'negative_amount'
            when
                realisasi_idr is null and realisasi_sent is not null
                and jsonb_typeof(realisasi_sent) != 'null'
                then 'invalid_amount'
            when realisasi_idr < 0 then 'negative_amount'
            when target_peserta < 0 then 'invalid_count'
            when {{ is_unknown_instansi_code('kode_satker') }} then 'unknown_instansi'
        end as invalid_reason
    from renamed
),

staged as (
    select
        budget_id,
        tahun,
        kode_satker,
        nama_instansi,
        sumber_dana_text,
        sumber_dana,
        program,
        pagu_idr,
        realisasi_idr,
        target_peserta,
        invalid_reason,
        {{ version_columns('budget_id') }}
    from validated
),

-- the latest version of each group wins (see macros/version_rank.sql)
final as (
    {{ latest_versions('staged') }}
)

select * from final
