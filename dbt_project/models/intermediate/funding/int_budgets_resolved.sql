{#- Budget lines with the institution resolved (the satker code when the
    dimension knows it, else the free-text name) and the funding source
    normalised to APBN / APBD / BLU / PNBP. -#}
with

budgets as (
    select * from {{ ref('stg_satudata__budgets') }}
    where is_valid
),

final as (
    select
        budgets.budget_id,
        budgets.tahun,
        {{ resolved_instansi_id('inst') }} as instansi_id,
        budgets.sumber_dana,
        budgets.program,
        budgets.pagu_idr,
        coalesce(budgets.realisasi_idr, 0) as realisasi_idr,
        budgets.target_peserta,
        budgets._batch_id
    from budgets
    {{ join_instansi('inst', 'budgets.kode_satker', 'budgets.nama_instansi') }}
    where {{ resolved_instansi_id('inst') }} is not null
)

select * from final
