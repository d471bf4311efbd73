{#- Participation per institution x year. ASN count and 20-JP attainment
    come from the ASN development profile (each ASN's SIASN institution); participations,
    JP and kinds from the fact, by the participant's origin institution.
    Participation counts and jp_total cover trainings (Kemendagri API and
    file drops); e-learning completions (Kemnaker LMS) are counted apart and
    enter jp_total_all, the 10:20:70 and klasikal mixes and the 20 JP rule.
    JP counts completed (lulus) participations. Regional share in central
    trainings: for a K/L, the share of regional ASN among the
    participations of the trainings it hosted, against the 30% quota.
    A year without any development record for the grain (no participation
    or e-learning completion by its participants' origin, none of its ASN's)
    has no data: share_reaching_20_jp and avg_jp_per_asn are null there, not
    0 (has_development_record says which). -#}
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

asn_totals as (
    select
        profiles.instansi_id,
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
        participations.origin_instansi_id as instansi_id,
        participations.tahun,
        count(*) filter (where not participations.is_elearning_completion) as participation_count,
        count(distinct participations.asn_key) as participant_count,
        count(*) filter (where participations.is_completed and not participations.is_elearning_completion)
            as completed_count,
        coalesce(sum(participations.jp_minutes) filter (
            where not participations.is_elearning_completion
        ), 0) / 45 as jp_total,
        count(*) filter (where participations.is_elearning_completion)
            as elearning_completion_count,
        coalesce(sum(participations.jp_minutes) filter (
            where participations.is_elearning_completion
        ), 0) / 45 as elearning_jp,
        coalesce(sum(participations.jp_minutes), 0) / 45 as jp_total_all,
        coalesce(sum(participations.jp_minutes) filter (
            where participations.kategori_pembelajaran = 'formal'
        ), 0) / 45 as jp_formal,
        coalesce(sum(participations.jp_minutes) filter (
            where participations.kategori_pembelajaran = 'sosial'
        ), 0) / 45 as jp_sosial,
        coalesce(sum(participations.jp_minutes) filter (
            where participations.kategori_pembelajaran = 'pengalaman'
        ), 0) / 45 as jp_pengalaman,
        coalesce(sum(participations.jp_minutes) filter (
            where participations.mode = 'klasikal'
        ), 0) / 45 as jp_klasikal,
        coalesce(sum(participations.jp_minutes) filter (
            where participations.mode = 'non_klasikal'
        ), 0) / 45 as jp_non_klasikal,
        count(*) filter (
            where participations.is_cross_region and not participations.is_elearning_completion
        ) as cross_region_participation_count,
        {{ participants_by_kind('participations') }}
    from participations
    group by 1, 2
),

hosted_central as (
    select
        participations.penyelenggara_id as instansi_id,
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
        instansi_id,
        tahun
    from asn_totals
    union
    select
        instansi_id,
        tahun
    from participation_totals
    union
    select
        instansi_id,
        tahun
    from hosted_central
),

-- grain-years with a development record: participations (e-learning
-- included) by the participants' origin, or any record of the grain's ASN
development_years as (
    select
        instansi_id,
        tahun
    from asn_totals
    where has_development_record
    union
    select
        instansi_id,
        tahun
    from participation_totals
),

final as (
    select
        keys.instansi_id,
        dims.instansi_nama,
        dims.provinsi_kode,
        dims.provinsi_nama,
        dims.is_central,
        dims.is_dob,
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
    inner join institutions as dims
        on keys.instansi_id = dims.instansi_id
    left join asn_totals
        on
            keys.instansi_id = asn_totals.instansi_id
            and keys.tahun = asn_totals.tahun
    left join participation_totals
        on
            keys.instansi_id = participation_totals.instansi_id
            and keys.tahun = participation_totals.tahun
    left join hosted_central
        on
            keys.instansi_id = hosted_central.instansi_id
            and keys.tahun = hosted_central.tahun
    left join development_years
        on
            keys.instansi_id = development_years.instansi_id
            and keys.tahun = development_years.tahun
)

select * from final
