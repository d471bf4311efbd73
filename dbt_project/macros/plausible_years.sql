{#- The years a source's record may plausibly name: var('first_plausible_year') to
    var('last_plausible_year'). Staging flags a year or time outside them invalid_date. -#}
{% macro is_plausible_year(year_expr) -%}
    ({{ year_expr }} between {{ var('first_plausible_year') }} and {{ var('last_plausible_year') }})
{%- endmacro %}


{#- Epoch milliseconds from the start of the first plausible year to the start of the last. -#}
{% macro is_plausible_epoch_ms(ms_expr) -%}
    {%- set first = year_start_epoch_ms(var('first_plausible_year')) -%}
    {%- set last = year_start_epoch_ms(var('last_plausible_year')) -%}
    ({{ ms_expr }} between {{ first }} and {{ last }})
{%- endmacro %}


{#- 1 January of a year, 00:00 UTC, in epoch milliseconds (an integer literal). -#}
{% macro year_start_epoch_ms(year) -%}
    {%- set days = (modules.datetime.date(year | int, 1, 1) - modules.datetime.date(1970, 1, 1)).days -%}
    {{ days * 86400000 }}
{%- endmacro %}
