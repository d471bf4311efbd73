{#- The NIP rule (Perka BKN 22/2007; docs/domain-rules.md, "Who counts:
    ASN and the NIP") is implemented once in the
    warehouse, by functions `sinergi warehouse init` creates
    (plugins/sinergi/warehouse/sql/007_domain_rules.sql) and the GX raw
    contracts call too; these macros name them for the models. Test vectors:
    tests/data/rule_vectors/nip.csv. -#}

{#- A NIP as sources send it, white space removed; blank as null. -#}
{% macro clean_nip(text_expr) -%}
    meta.clean_nip({{ text_expr }})
{%- endmacro %}


{#- 'pns', 'pppk' or null (not a valid number of either kind). -#}
{% macro nip_kind(nip_expr) -%}
    meta.nip_kind({{ nip_expr }})
{%- endmacro %}


{#- Why a text is not a valid PNS NIP or NI PPPK (the first rule it breaks, as
    `nip_*`, e.g. `nip_birth_date_invalid`), or null. -#}
{% macro nip_invalid_reason(nip_expr) -%}
    meta.nip_invalid_reason({{ nip_expr }})
{%- endmacro %}
