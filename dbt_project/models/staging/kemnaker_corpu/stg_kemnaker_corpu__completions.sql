with

source as (
    select * from {{ source_or_empty('kemnaker_corpu', 'completions') }}
    {{- new_batches_only() }}
),

keyed as (
    select
        *,
        {{ text_field('completion_id') }} as record_key
    from source
),

-- materialized: inlined, every later use of a parsed field would parse it again
renamed as materialized (
    select
        record_key as completion_id,
        {{ clean_nip("record ->> 'learner_nip'") }} as nip,
        {{ text_field('course_id') }} as course_id,
        {{ text_field('course_title') }} as course_title,
        {{ parse_number("record -> 'completed_at'", 'bigint') }} as completed_at_ms,
        {{ parse_number("record -> 'duration_minutes'") }} as duration_minutes,
        {{ parse_number("record -> 'score'") }} as score,
        _batch_id,
        _extracted_at,
        _record_hash
    from keyed
),

validated as materialized (
    select
        *,
        case
            when completion_id is null then 'completion_id_missing'
            when {{ nip_invalid_reason('nip') }} is not null then 'invalid_nip'
            when course_id is null then 'course_id_missing'
            when
                completed_at_ms is null
                or not {{ is_plausible_epoch_ms('completed_at_ms') }}
                then 'invalid_date'
            when duration_minutes is null or duration_minutes < 0 then 'negative_duration'
        end as invalid_reason
    from renamed
),

staged as (
    select
        completion_id,
        nip,
        course_id,
        course_title,
        case
            when {{ is_plausible_epoch_ms('completed_at_ms') }}
                then to_timestamp(completed_at_ms / 1000.0)
        end as completed_at,
        duration_minutes,
        round({{ minutes_to_jp('duration_minutes') }}, 2) as jp,
        score,
        invalid_reason,
        {{ version_columns('completion_id') }}
    from validated
),

-- the latest version of each group wins (see macros/version_rank.sql)
final as (
    {{ latest_versions('staged') }}
)

select * from final
