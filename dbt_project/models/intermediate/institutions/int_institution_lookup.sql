{{ config(indexes=[{'columns': ['lookup_kind', 'lookup_key'], 'unique': true}]) }}
{#- Every code and name a source may use for an institution, to the
    canonical instansi_id. Names are matched normalised (lower case,
    punctuation as spaces). A name that could mean two institutions resolves
    to neither, unless the alias seed settles it (seed rows win). -#}
with

institutions as (
    select * from {{ ref('int_institutions') }}
),

alias_seed as (
    select * from {{ ref('institution_aliases') }}
),

generated_names as (
    select
        instansi_id,
        instansi_nama as name,
        2 as priority
    from institutions
    union all
    select
        instansi_id,
        singkatan as name,
        2 as priority
    from institutions
    where singkatan is not null
    union all
    select
        instansi_id,
        singkatan || ' RI' as name,
        3 as priority
    from institutions
    where singkatan is not null
    union all
    select
        instansi_id,
        instansi_nama || ' RI' as name,
        3 as priority
    from institutions
    where is_central
    union all
    select
        instansi_id,
        'BPSDM ' || singkatan as name,
        3 as priority
    from institutions
    where singkatan is not null
    union all
    select
        instansi_id,
        'Pusdiklat ' || singkatan as name,
        3 as priority
    from institutions
    where singkatan is not null
    union all
    select
        instansi_id,
        wilayah_nama as name,
        3 as priority
    from institutions
    where instansi_level != 'kementerian_lembaga'
    union all
    select
        institutions.instansi_id,
        p.prefix || ' ' || institutions.wilayah_nama as name,
        3 as priority
    from institutions
    cross join (values ('Provinsi'), ('Prov'), ('Pemprov'), ('BPSDM Provinsi')) as p (prefix)
    where institutions.instansi_level = 'provinsi'
    union all
    select
        institutions.instansi_id,
        p.prefix || ' ' || regexp_replace(institutions.wilayah_nama, '^Kabupaten ', '') as name,
        3 as priority
    from institutions
    cross join (
        values ('Kab'), ('Pemkab'), ('BKPSDM Kab'), ('BKPSDM Kabupaten'), ('Pemerintah Kab')
    ) as p (prefix)
    where institutions.instansi_level = 'kabupaten'
    union all
    select
        institutions.instansi_id,
        p.prefix || ' ' || regexp_replace(institutions.wilayah_nama, '^Kota ', '') as name,
        3 as priority
    from institutions
    cross join (values ('Pemkot'), ('BKPSDM Kota')) as p (prefix)
    where institutions.instansi_level = 'kota'
    union all
    select
        btrim(instansi_id) as instansi_id,
        alias as name,
        1 as priority
    from alias_seed
),

normalised as (
    select distinct
        {{ normalise_name('name') }} as lookup_key,
        instansi_id,
        priority
    from generated_names
    where name is not null
),

best_priority as (
    select
        lookup_key,
        min(priority) as priority
    from normalised
    group by lookup_key
),

unambiguous as (
    select
        normalised.lookup_key,
        min(normalised.instansi_id) as instansi_id
    from normalised
    inner join best_priority
        on
            normalised.lookup_key = best_priority.lookup_key
            and normalised.priority = best_priority.priority
    group by normalised.lookup_key
    having count(distinct normalised.instansi_id) = 1
),

final as (
    select
        'code' as lookup_kind,
        upper(instansi_id) as lookup_key,
        instansi_id
    from institutions
    union all
    select
        'name' as lookup_kind,
        lookup_key,
        instansi_id
    from unambiguous
)

select * from final
