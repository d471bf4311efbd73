{#- Latest version per key, for staging models (incremental tables).

    Valid records are versions of their key: the latest wins. Invalid records
    have no trustworthy key, so each distinct record (by hash) stands alone
    and is kept once for the quarantine. `_version_key` names that group.

    A full refresh ranks every raw row. An incremental run ranks only the new
    batches' rows together with the row each touched group holds now: the
    order is total, so the winner is the same as if every version were
    ranked again, and only the touched groups are rewritten (delete+insert on
    _version_key). -#}
{% macro version_key(key_column) -%}
    case
        when invalid_reason is null then 'valid|' || {{ key_column }}
        else 'invalid|' || _record_hash
    end
{%- endmacro %}


{#- The winning version of each group the staged rows touch, ranked by `newest_first`
    (a list of order-by terms): the staged rows plus, on an incremental run, the
    row each of their groups holds now. -#}
{% macro latest_versions(staged, newest_first) -%}
    select distinct on (_version_key) *
    from (
        select * from {{ staged }}
        {%- if is_incremental_run() %}
            union all
            select current_versions.*
            from {{ this }} as current_versions
            where current_versions._version_key in (select s._version_key from {{ staged }} as s)
        {%- endif %}
    ) as versions
    order by
        _version_key asc,
        {{ newest_first | join(',\n        ') }}
{%- endmacro %}
