{#- Schema of Sinergi's SQL functions (created on run start). -#}
{% macro udf_schema() -%}
    {{ generate_schema_name('intermediate', none) }}
{%- endmacro %}


{#- on-run-start: the SQL functions the models use.

    pgcrypto is not part of the embedded PostgreSQL (pgserver ships only
    plpgsql and vector), so HMAC-SHA256 (RFC 2104) is built from the core
    sha256() function. The key pads are an immutable function of the key
    alone and the HMAC is a one-expression SQL function: the planner inlines
    it and folds the pads once per query, leaving two sha256() per row. -#}
{% macro create_udfs() -%}
    create schema if not exists {{ udf_schema() }};

    create or replace function {{ udf_schema() }}.sinergi_hmac_key_pad(secret bytea, pad integer)
    returns bytea
    language sql
    immutable strict parallel safe
    as $$
        with block as (
            select
                case when length(secret) > 64 then sha256(secret) else secret end as key_bytes
        ),

        padded as (
            select key_bytes || decode(repeat('00', 64 - length(key_bytes)), 'hex') as key_block
            from block
        )

        select decode(
            string_agg(lpad(to_hex(get_byte(key_block, i) # pad), 2, '0'), '' order by i),
            'hex'
        )
        from padded
        cross join generate_series(0, 63) as i
    $$;

    create or replace function {{ udf_schema() }}.sinergi_hmac_sha256(message bytea, secret bytea)
    returns bytea
    language sql
    immutable strict parallel safe
    as $$
        select sha256(
            {{ udf_schema() }}.sinergi_hmac_key_pad(secret, 92)
            || sha256({{ udf_schema() }}.sinergi_hmac_key_pad(secret, 54) || message)
        )
    $$;
{%- endmacro %}
