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
