{#- Funding-source spellings ("Rupiah Murni", "Dana BLU", "A P B N",
    "PNBP-BLU", ...) to APBN / APBD / BLU / PNBP; null when none applies.
    Letters only are compared, so spacing and dots do not matter. BLU comes
    first ("PNBP-BLU" is BLU revenue), then PNBP ("Penerimaan Negara Bukan
    Pajak" mentions "negara"), then APBD before APBN. -#}
{% macro normalise_funding_source(text_expr) -%}
    {%- set v = "regexp_replace(lower(coalesce(" ~ text_expr ~ ", '')), '[^a-z]', '', 'g')" -%}
    case
        when {{ v }} ~ 'blu|badanlayananumum' then 'BLU'
        when {{ v }} ~ 'pnbp|bukanpajak' then 'PNBP'
        when {{ v }} ~ 'apbd|belanjadaerah' then 'APBD'
        when {{ v }} ~ 'apbn|rupiahmurni|belanjanegara' or {{ v }} = 'rm' then 'APBN'
    end
{%- endmacro %}


{#- A name reduced for matching: lower case, punctuation to spaces, single spaces. -#}
{% macro normalise_name(text_expr) -%}
    nullif(btrim(regexp_replace(lower({{ text_expr }}), '[^a-z0-9]+', ' ', 'g')), '')
{%- endmacro %}


{#- An institution code as sources send it (` 35.15 `, `kl-001`) in the dimension's form. -#}
{% macro normalise_instansi_code(text_expr) -%}
    nullif(upper(regexp_replace(btrim({{ text_expr }}), '\s', '', 'g')), '')
{%- endmacro %}


{#- A record's text field, blank strings as null. -#}
{% macro text_field(field) -%}
    nullif(btrim(record ->> '{{ field }}'), '')
{%- endmacro %}
