with

certifications as (
    select * from {{ ref('stg_bpsdm_kemendagri__certifications') }}
    where is_valid
),

final as (
    select
        certifications.sertifikasi_id,
        certifications.nip,
        {{ resolved_instansi_id('inst') }} as instansi_id,
        certifications.jenis_sertifikasi,
        certifications.tanggal_sertifikasi,
        cast(extract(year from certifications.tanggal_sertifikasi) as integer) as tahun,
        certifications.hasil,
        certifications._batch_id
    from certifications
    {{ join_instansi('inst', 'certifications.instansi_kode', 'certifications.instansi_nama') }}
    where {{ resolved_instansi_id('inst') }} is not null
)

select * from final
