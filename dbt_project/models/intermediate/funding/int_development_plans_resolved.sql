with

plans as (
    select * from {{ ref('stg_bpsdm_kemendagri__development_plans') }}
    where is_valid
),

final as (
    select
        plans.rencana_id,
        plans.tahun,
        {{ resolved_instansi_id('inst') }} as instansi_id,
        plans.jenis_pelatihan,
        plans.rencana_peserta,
        plans.rencana_jp,
        plans.rencana_anggaran_idr,
        plans._batch_id
    from plans
    {{ join_instansi('inst', 'plans.instansi_kode', 'plans.instansi_nama') }}
    where {{ resolved_instansi_id('inst') }} is not null
)

select * from final
