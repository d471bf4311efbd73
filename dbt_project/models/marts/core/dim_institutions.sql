with

institutions as (
    select * from {{ ref('int_institutions') }}
),

final as (
    select
        instansi_id,
        instansi_nama,
        singkatan,
        instansi_level,
        is_central,
        provinsi_kode,
        provinsi_nama,
        is_dob
    from institutions
)

select * from final
