{#- The marts' participants_<kind> columns come from training_kind_codes(), a
    list (columns must be known when dbt parses): it must name exactly the
    kinds of the training_kinds seed. Fails on each code only one of them has. -#}
with

listed as (
    select code
    from (
        values
        {%- for kind in training_kind_codes() %}
            ('{{ kind }}'){{ "," if not loop.last }}
        {%- endfor %}
    ) as listed_codes (code)
),

seeded as (
    select btrim(jenis_pelatihan) as code
    from {{ ref('training_kinds') }}
),

final as (
    select
        coalesce(listed.code, seeded.code) as code,
        case when listed.code is null then 'seed only' else 'macro only' end as found_in
    from listed
    full outer join seeded
        on listed.code = seeded.code
    where
        listed.code is null
        or seeded.code is null
)

select * from final
