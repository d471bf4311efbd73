with

trainings as (
    select * from {{ ref('int_trainings_conformed') }}
),

final as (
    select
        training_id,
        training_source,
        nama_pelatihan,
        jenis_pelatihan,
        mode,
        kategori_pembelajaran,
        penyelenggara_id,
        penyelenggara_provinsi_kode,
        is_central_hosted,
        tanggal_mulai,
        tanggal_selesai,
        cast(jp as numeric(12, 2)) as jp,
        is_lan_accredited,
        kuota_peserta,
        kuota_daerah
    from trainings
)

select * from final
