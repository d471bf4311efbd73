{#- Latest version per key, for staging models (incremental tables).

    Valid records are versions of their key: the latest wins. Invalid records
    have no trustworthy key, so each distinct record (by hash) stands alone
    and is kept once for the quarantine. `_version_key` names that group.

    A full refresh ranks every raw row. An incremental run ranks only the new
    batches' rows together with the row each touched group holds now: the
    order is total, so the winner is the same as if every version were
    ranked again, and only the touched groups are rewritten (delete+insert on
    _version_key). -#}
{#- A staging model's last columns: validity, load metadata and the version group. -#}
{% macro version_columns(key_column) -%}
    invalid_reason is null as is_valid,
        _batch_id,
        _extracted_at,
        _record_hash,
        case
            when invalid_reason is null then 'valid|' || {{ key_column }}
            else 'invalid|' || _record_hash
        end as _version_key
{%- endmacro %}


{#- The winning version of each group the staged rows touch: the newest by
    `newest_by` (the source's own change timestamp, if it sends one), then
    the latest batch, extraction and hash, so the order is total. Ranks the
    staged rows plus, on an incremental run, the row each of their groups
    holds now. -#}
{% macro latest_versions(staged, newest_by=none) -%}
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
        {%- if newest_by %}
        {{ newest_by }} desc nulls last,
        {%- endif %}
        _batch_id desc,
        _extracted_at desc,
        _record_hash desc
{%- endmacro %}
