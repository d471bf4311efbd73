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

{#- The scorecard's shares, components and composite over `measures` (a CTE
    of counts per institution x period), as the CTEs `shares`, `components`
    and `scored`: the monthly mart and the yearly roll-up (which recomputes
    them on the year's totals) then differ only in their measures. -#}
{% macro governance_scored(measures) -%}
shares as (
    select
        *,
        records_quarantined * 1.0 / nullif(records_submitted, 0) as quarantined_share,
        file_records_quarantined * 1.0 / nullif(file_records_submitted, 0)
            as file_quarantined_share,
        1 - records_missing_required * 1.0 / nullif(records_submitted, 0)
            as required_fields_present_share,
        asn_with_development_record * 1.0 / nullif(asn_in_siasn, 0)
            as development_record_share,
        double_reports_agreeing * 1.0 / nullif(double_reports, 0) as double_reports_agreeing_share
    from {{ measures }}
),

components as (
    select
        *,
        {{ governance_timeliness_score(
            'records_submitted', 'avg_days_to_first_load', 'folders_expected', 'folders_received'
        ) }} as timeliness_score,
        1 - quarantined_share as validity_score,
        {{ governance_completeness_score(
            'development_record_share', 'required_fields_present_share'
        ) }} as completeness_score,
        double_reports_agreeing_share as consistency_score
    from shares
),

scored as (
    select
        *,
        {{ governance_score(
            'timeliness_score', 'validity_score', 'completeness_score', 'consistency_score'
        ) }} as governance_score
    from components
)
{%- endmacro %}

{#- The published score columns of a `scored` row: the components rounded
    to 4 places, the composite, and its rank among the period's institutions
    nationally and within the province (ties share a rank; no score, no
    rank). -#}
{% macro governance_score_columns(period, province) -%}
        cast(round(scored.timeliness_score, 4) as numeric(5, 4)) as timeliness_score,
        cast(round(scored.validity_score, 4) as numeric(5, 4)) as validity_score,
        cast(round(scored.completeness_score, 4) as numeric(5, 4)) as completeness_score,
        cast(round(scored.consistency_score, 4) as numeric(5, 4)) as consistency_score,
        scored.governance_score,
        cast(case when scored.governance_score is not null then rank() over (
            partition by {{ period }}, scored.governance_score is null
            order by scored.governance_score desc
        ) end as integer) as national_rank,
        cast(case
            when scored.governance_score is not null and {{ province }} is not null
                then rank() over (
                    partition by {{ period }}, {{ province }}, scored.governance_score is null
                    order by scored.governance_score desc
                )
        end as integer) as province_rank
{%- endmacro %}
