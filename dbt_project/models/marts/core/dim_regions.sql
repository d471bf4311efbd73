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
        -- the four new Papua provinces of 2022 (Daerah Otonomi Baru), from the seed
        is_dob
    from wilayah
)

select * from final
