{#- The conformed institution dimension: every province, regency/city
    government (Kemendagri codes) and central K/L, with the DOB flag. -#}
with

wilayah as (
    select * from {{ ref('wilayah') }}
),

central_institutions as (
    select * from {{ ref('central_institutions') }}
),

regions as (
    select
        btrim(kode) as instansi_id,
        btrim(nama) as wilayah_nama,
        btrim(tingkat) as instansi_level,
        btrim(kode_provinsi) as provinsi_kode,
        is_dob
    from wilayah
),

regional as (
    select
        regions.instansi_id,
        case regions.instansi_level
            when 'provinsi' then 'Pemerintah Provinsi ' || regions.wilayah_nama
            when 'kota' then 'Pemerintah Kota ' || regexp_replace(regions.wilayah_nama, '^Kota ', '')
            else 'Pemerintah Kabupaten ' || regexp_replace(regions.wilayah_nama, '^Kabupaten ', '')
        end as instansi_nama,
        null as singkatan,
        regions.instansi_level,
        regions.wilayah_nama,
        regions.provinsi_kode,
        provinces.wilayah_nama as provinsi_nama,
        regions.is_dob
    from regions
    inner join regions as provinces
        on regions.provinsi_kode = provinces.instansi_id
),

central as (
    select
        btrim(instansi_id) as instansi_id,
        btrim(instansi_nama) as instansi_nama,
        btrim(singkatan) as singkatan,
        'kementerian_lembaga' as instansi_level,
        null as wilayah_nama,
        null as provinsi_kode,
        null as provinsi_nama,
        false as is_dob
    from central_institutions
),

unioned as (
    select * from regional
    union all
    select * from central
),

final as (
    select
        instansi_id,
        instansi_nama,
        singkatan,
        instansi_level,
        instansi_level = 'kementerian_lembaga' as is_central,
        wilayah_nama,
        provinsi_kode,
        provinsi_nama,
        -- the four new Papua provinces of 2022 (Daerah Otonomi Baru), from the seed
        is_dob
    from unioned
)

select * from final
