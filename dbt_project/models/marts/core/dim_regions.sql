with

wilayah as (
    select * from {{ ref('wilayah') }}
),

final as (
    select
        btrim(kode) as wilayah_kode,
        btrim(nama) as wilayah_nama,
        btrim(tingkat) as tingkat,
        btrim(kode_provinsi) as provinsi_kode,
        btrim(kode_provinsi) in ('93', '94', '95', '96') as is_dob
    from wilayah
)

select * from final
