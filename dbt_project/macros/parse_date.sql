{#- Dates as Indonesian sources write them, to a `date`, or null when the text
    is no real date: ISO `2022-12-14` (a time part is ignored), `14/12/2022`,
    `14-12-2022`, `14 Desember 2022`, `14 Des 2022` and Excel serials
    (`44909`, day 0 = 1899-12-30). Never raises: an impossible date such as
    `31/02/2022` gives null, so staging can flag it instead of failing. -#}
{% macro parse_date(text_expr) -%}
    {%- set v = "lower(btrim(cast(" ~ text_expr ~ " as text)))" -%}
    case
        when {{ v }} ~ '^\d{4}-\d{1,2}-\d{1,2}([t ].*)?$'
            then {{ make_date_or_null(
                "cast(substring(" ~ v ~ " from '^(\d{4})') as integer)",
                "cast(substring(" ~ v ~ " from '^\d{4}-(\d{1,2})') as integer)",
                "cast(substring(" ~ v ~ " from '^\d{4}-\d{1,2}-(\d{1,2})') as integer)",
            ) }}
        when {{ v }} ~ '^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}$'
            then {{ make_date_or_null(
                "cast(substring(" ~ v ~ " from '(\d{4})$') as integer)",
                "cast(substring(" ~ v ~ " from '^\d{1,2}[/.-](\d{1,2})') as integer)",
                "cast(substring(" ~ v ~ " from '^(\d{1,2})') as integer)",
            ) }}
        when {{ v }} ~ '^\d{1,2}\s+[a-z]+\.?\s+\d{4}$'
            then {{ make_date_or_null(
                "cast(substring(" ~ v ~ " from '(\d{4})$') as integer)",
                month_number("substring(" ~ v ~ " from '^\d{1,2}\s+([a-z]+)')"),
                "cast(substring(" ~ v ~ " from '^(\d{1,2})') as integer)",
            ) }}
        when {{ v }} ~ '^\d{5}(\.\d+)?$'
            then date '1899-12-30' + cast(substring({{ v }} from '^(\d{5})') as integer)
    end
{%- endmacro %}


{#- Month number of an Indonesian (or English) month name or abbreviation; null if unknown. -#}
{% macro month_number(name_expr) -%}
    case left({{ name_expr }}, 3)
        when 'jan' then 1
        when 'feb' then 2
        when 'peb' then 2
        when 'mar' then 3
        when 'apr' then 4
        when 'mei' then 5
        when 'may' then 5
        when 'jun' then 6
        when 'jul' then 7
        when 'agu' then 8
        when 'ags' then 8
        when 'agt' then 8
        when 'aug' then 8
        when 'sep' then 9
        when 'okt' then 10
        when 'oct' then 10
        when 'nov' then 11
        when 'nop' then 11
        when 'des' then 12
        when 'dec' then 12
    end
{%- endmacro %}


{#- make_date() without its error: null unless year, month and day form a real date. -#}
{% macro make_date_or_null(year_expr, month_expr, day_expr) -%}
    case
        when {{ is_real_date(year_expr, month_expr, day_expr) }}
            then make_date({{ year_expr }}, {{ month_expr }}, {{ day_expr }})
    end
{%- endmacro %}


{#- Whether integers year, month, day form a real Gregorian date (1900-2099), by arithmetic only. -#}
{% macro is_real_date(year_expr, month_expr, day_expr) -%}
    coalesce(
        {{ year_expr }} between 1900 and 2099
        and {{ month_expr }} between 1 and 12
        and {{ day_expr }} between 1 and (
            case
                when {{ month_expr }} in (4, 6, 9, 11) then 30
                when {{ month_expr }} = 2
                    then case
                        when ({{ year_expr }} % 4 = 0 and {{ year_expr }} % 100 != 0)
                            or {{ year_expr }} % 400 = 0
                            then 29
                        else 28
                    end
                else 31
            end
        ),
        false
    )
{%- endmacro %}


{#- An ISO-8601 timestamp to timestamptz (UTC when it names no zone); null when malformed. -#}
{% macro parse_timestamp(text_expr) -%}
    {%- set v = "btrim(" ~ text_expr ~ ")" -%}
    case
        when not coalesce(
            {{ v }} ~ '^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$',
            false
        ) then null
        when not {{ is_real_date(
            "cast(substring(" ~ v ~ ", 1, 4) as integer)",
            "cast(substring(" ~ v ~ ", 6, 2) as integer)",
            "cast(substring(" ~ v ~ ", 9, 2) as integer)",
        ) }} then null
        when {{ v }} ~ '[T ]\d{2}:\d{2}.*(Z|[+-]\d{2}(:?\d{2})?)$'
            then cast({{ v }} as timestamp with time zone)
        else cast({{ v }} as timestamp) at time zone 'UTC'
    end
{%- endmacro %}
