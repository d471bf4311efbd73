{#- JP (jam pelajaran) and minutes: 1 JP = var('minutes_per_jp') minutes (PP 11/2017).
    Sums are taken in minutes, so e-learning thirds of a JP add up exactly. -#}
{% macro minutes_to_jp(minutes) -%}
    {{ minutes }} / {{ var('minutes_per_jp') }}
{%- endmacro %}


{% macro jp_to_minutes(jp) -%}
    {{ jp }} * {{ var('minutes_per_jp') }}
{%- endmacro %}
