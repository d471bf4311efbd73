{#- The records the given staging models flag invalid, one `union all` of
    the same select per model: source and entity from the model's source
    dependency, the record key from its `meta.record_key`, the reason from
    its invalid_reason column. The list is the caller's (refs must be known
    when dbt parses); at run time every staging model with an
    invalid_reason column must be in it, so a new one cannot be forgotten. -#}
{% macro invalid_staging_records(staging_models) -%}
    {%- if execute %}{{ check_every_reason_model_listed(staging_models) }}{% endif -%}
    {%- for name in staging_models %}
        {%- set relation = ref(name) %}
        {%- set origin = staging_origin(name) %}
    select
        '{{ origin.source }}' as source,
        '{{ origin.entity }}' as entity,
        cast({{ origin.record_key }} as text) as record_key,
        invalid_reason as reason,
        _batch_id as batch_id,
        source_record as record
    from {{ relation }}
    where not is_valid
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{#- A staging model's source, entity (its raw source table) and record key. -#}
{% macro staging_origin(name) -%}
    {%- if not execute -%}
        {{ return({'source': 'parse', 'entity': 'parse', 'record_key': 'null'}) }}
    {%- endif -%}
    {%- set node = graph.nodes['model.' ~ project_name ~ '.' ~ name] -%}
    {%- set sources = [] -%}
    {%- for node_id in node.depends_on.nodes if node_id.startswith('source.') -%}
        {%- do sources.append(node_id) -%}
    {%- endfor -%}
    {%- set record_key = node.config.meta.get('record_key') -%}
    {%- if sources | length != 1 or not record_key -%}
        {{ exceptions.raise_compiler_error(
            name ~ ": a staging model with invalid_reason needs one source and meta.record_key") }}
    {%- endif -%}
    {%- set source_node = graph.sources[sources[0]] -%}
    {{ return({
        'source': source_node.source_name,
        'entity': source_node.name,
        'record_key': record_key,
    }) }}
{%- endmacro %}


{#- Fails the compile when a model with an invalid_reason column is missing from the list. -#}
{% macro check_every_reason_model_listed(staging_models) -%}
    {%- set missing = [] -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.package_name == project_name
        and 'invalid_reason' in node.columns and node.name not in staging_models -%}
        {%- do missing.append(node.name) -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            this.identifier ~ ": " ~ (missing | sort | join(', '))
            ~ " has an invalid_reason column but is not in staging_models: add it there") }}
    {%- endif -%}
{%- endmacro %}
