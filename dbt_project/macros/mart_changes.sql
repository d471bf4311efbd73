{#- Which keys an incremental aggregate mart must recompute.

    asn_development_profiles and the participation-by-grain marts aggregate
    rows whose old values are gone once their producer has rewritten them: a
    deleted participation, a completion credited to another NIP, a profile
    whose ASN moved institution. So each producer queues, for each consumer,
    the keys its rewritten rows had (the old ones, read before its delete)
    in `dbt_pending_keys`, in its own transaction; the consumer takes its
    rows and deletes them in its own (exactly once, whatever the consumer's
    schedule), adds the keys the rows have now, and recomputes those keys
    from all their inputs. A key left without rows is thereby deleted.

    A producer's full refresh queues `is_rebuild_all` for its consumers: they
    recompute every key on their next incremental run. A consumer's full
    refresh drops its queue. -#}

{% macro pending_keys_relation() -%}
    {{ generate_schema_name('staging', none) }}.dbt_pending_keys
{%- endmacro %}


{#- dbt's own bookkeeping (like dbt_processed_batches), created on first use. -#}
{% macro create_pending_keys() -%}
    create table if not exists {{ pending_keys_relation() }} (
        consumer text not null,
        -- the consumer's key (asn_key, instansi_id or provinsi_kode) and year
        -- as a producer's rewritten row had them; null: no old row
        grain_key text,
        tahun integer,
        -- a participation fct_participations rewrote: its keys now are read from the fact
        participation_id text,
        is_rebuild_all boolean not null default false,
        queued_at timestamptz not null default now()
    );
    create index if not exists dbt_pending_keys_consumer on {{ pending_keys_relation() }} (consumer)
{%- endmacro %}


{#- The models that consume the fact's and the profiles' changes. -#}
{% macro fact_consumers() -%}
    {{ return(['asn_development_profiles'] + profile_consumers()) }}
{%- endmacro %}


{% macro profile_consumers() -%}
    {{ return(['participation_by_institution_year', 'participation_by_region_year']) }}
{%- endmacro %}


{#- A producer's full refresh: its consumers must recompute everything. -#}
{% macro queue_rebuild_all(consumers) -%}
    insert into {{ pending_keys_relation() }} (consumer, is_rebuild_all)
    select consumer, true
    from unnest(array['{{ consumers | join("', '") }}']) as consumers (consumer)
{%- endmacro %}


{#- A consumer's pre-hook: its queued rows into temporary table `into`, out of the queue. -#}
{% macro take_pending_keys(into) -%}
    create temporary table {{ into }} on commit drop as
    select grain_key, tahun, participation_id, is_rebuild_all
    from {{ pending_keys_relation() }}
    where consumer = '{{ this.identifier }}';
    delete from {{ pending_keys_relation() }}
    where consumer = '{{ this.identifier }}';
    analyze {{ into }}
{%- endmacro %}


{#- fct_participations' pre-hook, before it deletes the participations in
    `scope_table`: each one's old keys for each consumer (a participation new
    to the fact has none), and its id, whose keys now the consumer reads. -#}
{% macro queue_fact_changes(scope_table) -%}
    insert into {{ pending_keys_relation() }} (consumer, grain_key, tahun, participation_id)
    select
        old_keys.consumer,
        old_keys.grain_key,
        kept.tahun,
        scope.participation_id
    from {{ scope_table }} as scope
    left join {{ this }} as kept
        on scope.participation_id = kept.participation_id
    cross join lateral (
        values
        ('asn_development_profiles', kept.asn_key),
        ('participation_by_institution_year', kept.origin_instansi_id),
        ('participation_by_institution_year', kept.penyelenggara_id),
        ('participation_by_region_year', {{ grain_key_of_fact('region', 'origin', 'kept') }}),
        ('participation_by_region_year', {{ grain_key_of_fact('region', 'host', 'kept') }})
    ) as old_keys (consumer, grain_key)
{%- endmacro %}


{#- A participation's key at a by-grain mart's grain, for its origin or its
    host (the same expressions participation_by_grain groups by). -#}
{% macro grain_key_of_fact(grain, side, alias) -%}
    {%- set columns = {
        ('institution', 'origin'): alias ~ '.origin_instansi_id',
        ('institution', 'host'): alias ~ '.penyelenggara_id',
        ('region', 'origin'): 'coalesce(' ~ alias ~ ".origin_provinsi_kode, 'pusat')",
        ('region', 'host'): 'coalesce(' ~ alias ~ ".penyelenggara_provinsi_kode, 'pusat')",
    } -%}
    {{ columns[(grain, side)] }}
{%- endmacro %}


{#- A consumer's filter on an input: keep the rows whose key expressions are
    among the pre-hook's keys. Everything on a full refresh or in a unit test. -#}
{% macro in_key_scope(scope_table, key_expr, tahun_expr) -%}
    {%- if is_incremental_run() -%}
        ({{ key_expr }}, {{ tahun_expr }}) in (select grain_key, tahun from {{ scope_table }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{#- ---------------------------------------------------------------------
    asn_development_profiles: recomputed per touched ASN (all its years) and
    per changed year (every ASN: the profile has a row for every SIASN ASN
    in every year with any activity, so a year appearing or vanishing
    touches them all). -#}

{#- dbt's bookkeeping for the profiles: the NIP and year each valid
    certification and Kemendagri assessment had when the profiles last read
    it, so a new version that names another NIP or year recomputes the old
    one too (staging keeps only the latest version). File-drop assessments
    need none: their key holds the NIP and the date. -#}
{% macro profile_records_relation() -%}
    {{ generate_schema_name('staging', none) }}.dbt_profile_records
{%- endmacro %}


{#- The profile's filter on an input: rows of a touched ASN or a changed year. -#}
{% macro in_profile_scope(asn_key_expr, tahun_expr) -%}
    {%- if is_incremental_run() -%}
        (
            {{ asn_key_expr }} in (select asn_key from profile_keys_to_rebuild)
            or {{ tahun_expr }} in (select tahun from profile_years_to_rebuild)
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{#- The profile rows' keys for the by-grain marts, queued before the
    pre-hook deletes them and after the model wrote them again. -#}
{% macro queue_profile_keys() -%}
    insert into {{ pending_keys_relation() }} (consumer, grain_key, tahun)
    select distinct
        consumers.consumer,
        case consumers.consumer
            when 'participation_by_institution_year' then profiles.instansi_id
            else coalesce(institutions.provinsi_kode, 'pusat')
        end,
        profiles.tahun
    from {{ this }} as profiles
    inner join {{ ref('int_institutions') }} as institutions
        on profiles.instansi_id = institutions.instansi_id
    cross join unnest(array['{{ profile_consumers() | join("', '") }}']) as consumers (consumer)
    where {{ in_profile_scope('profiles.asn_key', 'profiles.tahun') }}
{%- endmacro %}


{#- The valid certifications and Kemendagri assessments as staged now: of
    this run's batches, or all of them when `all_when` (SQL) holds. -#}
{% macro profile_records(all_when='true') -%}
    select
        'certification' as record_source,
        sertifikasi_id as record_id,
        nip,
        cast(extract(year from tanggal_sertifikasi) as integer) as tahun
    from {{ ref('stg_bpsdm_kemendagri__certifications') }}
    where
        is_valid
        and ({{ all_when }} or _batch_id in {{ batches_of_this_run() }})
    union all
    select
        'assessment',
        asesmen_id,
        nip,
        cast(extract(year from tanggal_asesmen) as integer)
    from {{ ref('stg_bpsdm_kemendagri__competency_assessments') }}
    where
        is_valid
        and ({{ all_when }} or _batch_id in {{ batches_of_this_run() }})
{%- endmacro %}


{#- Pre-hook of asn_development_profiles (after record_new_batches of its
    staging inputs). Full refresh: drop its queue, keep every record's NIP,
    have the by-grain marts rebuild everything. Incremental: the ASN to
    recompute (`profile_keys_to_rebuild`), the years whose presence changed
    (`profile_years_to_rebuild`, with `is_there`: in the years now), the
    years now (`profile_years`); queue the old keys and delete the rows.
    Everything is rebuilt when a producer asks for it or when the table was
    built before it recorded batches (by the former table materialisation). -#}
{% macro rebuild_changed_profiles() -%}
    {%- set records = profile_records_relation() -%}
    {%- set facts = ref('fct_participations') -%}
    {%- set certifications = ref('int_certifications_resolved') -%}
    {%- set assessments = ref('int_competency_assessments_unioned') -%}
    {%- set file_assessments = ref('stg_bpsdm_daerah__assessments') -%}
    {%- set api_assessments = ref('stg_bpsdm_kemendagri__competency_assessments') -%}
    {%- set standards = ref('stg_bpsdm_kemendagri__competency_standards') -%}
    {{ create_pending_keys() }};
    create table if not exists {{ records }} (
        record_source text not null,
        record_id text not null,
        nip text not null,
        tahun integer,
        primary key (record_source, record_id)
    );
    {%- if not is_incremental() %}
    delete from {{ pending_keys_relation() }} where consumer = '{{ this.identifier }}';
    {{ queue_rebuild_all(profile_consumers()) }};
    truncate {{ records }};
    insert into {{ records }} {{ profile_records() }};
    -- nothing to queue after the build (the post-hook also runs on a first build)
    create temporary table profile_keys_to_rebuild (asn_key text) on commit drop;
    create temporary table profile_years_to_rebuild (tahun integer, is_there boolean) on commit drop
    {%- else %}
    {{ take_pending_keys('profile_pending') }};
    create temporary table profile_rebuild_all on commit drop as
    select
        exists (select from profile_pending where is_rebuild_all)
        or not exists (
            select
            from {{ processed_batches_relation() }}
            where
                model_name = '{{ this.identifier }}'
                and recorded_xact <> pg_current_xact_id()
        ) as is_rebuild_all;
    create temporary table profile_changed_records on commit drop as
    {{ profile_records('(select is_rebuild_all from profile_rebuild_all)') }};
    -- a standard of this run: every assessment that read one, and every
    -- assessment of its job and kind (the old version's job is gone)
    create temporary table profile_changed_standards on commit drop as
    select distinct
        lower(jabatan) as jabatan,
        jenis_kompetensi
    from {{ standards }}
    where
        is_valid
        and _batch_id in {{ batches_of_this_run() }};
    -- NIPs (and the years, where known) a batch of this run touched, before and now
    create temporary table profile_touched on commit drop as
    select nip, tahun from profile_changed_records
    union
    select previous.nip, previous.tahun
    from {{ records }} as previous
    inner join profile_changed_records as changed
        on
            previous.record_source = changed.record_source
            and previous.record_id = changed.record_id
    union
    select nip, cast(null as integer)
    from {{ ref('stg_siasn__asns') }}
    where
        _batch_id in {{ batches_of_this_run() }}
        and nip is not null
    union
    select nip, cast(extract(year from tanggal_asesmen) as integer)
    from {{ file_assessments }}
    where
        is_valid
        and _batch_id in {{ batches_of_this_run() }}
    union
    select assessments.nip, cast(extract(year from assessments.tanggal_asesmen) as integer)
    from (
        select nip, jabatan, jenis_kompetensi, tanggal_asesmen
        from {{ api_assessments }}
        where is_valid
        union all
        select nip, jabatan, jenis_kompetensi, tanggal_asesmen
        from {{ file_assessments }}
        where is_valid
    ) as assessments
    inner join profile_changed_standards as changed
        on
            lower(assessments.jabatan) = changed.jabatan
            and assessments.jenis_kompetensi = changed.jenis_kompetensi;
    delete from {{ records }} as previous
    using profile_changed_records as changed
    where
        previous.record_source = changed.record_source
        and previous.record_id = changed.record_id;
    insert into {{ records }} select * from profile_changed_records;
    create temporary table profile_changed_facts on commit drop as
    select facts.asn_key, facts.tahun
    from {{ facts }} as facts
    inner join (select distinct participation_id from profile_pending) as pending
        on facts.participation_id = pending.participation_id;
    create temporary table profile_keys_to_rebuild on commit drop as
    select {{ pseudonymise_nip('nip') }} as asn_key
    from (select distinct nip from profile_touched) as touched
    union
    select grain_key from profile_pending where grain_key is not null
    union
    select asn_key from profile_changed_facts
    union
    select asn_key
    from {{ this }}
    where
        assessment_count > 0
        and exists (select from profile_changed_standards);
    analyze profile_keys_to_rebuild;
    -- the years the profile has now: every ASN x year spans them (loose index scan)
    create temporary table profile_years_before on commit drop as
    with recursive found as (
        select min(tahun) as tahun from {{ this }}
        union all
        select (select min(kept.tahun) from {{ this }} as kept where kept.tahun > found.tahun)
        from found
        where found.tahun is not null
    )
    select tahun from found where tahun is not null;
    -- a year appears or vanishes only with a record of it: those records'
    -- years, checked against every input (or all years, rebuilding all)
    create temporary table profile_years_to_rebuild on commit drop as
    with candidates as (
        select tahun from profile_touched
        union
        select tahun from profile_pending
        union
        select tahun from profile_changed_facts
        union
        select tahun
        from {{ this }}
        where
            assessment_count > 0
            and exists (select from profile_changed_standards)
        union
        select tahun from profile_years_before
        where (select is_rebuild_all from profile_rebuild_all)
        union
        select tahun from (
            select tahun from {{ facts }}
            union
            select tahun from {{ certifications }}
            union
            select tahun from {{ assessments }}
        ) as every_year
        where (select is_rebuild_all from profile_rebuild_all)
    ),

    checked as (
        select
            tahun,
            tahun in (select tahun from profile_years_before) as was_there,
            exists (select from {{ facts }} as facts where facts.tahun = candidates.tahun)
            or exists (select from {{ certifications }} as c where c.tahun = candidates.tahun)
            or exists (select from {{ assessments }} as a where a.tahun = candidates.tahun)
                as is_there
        from candidates
        where tahun is not null
    )

    select tahun, is_there
    from checked
    where
        was_there <> is_there
        or (select is_rebuild_all from profile_rebuild_all);
    create temporary table profile_years on commit drop as
    select tahun from profile_years_before
    where tahun not in (select tahun from profile_years_to_rebuild)
    union
    select tahun from profile_years_to_rebuild where is_there;
    {{ queue_profile_keys() }};
    delete from {{ this }} as kept
    where {{ in_profile_scope('kept.asn_key', 'kept.tahun') }}
    {%- endif %}
{%- endmacro %}


{#- Post-hook of asn_development_profiles: the keys of the rows it wrote. -#}
{% macro queue_rebuilt_profiles() -%}
    {%- if is_incremental() -%}
        {{ queue_profile_keys() }}
    {%- endif -%}
{%- endmacro %}


{#- The staging models whose batches the profiles read (record_new_batches). -#}
{% macro profile_staging_models() -%}
    {{ return([
        'stg_siasn__asns',
        'stg_bpsdm_kemendagri__certifications',
        'stg_bpsdm_kemendagri__competency_assessments',
        'stg_bpsdm_daerah__assessments',
        'stg_bpsdm_kemendagri__competency_standards',
    ]) }}
{%- endmacro %}


{#- ---------------------------------------------------------------------
    participation_by_institution_year / participation_by_region_year:
    recomputed per touched (institution or province, year). -#}

{#- The mart's key column at a grain. -#}
{% macro grain_key_column(grain) -%}
    {{ return({'institution': 'instansi_id', 'region': 'provinsi_kode'}[grain]) }}
{%- endmacro %}


{#- A profile's key at a grain (`profiles` joined to `institutions`). -#}
{% macro grain_key_of_profile(grain) -%}
    {%- if grain == 'institution' -%}
        profiles.instansi_id
    {%- else -%}
        coalesce(institutions.provinsi_kode, 'pusat')
    {%- endif -%}
{%- endmacro %}


{#- Pre-hook of a by-grain mart: the keys (grain_key, tahun) the fact's and
    the profiles' changes queued for it, old and now, in temporary table
    `grain_keys_to_rebuild` (every key when a producer asks for a rebuild of
    everything); their rows leave the mart. A full refresh drops its queue. -#}
{% macro rebuild_changed_grain_keys(grain) -%}
    {%- set key = grain_key_column(grain) -%}
    {%- set facts = ref('fct_participations') -%}
    {{ create_pending_keys() }};
    {%- if not is_incremental() %}
    delete from {{ pending_keys_relation() }} where consumer = '{{ this.identifier }}'
    {%- else %}
    {{ take_pending_keys('grain_pending') }};
    create temporary table grain_keys_to_rebuild on commit drop as
    with

    rebuild_all as (
        select coalesce(bool_or(is_rebuild_all), false) as is_rebuild_all from grain_pending
    ),

    changed_facts as (
        select facts.*
        from {{ facts }} as facts
        where
            facts.participation_id in (select participation_id from grain_pending)
            or (select is_rebuild_all from rebuild_all)
    ),

    keys as (
        select grain_key, tahun from grain_pending
        union
        select fact_keys.grain_key, changed_facts.tahun
        from changed_facts
        cross join lateral (
            values
            ({{ grain_key_of_fact(grain, 'origin', 'changed_facts') }}),
            ({{ grain_key_of_fact(grain, 'host', 'changed_facts') }})
        ) as fact_keys (grain_key)
        union
        select {{ key }}, tahun
        from {{ this }}
        where (select is_rebuild_all from rebuild_all)
        union
        select {{ grain_key_of_profile(grain) }}, profiles.tahun
        from {{ ref('asn_development_profiles') }} as profiles
        inner join {{ ref('int_institutions') }} as institutions
            on profiles.instansi_id = institutions.instansi_id
        where (select is_rebuild_all from rebuild_all)
    )

    select grain_key, tahun
    from keys
    where grain_key is not null and tahun is not null;
    analyze grain_keys_to_rebuild;
    delete from {{ this }} as kept
    using grain_keys_to_rebuild as scope
    where
        kept.{{ key }} = scope.grain_key
        and kept.tahun = scope.tahun
    {%- endif %}
{%- endmacro %}
