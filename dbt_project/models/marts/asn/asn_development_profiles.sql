{#- One row per pseudonymised ASN x year: JP by 10/20/70 category and mode,
    trainings, certifications, competency gaps, and whether the 20 JP right
    was reached. Every SIASN ASN appears for every year of activity, with
    zeros when they had none. JP counts completed (lulus) participations and
    e-learning completions (minutes / var('minutes_per_jp')). -#}
with

participations as (
    select * from {{ ref('fct_participations') }}
),

asns as (
    select * from {{ ref('int_asns_resolved') }}
),

certifications as (
    select * from {{ ref('int_certifications_resolved') }}
),

assessments as (
    select * from {{ ref('int_competency_assessments_unioned') }}
),

years as (
    select distinct tahun from participations
    union
    select distinct tahun from certifications
    union
    select distinct tahun from assessments
),

certification_keys as (
    select
        {{ pseudonymise_nip('nip') }} as asn_key,
        tahun,
        instansi_id,
        hasil
    from certifications
),

assessment_keys as (
    select
        {{ pseudonymise_nip('nip') }} as asn_key,
        tahun,
        instansi_id,
        gap
    from assessments
),

participation_totals as (
    select
        asn_key,
        tahun,
        min(origin_instansi_id) as origin_instansi_id,
        count(*) filter (where not is_elearning_completion) as participation_count,
        count(*) filter (where is_completed) as completed_count,
        sum(jp_minutes) as jp_minutes,
        sum(jp_minutes) filter (where is_elearning_completion) as elearning_minutes,
        sum(jp_minutes) filter (where kategori_pembelajaran = 'formal') as formal_minutes,
        sum(jp_minutes) filter (where kategori_pembelajaran = 'sosial') as sosial_minutes,
        sum(jp_minutes) filter (where kategori_pembelajaran = 'pengalaman') as pengalaman_minutes,
        sum(jp_minutes) filter (where mode = 'klasikal') as klasikal_minutes,
        sum(jp_minutes) filter (where mode = 'non_klasikal') as non_klasikal_minutes
    from participations
    group by asn_key, tahun
),

certification_totals as (
    select
        asn_key,
        tahun,
        min(instansi_id) as instansi_id,
        count(*) as certification_count,
        count(*) filter (where hasil = 'kompeten') as kompeten_count
    from certification_keys
    group by asn_key, tahun
),

assessment_totals as (
    select
        asn_key,
        tahun,
        min(instansi_id) as instansi_id,
        count(*) as assessment_count,
        avg(gap) as avg_gap,
        max(gap) as max_gap
    from assessment_keys
    group by asn_key, tahun
),

spine as (
    select
        asns.asn_key,
        years.tahun
    from asns
    cross join years
    union
    select
        asn_key,
        tahun
    from participation_totals
    union
    select
        asn_key,
        tahun
    from certification_totals
    union
    select
        asn_key,
        tahun
    from assessment_totals
),

final as (
    select
        spine.asn_key,
        spine.tahun,
        coalesce(
            asns.instansi_id,
            participation_totals.origin_instansi_id,
            certification_totals.instansi_id,
            assessment_totals.instansi_id
        ) as instansi_id,
        asns.status_kepegawaian,
        asns.jenis_jabatan,
        asns.asn_key is not null as is_in_siasn,
        cast(coalesce(participation_totals.participation_count, 0) as integer)
            as participation_count,
        cast(coalesce(participation_totals.completed_count, 0) as integer) as training_count,
        cast({{ minutes_to_jp('coalesce(participation_totals.jp_minutes, 0)') }} as numeric(12, 2)) as jp_total,
        cast({{ minutes_to_jp('coalesce(participation_totals.elearning_minutes, 0)') }} as numeric(12, 2))
            as jp_elearning,
        cast({{ minutes_to_jp('coalesce(participation_totals.formal_minutes, 0)') }} as numeric(12, 2)) as jp_formal,
        cast({{ minutes_to_jp('coalesce(participation_totals.sosial_minutes, 0)') }} as numeric(12, 2)) as jp_sosial,
        cast({{ minutes_to_jp('coalesce(participation_totals.pengalaman_minutes, 0)') }} as numeric(12, 2))
            as jp_pengalaman,
        cast({{ minutes_to_jp('coalesce(participation_totals.klasikal_minutes, 0)') }} as numeric(12, 2))
            as jp_klasikal,
        cast({{ minutes_to_jp('coalesce(participation_totals.non_klasikal_minutes, 0)') }} as numeric(12, 2))
            as jp_non_klasikal,
        cast(coalesce(certification_totals.certification_count, 0) as integer)
            as certification_count,
        cast(coalesce(certification_totals.kompeten_count, 0) as integer)
            as certification_kompeten_count,
        cast(coalesce(assessment_totals.assessment_count, 0) as integer) as assessment_count,
        cast(assessment_totals.avg_gap as numeric(6, 2)) as avg_competency_gap,
        cast(assessment_totals.max_gap as integer) as max_competency_gap,
        -- 20 JP = 900 minutes, compared in minutes so e-learning thirds of a JP add up exactly
        coalesce(participation_totals.jp_minutes, 0) >= {{ jp_to_minutes(var('jp_target_per_year')) }}
            as has_reached_20_jp
    from spine
    left join asns
        on spine.asn_key = asns.asn_key
    left join participation_totals
        on
            spine.asn_key = participation_totals.asn_key
            and spine.tahun = participation_totals.tahun
    left join certification_totals
        on
            spine.asn_key = certification_totals.asn_key
            and spine.tahun = certification_totals.tahun
    left join assessment_totals
        on
            spine.asn_key = assessment_totals.asn_key
            and spine.tahun = assessment_totals.tahun
)

select * from final
