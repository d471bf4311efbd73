{#- Rank the versions of a staged record, 1 = the one that wins.
    Valid records are versions of their key: the latest wins. Invalid records
    have no trustworthy key, so each distinct record (by hash) stands alone and
    is kept once for the quarantine. -#}
{% macro version_rank(key_column, order_by) -%}
    row_number() over (
        partition by
            case
                when invalid_reason is null then 'valid|' || {{ key_column }}
                else 'invalid|' || _record_hash
            end
        order by {{ order_by }}
    )
{%- endmacro %}
