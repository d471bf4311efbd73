{{ config(indexes=[{'columns': ['nip'], 'unique': true}]) }}
{#- One row per valid NIP (the latest SIASN version), its institution
    resolved and its pseudonym computed once. Job history: snapshot
    snp_asn_jobs. -#}
with

asns as (
    select * from {{ ref('stg_siasn__asns') }}
    where is_valid
),

resolved as (
    select
        asns.*,
        {{ resolved_instansi_id('instansi') }} as instansi_id
    from asns
    {{ join_instansi('instansi', 'asns.instansi_kode', 'asns.instansi_nama') }}
),

final as (
    select
        nip,
        {{ pseudonymise_nip('nip') }} as asn_key,
        nip_kind,
        status_kepegawaian,
        gender,
        birth_date,
        instansi_id,
        unit_kerja,
        jabatan,
        jenis_jabatan,
        golongan,
        lokasi_kerja_kode,
        updated_at,
        _batch_id
    from resolved
    where instansi_id is not null
)

select * from final
