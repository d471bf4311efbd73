{#- Competency-development funding per institution x year x funding source:
    allocation (pagu), realisation, rate, cost per participant and per JP
    (this source's realisation over the institution's participants and JP of
    the year), and allocation ranks (the institution's total pagu of the year,
    nationally and within its province; K/L have no province rank). -#}
with

budgets as (
    select * from {{ ref('int_budgets_resolved') }}
),

participations as (
    select * from {{ ref('fct_participations') }}
),

institutions as (
    select * from {{ ref('int_institutions') }}
),

by_source as (
    select
        instansi_id,
        tahun,
        sumber_dana,
        count(*) as budget_line_count,
        sum(pagu_idr) as pagu_idr,
        sum(realisasi_idr) as realisasi_idr,
        sum(target_peserta) as target_peserta
    from budgets
    group by instansi_id, tahun, sumber_dana
),

institution_totals as (
    select
        by_source.instansi_id,
        by_source.tahun,
        sum(by_source.pagu_idr) as total_pagu_idr,
        institutions.provinsi_kode
    from by_source
    inner join institutions
        on by_source.instansi_id = institutions.instansi_id
    group by by_source.instansi_id, by_source.tahun, institutions.provinsi_kode
),

ranks as (
    select
        instansi_id,
        tahun,
        total_pagu_idr,
        rank() over (partition by tahun order by total_pagu_idr desc) as pagu_rank_national,
        case
            when provinsi_kode is not null
                then rank() over (
                    partition by tahun, provinsi_kode order by total_pagu_idr desc
                )
        end as pagu_rank_in_province
    from institution_totals
),

trained as (
    select
        origin_instansi_id as instansi_id,
        tahun,
        count(distinct asn_key) filter (where is_completed) as participant_count,
        sum(jp) filter (where is_completed) as jp_total
    from participations
    group by origin_instansi_id, tahun
),

final as (
    select
        by_source.instansi_id,
        by_source.tahun,
        by_source.sumber_dana,
        institutions.instansi_nama,
        institutions.provinsi_kode,
        institutions.provinsi_nama,
        institutions.is_central,
        institutions.is_dob,
        cast(by_source.budget_line_count as integer) as budget_line_count,
        cast(by_source.pagu_idr as numeric(18, 2)) as pagu_idr,
        cast(by_source.realisasi_idr as numeric(18, 2)) as realisasi_idr,
        {{ safe_ratio('by_source.realisasi_idr', 'by_source.pagu_idr') }} as realisation_rate,
        cast(by_source.target_peserta as integer) as target_peserta,
        cast(coalesce(trained.participant_count, 0) as integer) as participant_count,
        cast(coalesce(trained.jp_total, 0) as numeric(14, 2)) as jp_total,
        {{ safe_ratio('by_source.realisasi_idr', 'trained.participant_count', 2) }}
            as cost_per_participant_idr,
        {{ safe_ratio('by_source.realisasi_idr', 'trained.jp_total', 2) }} as cost_per_jp_idr,
        cast(ranks.total_pagu_idr as numeric(18, 2)) as institution_pagu_idr,
        cast(ranks.pagu_rank_national as integer) as pagu_rank_national,
        cast(ranks.pagu_rank_in_province as integer) as pagu_rank_in_province
    from by_source
    inner join institutions
        on by_source.instansi_id = institutions.instansi_id
    inner join ranks
        on
            by_source.instansi_id = ranks.instansi_id
            and by_source.tahun = ranks.tahun
    left join trained
        on
            by_source.instansi_id = trained.instansi_id
            and by_source.tahun = trained.tahun
)

select * from final
