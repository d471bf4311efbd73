{#- HMAC-SHA256 of a NIP, hex, keyed by SINERGI_NIP_HMAC_KEY: the only form
    in which an ASN reaches the marts.

    The key is never in the SQL dbt renders, so never in target/, the
    manifest, the partial-parse file or dbt.log: sinergi.transform.dbt passes
    it to PostgreSQL as the session setting `sinergi.nip_hmac_key` (libpq's
    PGOPTIONS, in dbt's environment for the command only) and the query reads
    it with current_setting(). A run without it fails rather than publish
    unkeyed hashes (checked once per model, before its SQL runs).

    The same bytes as pgcrypto's hmac(msg, key, 'sha256') and as
    create_udfs' sinergi_hmac_sha256(): sha256(opad || sha256(ipad || msg)).
    Each key pad is an uncorrelated scalar subquery, which PostgreSQL runs
    once per query as an InitPlan, so each row costs two sha256() as when
    the key was an inlined literal (current_setting() is only stable: in the
    row expression the pads would be rebuilt per row, 40x slower). -#}
{% macro pseudonymise_nip(nip_expr) -%}
    {%- if execute and flags.WHICH in ("run", "build", "snapshot", "test", "retry", "show") -%}
        {%- set found = run_query(
            "select coalesce(current_setting('sinergi.nip_hmac_key', true), '') <> ''"
        ) -%}
        {%- if not found.columns[0].values()[0] -%}
            {{ exceptions.raise_compiler_error(
                "SINERGI_NIP_HMAC_KEY is not set: NIPs cannot be pseudonymised without it"
                ~ " (dbt must run through sinergi.transform, which passes it to the"
                ~ " session as sinergi.nip_hmac_key; see docs/security.md)"
            ) }}
        {%- endif -%}
    {%- endif -%}
    encode(
        sha256(
            {{ _nip_hmac_key_pad(92) }}
            || sha256({{ _nip_hmac_key_pad(54) }} || convert_to({{ nip_expr }}, 'UTF8'))
        ),
        'hex'
    )
{%- endmacro %}


{#- The HMAC key XOR one pad byte (54 inner, 92 outer), computed once per query. -#}
{% macro _nip_hmac_key_pad(pad) -%}
    (
        select
            {{ udf_schema() }}.sinergi_hmac_key_pad(
                convert_to(current_setting('sinergi.nip_hmac_key'), 'UTF8'), {{ pad }}
            )
    )
{%- endmacro %}
