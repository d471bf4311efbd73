{#- The participation mart at one grain x year: `institution` (each
    institution: ASN by their SIASN institution, participations by the
    participant's origin institution, central trainings by their host) or
    `region` (each province, central K/L as `pusat`: the same by the
    institution's province). The two marts differ only in these keys and
    their leading name columns; every measure is computed here once. -#}
{% macro participation_by_grain(grain) -%}
{%- set grains = {
    'institution': {
        'key': 'instansi_id',
        'asn': 'profiles.instansi_id',
        'origin': 'participations.origin_instansi_id',
        'host': 'participations.penyelenggara_id',
    },
    'region': {
        'key': 'provinsi_kode',
        'asn': "coalesce(institutions.provinsi_kode, 'pusat')",
        'origin': "coalesce(participations.origin_provinsi_kode, 'pusat')",
        'host': "coalesce(participations.penyelenggara_provinsi_kode, 'pusat')",
    },
} -%}
{%- if grain not in grains -%}
    {{ exceptions.raise_compiler_error("participation_by_grain: grain must be institution or region, not " ~ grain) }}
{%- endif -%}
{%- set key = grains[grain]['key'] -%}
{#- JP measure -> the participations it sums (the fact's minutes, then / minutes_per_jp) -#}
{%- set jp_measures = {
    'jp_total': 'not participations.is_elearning_completion',
    'elearning_jp': 'participations.is_elearning_completion',
    'jp_total_all': none,
    'jp_formal': "participations.kategori_pembelajaran = 'formal'",
    'jp_sosial': "participations.kategori_pembelajaran = 'sosial'",
    'jp_pengalaman': "participations.kategori_pembelajaran = 'pengalaman'",
    'jp_klasikal': "participations.mode = 'klasikal'",
    'jp_non_klasikal': "participations.mode = 'non_klasikal'",
} -%}
with

participations as (
    select * from {{ ref('fct_participations') }}
),

profiles as (
    select * from {{ ref('asn_development_profiles') }}
),

institutions as (
    select * from {{ ref('int_institutions') }}
),
{% if grain == 'region' %}
provinces as (
    select
        instansi_id as provinsi_kode,
        provinsi_nama,
        is_dob
    from institutions
    where instansi_level = 'provinsi'
),
{% endif %}
asn_totals as (
    select
        {{ grains[grain]['asn'] }} as {{ key }},
        profiles.tahun,
        count(*) filter (where profiles.is_in_siasn) as asn_count,
        count(*) filter (where profiles.is_in_siasn and profiles.has_reached_20_jp)
            as asn_reaching_20_jp,
        bool_or(profiles.participation_count > 0 or profiles.jp_total > 0)
            as has_development_record
    from profiles
    inner join institutions
        on profiles.instansi_id = institutions.instansi_id
    group by 1, 2
),

participation_totals as (
    select
        {{ grains[grain]['origin'] }} as {{ key }},
        participations.tahun,
        count(*) filter (where not participations.is_elearning_completion) as participation_count,
        count(distinct participations.asn_key) as participant_count,
        count(*) filter (where participations.is_completed and not participations.is_elearning_completion)
            as completed_count,
        count(*) filter (where participations.is_elearning_completion)
            as elearning_completion_count,
        {%- for measure, condition in jp_measures.items() %}
        {{ minutes_to_jp(
            'coalesce(sum(participations.jp_minutes)'
            ~ (' filter (where ' ~ condition ~ ')' if condition else '')
            ~ ', 0)'
        ) }} as {{ measure }},
        {%- endfor %}
        count(*) filter (
            where participations.is_cross_region and not participations.is_elearning_completion
        ) as cross_region_participation_count,
        {{ participants_by_kind('participations') }}
    from participations
    group by 1, 2
),

hosted_central as (
    select
        {{ grains[grain]['host'] }} as {{ key }},
        participations.tahun,
        count(*) as central_training_participation_count,
        count(*) filter (where participations.is_regional_participant)
            as central_training_regional_participation_count
    from participations
    where
        participations.is_central_hosted
        and not participations.is_elearning_completion
    group by 1, 2
),

keys as (
    select
        {{ key }},
        tahun
    from asn_totals
    union
    select
        {{ key }},
        tahun
    from participation_totals
    union
    select
        {{ key }},
        tahun
    from hosted_central
),

-- grain-years with a development record: participations (e-learning
-- included) by the participants' origin, or any record of the grain's ASN
development_years as (
    select
        {{ key }},
        tahun
    from asn_totals
    where has_development_record
    union
    select
        {{ key }},
        tahun
    from participation_totals
),

final as (
    select
        {%- if grain == 'region' %}
        keys.provinsi_kode,
        case
            when keys.provinsi_kode = 'pusat' then 'Instansi pusat (K/L)'
            else provinces.provinsi_nama
        end as provinsi_nama,
        coalesce(provinces.is_dob, false) as is_dob,
        {%- else %}
        keys.instansi_id,
        dims.instansi_nama,
        dims.provinsi_kode,
        dims.provinsi_nama,
        dims.is_central,
        dims.is_dob,
        {%- endif %}
        keys.tahun,
        cast(coalesce(asn_totals.asn_count, 0) as integer) as asn_count,
        cast(coalesce(participation_totals.participant_count, 0) as integer) as participant_count,
        cast(coalesce(participation_totals.participation_count, 0) as integer)
            as participation_count,
        cast(coalesce(participation_totals.completed_count, 0) as integer) as completed_count,
        cast(coalesce(participation_totals.jp_total, 0) as numeric(14, 2)) as jp_total,
        cast(coalesce(participation_totals.elearning_completion_count, 0) as integer)
            as elearning_completion_count,
        cast(coalesce(participation_totals.elearning_jp, 0) as numeric(14, 2)) as elearning_jp,
        cast(coalesce(participation_totals.jp_total_all, 0) as numeric(14, 2)) as jp_total_all,
        {{ safe_ratio('participation_totals.jp_total_all', 'participation_totals.participant_count', 2) }}
            as avg_jp_per_participant,
        -- no development record in the year: no data, not zero
        case
            when development_years.tahun is not null
                then {{ safe_ratio('coalesce(participation_totals.jp_total_all, 0)', 'asn_totals.asn_count', 2) }}
        end as avg_jp_per_asn,
        development_years.tahun is not null as has_development_record,
        cast(coalesce(asn_totals.asn_reaching_20_jp, 0) as integer) as asn_reaching_20_jp,
        case
            when development_years.tahun is not null
                then {{ safe_ratio('coalesce(asn_totals.asn_reaching_20_jp, 0)', 'asn_totals.asn_count') }}
        end as share_reaching_20_jp,
        cast(coalesce(participation_totals.jp_formal, 0) as numeric(14, 2)) as jp_formal,
        cast(coalesce(participation_totals.jp_sosial, 0) as numeric(14, 2)) as jp_sosial,
        cast(coalesce(participation_totals.jp_pengalaman, 0) as numeric(14, 2)) as jp_pengalaman,
        {{ safe_ratio('participation_totals.jp_formal', 'participation_totals.jp_total_all') }}
            as share_jp_formal,
        {{ safe_ratio('participation_totals.jp_sosial', 'participation_totals.jp_total_all') }}
            as share_jp_sosial,
        {{ safe_ratio('participation_totals.jp_pengalaman', 'participation_totals.jp_total_all') }}
            as share_jp_pengalaman,
        cast(coalesce(participation_totals.jp_klasikal, 0) as numeric(14, 2)) as jp_klasikal,
        cast(coalesce(participation_totals.jp_non_klasikal, 0) as numeric(14, 2))
            as jp_non_klasikal,
        {{ safe_ratio('participation_totals.jp_klasikal', 'participation_totals.jp_total_all') }}
            as share_jp_klasikal,
        {{ safe_ratio('participation_totals.jp_non_klasikal', 'participation_totals.jp_total_all') }}
            as share_jp_non_klasikal,
        cast(coalesce(participation_totals.cross_region_participation_count, 0) as integer)
            as cross_region_participation_count,
        {% for kind in training_kind_codes() %}
            cast(coalesce(participation_totals.participants_{{ kind }}, 0) as integer)
                as participants_{{ kind }},
        {% endfor %}
        cast(coalesce(hosted_central.central_training_participation_count, 0) as integer)
            as central_training_participation_count,
        cast(coalesce(hosted_central.central_training_regional_participation_count, 0) as integer)
            as central_training_regional_participation_count,
        {{ safe_ratio(
            'hosted_central.central_training_regional_participation_count',
            'hosted_central.central_training_participation_count',
        ) }} as central_training_regional_share,
        {{ safe_ratio(
            'hosted_central.central_training_regional_participation_count',
            'hosted_central.central_training_participation_count',
        ) }} >= {{ var('regional_quota_share') }} as meets_regional_quota
    from keys
    {%- if grain == 'region' %}
    left join provinces
        on keys.provinsi_kode = provinces.provinsi_kode
    {%- else %}
    inner join institutions as dims
        on keys.instansi_id = dims.instansi_id
    {%- endif %}
    left join asn_totals
        on
            keys.{{ key }} = asn_totals.{{ key }}
            and keys.tahun = asn_totals.tahun
    left join participation_totals
        on
            keys.{{ key }} = participation_totals.{{ key }}
            and keys.tahun = participation_totals.tahun
    left join hosted_central
        on
            keys.{{ key }} = hosted_central.{{ key }}
            and keys.tahun = hosted_central.tahun
    left join development_years
        on
            keys.{{ key }} = development_years.{{ key }}
            and keys.tahun = development_years.tahun
)

select * from final
{%- endmacro %}
