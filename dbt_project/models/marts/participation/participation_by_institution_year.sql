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
{{ participation_by_grain('institution') }}
