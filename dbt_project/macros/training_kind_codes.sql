{#- The contract's training kinds, for one column per kind in the marts. -#}
{% macro training_kind_codes() -%}
    {{ return([
        'pkn_1', 'pkn_2', 'pka', 'pkp', 'latsar', 'teknis', 'fungsional', 'manajerial',
        'sosial_kultural', 'seminar', 'bimtek', 'e_learning', 'coaching', 'mentoring',
        'magang', 'detasering', 'benchmarking', 'self_study',
    ]) }}
{%- endmacro %}


{#- a / b as numeric(p, s), null when b is 0 or null. -#}
{% macro safe_ratio(numerator, denominator, precision=4) -%}
    cast({{ numerator }} / nullif(cast({{ denominator }} as numeric), 0) as numeric(18, {{ precision }}))
{%- endmacro %}


{#- One `participants_<kind>` column per training kind: distinct ASN of a
    fact relation who took part in a training of that kind (e-learning
    completions of the LMS excluded). -#}
{% macro participants_by_kind(relation) -%}
    {%- for kind in training_kind_codes() %}
        count(distinct {{ relation }}.asn_key) filter (
            where {{ relation }}.jenis_pelatihan = '{{ kind }}'
            and not {{ relation }}.is_elearning_completion
        ) as participants_{{ kind }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
