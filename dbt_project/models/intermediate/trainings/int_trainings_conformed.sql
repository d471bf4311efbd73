{{ config(indexes=[{'columns': ['training_id'], 'unique': true}]) }}
{#- Every training a participation can point at: the Kemendagri catalogue
    and the Kemnaker LMS courses (e-learning, hosted by Kemnaker). Regional
    file drops report participations in catalogue trainings; a file row that
    matches none is quarantined as unknown_training. -#}
with

catalogue as (
    select * from {{ ref('stg_bpsdm_kemendagri__trainings') }}
    where is_valid
),

completions as (
    select * from {{ ref('stg_kemnaker_corpu__completions') }}
    where is_valid
),

kinds as (
    select * from {{ ref('training_kinds') }}
),

catalogue_resolved as (
    select
        catalogue.kode_pelatihan as training_id,
        'bpsdm_kemendagri' as training_source,
        catalogue.nama_pelatihan,
        catalogue.jenis_pelatihan,
        coalesce(catalogue.mode, kinds.mode) as mode,
        coalesce(catalogue.kategori_pembelajaran, kinds.kategori_pembelajaran)
            as kategori_pembelajaran,
        {{ resolved_instansi_id('host') }} as penyelenggara_id,
        catalogue.tanggal_mulai,
        catalogue.tanggal_selesai,
        catalogue.jp,
        catalogue.is_lan_accredited,
        catalogue.kuota_peserta,
        catalogue.kuota_daerah,
        catalogue._batch_id
    from catalogue
    inner join kinds
        on catalogue.jenis_pelatihan = kinds.jenis_pelatihan
    {{ join_instansi('host', 'catalogue.penyelenggara_kode', 'catalogue.penyelenggara_nama') }}
),

kemnaker as (
    select instansi_id
    from {{ ref('int_institution_lookup') }}
    where lookup_kind = 'name' and lookup_key = 'kementerian ketenagakerjaan'
),

courses as (
    select
        'CORPU-' || completions.course_id as training_id,
        'kemnaker_corpu' as training_source,
        max(completions.course_title) as nama_pelatihan,
        'e_learning' as jenis_pelatihan,
        'non_klasikal' as mode,
        'formal' as kategori_pembelajaran,
        max(kemnaker.instansi_id) as penyelenggara_id,
        cast(null as date) as tanggal_mulai,
        cast(null as date) as tanggal_selesai,
        cast(null as numeric) as jp,
        false as is_lan_accredited,
        cast(null as integer) as kuota_peserta,
        cast(null as integer) as kuota_daerah,
        max(completions._batch_id) as _batch_id
    from completions
    cross join kemnaker
    group by completions.course_id
),

unioned as (
    select * from catalogue_resolved
    union all
    select * from courses
),

final as (
    select
        unioned.*,
        hosts.is_central as is_central_hosted,
        hosts.provinsi_kode as penyelenggara_provinsi_kode
    from unioned
    inner join {{ ref('int_institutions') }} as hosts
        on unioned.penyelenggara_id = hosts.instansi_id
)

select * from final
