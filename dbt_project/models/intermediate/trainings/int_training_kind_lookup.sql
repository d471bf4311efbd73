{#- Training-kind spellings of file drops ("PKN Tingkat II", "Latsar CPNS") to the contract's codes. -#}
with

kinds as (
    select * from {{ ref('training_kinds') }}
),

aliases as (
    select * from {{ ref('training_kind_aliases') }}
),

names as (
    select
        jenis_pelatihan as name,
        jenis_pelatihan,
        1 as priority
    from kinds
    union all
    select
        jenis_pelatihan_label as name,
        jenis_pelatihan,
        2 as priority
    from kinds
    union all
    select
        alias as name,
        jenis_pelatihan,
        3 as priority
    from aliases
),

normalised as (
    select
        {{ normalise_name('name') }} as lookup_key,
        jenis_pelatihan,
        row_number() over (
            partition by {{ normalise_name('name') }}
            order by priority
        ) as preference
    from names
),

final as (
    select
        lookup_key,
        jenis_pelatihan
    from normalised
    where preference = 1
)

select * from final
