{#- The governance scorecard's formula (docs/governance-scorecard.md), in one
    place for the monthly mart and its yearly roll-up. Each component is a
    share in [0, 1], null when there is nothing to judge it on. -#}

{#- Timeliness: 1 on the day the month ends, 0 from 30 days late, linearly
    between (loads before the month ends count as on time), times the share
    of expected monthly folders a file-drop region delivered. Nothing
    submitted and nothing expected: null; nothing submitted but a folder
    expected: 0. -#}
{% macro governance_timeliness_score(records, avg_days, folders_expected, folders_received) -%}
    case
        when {{ records }} = 0 and {{ folders_expected }} = 0 then null
        when {{ records }} = 0 then 0
        else
            greatest(0, 1 - greatest(0, {{ avg_days }}) / 30.0)
            * case
                when {{ folders_expected }} > 0
                    then least(1.0, {{ folders_received }} * 1.0 / {{ folders_expected }})
                else 1
            end
    end
{%- endmacro %}

{#- Completeness: the mean of the shares present among (ASN with a
    development record, rows with their required fields). -#}
{% macro governance_completeness_score(record_share, required_share) -%}
    case
        when {{ record_share }} is null then {{ required_share }}
        when {{ required_share }} is null then {{ record_share }}
        else ({{ record_share }} + {{ required_share }}) / 2.0
    end
{%- endmacro %}

{#- The composite, 0-100: the weighted mean of the components present,
    timeliness 0.3, validity 0.3, completeness 0.2, consistency 0.2 (weights
    of absent components are dropped, the rest re-normalised). -#}
{% macro governance_score(timeliness, validity, completeness, consistency) -%}
    {%- set parts = [(timeliness, 0.3), (validity, 0.3), (completeness, 0.2), (consistency, 0.2)] -%}
    cast(round(
        100 * (
            {%- for expr, weight in parts %}
            {{ weight }} * coalesce({{ expr }}, 0){{ ' +' if not loop.last }}
            {%- endfor %}
        ) / nullif(
            {%- for expr, weight in parts %}
            case when {{ expr }} is not null then {{ weight }} else 0 end{{ ' +' if not loop.last }}
            {%- endfor %}
        , 0),
        2
    ) as numeric(5, 2))
{%- endmacro %}
