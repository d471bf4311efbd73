{#- HMAC-SHA256 of a NIP, hex, keyed by SINERGI_NIP_HMAC_KEY: the only form
    in which an ASN reaches the marts. The key is required to run (not to
    parse): a run without it fails rather than publish unkeyed hashes.
    Computed by sinergi_hmac_sha256() (see create_udfs), which gives the same
    bytes as pgcrypto's hmac(msg, key, 'sha256'). The key goes in as an
    immutable decode(..., 'escape') literal so the planner folds the key
    pads once per query (convert_to() is only stable: 40x slower). -#}
{% macro pseudonymise_nip(nip_expr) -%}
    {%- set key = env_var("SINERGI_NIP_HMAC_KEY", "") -%}
    {%- if execute and not key and flags.WHICH in ("run", "build", "seed", "snapshot", "test") -%}
        {{ exceptions.raise_compiler_error(
            "SINERGI_NIP_HMAC_KEY is not set: NIPs cannot be pseudonymised without it"
        ) }}
    {%- endif -%}
    encode(
        {{ udf_schema() }}.sinergi_hmac_sha256(
            convert_to({{ nip_expr }}, 'UTF8'),
            decode('{{ key | replace("\\", "\\\\") | replace("'", "''") }}', 'escape')
        ),
        'hex'
    )
{%- endmacro %}
