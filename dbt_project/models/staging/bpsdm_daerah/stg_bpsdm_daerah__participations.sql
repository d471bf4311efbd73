{#- File rows carry logical field names (the ingestion maps header variants);
    a row has no id of its own, so a participation is keyed by region, NIP,
    training and start date: the same row in a later upload replaces it. 
    A row is matched to the training catalogue in the intermediate layer
    (int_participation_reports_unioned); one matching no training is
    quarantined there as unknown_training. -#}
with

source as (
    select * from {{ source_or_empty('bpsdm_daerah', 'participations') }}
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
        {{ text_field('nama') }} as nama,
        {{ text_field('instansi_asal') }} as instansi_asal,
        {{ text_field('nama_pelatihan') }} as nama_pelatihan,
        {{ text_field('kode_pelatihan') }} as kode_pelatihan,
        {{ text_field('jenis_pelatihan') }} as jenis_pelatihan_text,
        {{ parse_date("record ->> 'tanggal_mulai'") }} as tanggal_mulai,
        {{ parse_date("record ->> 'tanggal_selesai'") }} as tanggal_selesai,
        record ->> 'tanggal_mulai' as tanggal_mulai_text,
        record ->> 'tanggal_selesai' as tanggal_selesai_text,
        {{ parse_number("record -> 'jp'") }} as jp,
        {{ text_field('jp') }} as jp_text,
        lower({{ text_field('hasil') }}) as hasil_text,
        {{ text_field('sumber_dana') }} as sumber_dana_text,
        {{ normalise_funding_source("record ->> 'sumber_dana'") }} as sumber_dana,
        {{ parse_rupiah("record -> 'biaya'") }} as biaya_idr,
        record -> 'biaya' as biaya_raw
    from source
),

keyed as (
    select
        *,
        md5(concat_ws(
            '|',
            region_code,
            nip,
            coalesce(kode_pelatihan, {{ normalise_name('nama_pelatihan') }}),
            tanggal_mulai
        )) as record_key
    from typed
),

renamed as (
    select
        record_key as file_row_id,
        region_code,
        nip,
        nama,
        instansi_asal,
        nama_pelatihan,
        kode_pelatihan,
        jenis_pelatihan_text,
        tanggal_mulai,
        tanggal_selesai,
        tanggal_mulai_text,
        tanggal_selesai_text,
        jp,
        jp_text,
        case
            when hasil_text is null then null
            when hasil_text ~ 'tidak|gagal|belum' then 'tidak_lulus'
            when hasil_text ~ 'lulus|selesai|kompeten' then 'lulus'
            when hasil_text ~ 'proses|berjalan|sedang' then 'proses'
        end as hasil,
        hasil_text,
        sumber_dana_text,
        sumber_dana,
        biaya_idr,
        biaya_raw,
        _batch_id,
        _extracted_at,
        _record_hash
    from keyed
),

validated as materialized (
    select
        renamed.*,
        case
            -- a required column of the file-drop contract is empty: ingestion's word for it
            when
                renamed.nip is null
                or renamed.instansi_asal is null
                or (renamed.nama_pelatihan is null and renamed.kode_pelatihan is null)
                or renamed.jenis_pelatihan_text is null
                or nullif(btrim(renamed.tanggal_mulai_text), '') is null
                or renamed.jp_text is null
                then 'missing_required'
            when {{ nip_invalid_reason('nip') }} is not null then 'invalid_nip'
            when renamed.tanggal_mulai is null then 'invalid_date'
            when renamed.tanggal_selesai is null and renamed.tanggal_selesai_text is not null
                then 'invalid_date'
            when renamed.tanggal_selesai < renamed.tanggal_mulai then 'invalid_date'
            when renamed.jp is null then 'invalid_jp'
            when renamed.jp < 0 then 'negative_jp'
            when renamed.hasil is null and renamed.hasil_text is not null then 'unknown_hasil'
            when
                renamed.biaya_idr is null and jsonb_typeof(renamed.biaya_raw) = 'string'
                and btrim(renamed.biaya_raw #>> '{}') != ''
                then 'invalid_amount'
            when renamed.biaya_idr < 0 then 'negative_amount'
            when {{ is_unknown_instansi_code("case when renamed.instansi_asal ~* '^(\d{2}(\.\d{2})?|KL-\d{3})$' then upper(renamed.instansi_asal) end") }}
                then 'unknown_instansi'
        end as invalid_reason
    from renamed
),

staged as (
    select
        file_row_id,
        region_code,
        nip,
        nama,
        instansi_asal,
        nama_pelatihan,
        kode_pelatihan,
        jenis_pelatihan_text,
        tanggal_mulai,
        tanggal_selesai,
        jp,
        hasil,
        sumber_dana,
        biaya_idr,
        invalid_reason,
        {{ version_columns('file_row_id') }}
    from validated
),

-- the latest version of each group wins (see macros/version_rank.sql)
final as (
    {{ latest_versions('staged') }}
)

select * from final
