{#- The institution resolver, as two left joins against int_institution_lookup:
    by code first (a code the dimension knows), else by the normalised name
    (canonical names, generated variants and the alias seed). Use
    `resolved_instansi_id(alias)` in the select list. -#}
{% macro join_instansi(alias, code_expr, name_expr) -%}
    left join {{ ref('int_institution_lookup') }} as {{ alias }}_by_code
        on {{ alias }}_by_code.lookup_kind = 'code'
        and {{ alias }}_by_code.lookup_key = {{ code_expr }}
    left join {{ ref('int_institution_lookup') }} as {{ alias }}_by_name
        on {{ alias }}_by_name.lookup_kind = 'name'
        and {{ alias }}_by_name.lookup_key = {{ normalise_name(name_expr) }}
{%- endmacro %}


{% macro resolved_instansi_id(alias) -%}
    coalesce({{ alias }}_by_code.instansi_id, {{ alias }}_by_name.instansi_id)
{%- endmacro %}


{#- Whether a code (normalised) is unknown: present, yet neither a Kemendagri
    region code nor a K/L code of the seeds. Staging flags such records
    unknown_instansi; a record naming its institution only by name is
    resolved (or not) in the intermediate layer. -#}
{% macro is_unknown_instansi_code(code_expr) -%}
    (
        {{ code_expr }} is not null
        and {{ code_expr }} not in (
            select btrim(w.kode) from {{ ref('wilayah') }} as w
            union all
            select upper(btrim(k.instansi_id)) from {{ ref('central_institutions') }} as k
        )
    )
{%- endmacro %}
