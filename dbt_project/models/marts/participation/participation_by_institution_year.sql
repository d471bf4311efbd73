{{ config(
    materialized='incremental',
    unique_key=['instansi_id', 'tahun'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    indexes=[{'columns': ['instansi_id', 'tahun'], 'unique': true}],
    pre_hook=["{{ rebuild_changed_grain_keys('institution') }}"],
) }}
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
    0 (has_development_record says which).
    Incremental: a run recomputes the keys the fact's and the profiles'
    changes touched, old and new (macros/mart_changes.sql). -#}
{{ participation_by_grain('institution') }}
