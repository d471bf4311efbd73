"""The headline figures of the published marts, read for one year.

Every figure is a ratio of sums over the marts' own rows, so the report
and an analyst's SQL on `marts` agree to the rupiah. The year shown is the
latest one with any development record: a year without data would show
0 % everywhere, which reads as a fact rather than an absence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from sinergi.warehouse import schemas

Row = dict[str, Any]


@dataclass(frozen=True)
class MartFigures:
    tahun: int | None
    provinces: list[Row] = field(default_factory=list)
    institutions: list[Row] = field(default_factory=list)
    national_mix: Row = field(default_factory=dict)
    funding_by_source: list[Row] = field(default_factory=list)
    funding_total: Row = field(default_factory=dict)
    central_quotas: list[Row] = field(default_factory=list)
    gaps_by_type: list[Row] = field(default_factory=list)
    largest_gaps_by_job: list[Row] = field(default_factory=list)
    certification: list[Row] = field(default_factory=list)
    certification_total: Row = field(default_factory=dict)


def _rows(conn: psycopg.Connection, query: str, schema: str, **params: Any) -> list[Row]:
    text = sql.SQL(query).format(s=sql.Identifier(schema))  # type: ignore[arg-type]
    with conn.cursor(row_factory=dict_row) as cur:
        return list(cur.execute(text, params).fetchall())


def _exists(conn: psycopg.Connection, schema: str, table: str) -> bool:
    row = conn.execute("select to_regclass(%s)", (f"{schema}.{table}",)).fetchone()
    return bool(row and row[0])


def report_year(conn: psycopg.Connection, schema: str) -> int | None:
    if not _exists(conn, schema, "participation_by_region_year"):
        return None
    rows = _rows(
        conn,
        "select max(tahun) as tahun from {s}.participation_by_region_year"
        " where participation_count > 0",
        schema,
    )
    return rows[0]["tahun"] if rows else None


_PROVINCES = """
select r.provinsi_kode, r.is_dob,
       -- the region mart files K/L (central) ASN under 'pusat', which is no region
       case when r.provinsi_kode = 'pusat' then 'Instansi pusat (K/L)'
            else coalesce(d.wilayah_nama, r.provinsi_kode) end as nama,
       r.asn_count, r.asn_reaching_20_jp, r.share_reaching_20_jp,
       r.jp_formal, r.jp_sosial, r.jp_pengalaman, r.jp_klasikal, r.jp_non_klasikal
from {s}.participation_by_region_year as r
left join {s}.dim_regions as d on d.wilayah_kode = r.provinsi_kode
where r.tahun = %(tahun)s
order by r.share_reaching_20_jp desc nulls last, nama
"""

_INSTITUTIONS = """
select p.instansi_id, coalesce(i.instansi_nama, p.instansi_id) as nama, i.instansi_level,
       p.is_central, p.is_dob, p.provinsi_kode, p.asn_count, p.participant_count,
       p.jp_total, p.avg_jp_per_asn, p.asn_reaching_20_jp, p.share_reaching_20_jp
from {s}.participation_by_institution_year as p
left join {s}.dim_institutions as i on i.instansi_id = p.instansi_id
where p.tahun = %(tahun)s
order by p.provinsi_kode nulls first, p.share_reaching_20_jp desc nulls last, nama
"""

_NATIONAL_MIX = """
select sum(asn_count) as asn_count, sum(asn_reaching_20_jp) as asn_reaching_20_jp,
       sum(asn_reaching_20_jp)::numeric / nullif(sum(asn_count), 0) as share_reaching_20_jp,
       sum(jp_formal) as jp_formal, sum(jp_sosial) as jp_sosial,
       sum(jp_pengalaman) as jp_pengalaman, sum(jp_klasikal) as jp_klasikal,
       sum(jp_non_klasikal) as jp_non_klasikal
from {s}.participation_by_institution_year
where tahun = %(tahun)s
"""

# jp_total repeats on every funding-source row of an institution-year: the
# national cost per JP counts it once per institution.
_FUNDING_BY_SOURCE = """
select sumber_dana, sum(pagu_idr) as pagu_idr, sum(realisasi_idr) as realisasi_idr,
       sum(realisasi_idr) / nullif(sum(pagu_idr), 0) as realisation_rate,
       sum(realisasi_idr) / nullif(sum(jp_total), 0) as cost_per_jp_idr
from {s}.funding_by_institution_year_source
where tahun = %(tahun)s
group by sumber_dana
order by sumber_dana
"""

_FUNDING_TOTAL = """
with institutions as (
    select instansi_id, sum(pagu_idr) as pagu_idr, sum(realisasi_idr) as realisasi_idr,
           max(jp_total) as jp_total
    from {s}.funding_by_institution_year_source
    where tahun = %(tahun)s
    group by instansi_id
)
select sum(pagu_idr) as pagu_idr, sum(realisasi_idr) as realisasi_idr,
       sum(realisasi_idr) / nullif(sum(pagu_idr), 0) as realisation_rate,
       sum(realisasi_idr) / nullif(sum(jp_total), 0) as cost_per_jp_idr
from institutions
"""

_CENTRAL_QUOTAS = """
select p.instansi_id, coalesce(i.instansi_nama, p.instansi_id) as nama,
       p.central_training_participation_count as peserta,
       p.central_training_regional_participation_count as peserta_daerah,
       p.central_training_regional_share as regional_share, p.meets_regional_quota
from {s}.participation_by_institution_year as p
left join {s}.dim_institutions as i on i.instansi_id = p.instansi_id
where p.tahun = %(tahun)s and p.is_central and p.central_training_participation_count > 0
order by p.central_training_regional_share, nama
"""

_GAPS_BY_TYPE = """
select jenis_kompetensi, sum(assessment_count) as assessment_count,
       sum(gap_sum) / nullif(sum(assessment_count), 0) as avg_gap,
       sum(meeting_standard_count)::numeric / nullif(sum(assessment_count), 0)
           as share_meeting_standard
from {s}.competency_by_institution_year_type
where tahun = %(tahun)s
group by jenis_kompetensi
order by avg_gap desc nulls last
"""

_GAPS_BY_JOB = """
select jabatan, jenis_kompetensi, sum(assessment_count) as assessment_count,
       sum(avg_gap * assessment_count) / nullif(sum(assessment_count), 0) as avg_gap
from {s}.competency_gaps_by_job
where tahun = %(tahun)s
group by jabatan, jenis_kompetensi
order by avg_gap desc nulls last, jabatan
limit 15
"""

_CERTIFICATION = """
select c.instansi_id, coalesce(i.instansi_nama, c.instansi_id) as nama, c.is_central,
       c.is_dob, c.certification_count, c.kompeten_count, c.share_kompeten,
       c.rank_national, c.rank_in_province
from {s}.certification_by_institution_year as c
left join {s}.dim_institutions as i on i.instansi_id = c.instansi_id
where c.tahun = %(tahun)s and c.certification_count > 0
order by c.rank_national, nama
"""

_CERTIFICATION_TOTAL = """
select sum(certification_count) as certification_count, sum(kompeten_count) as kompeten_count,
       sum(kompeten_count)::numeric / nullif(sum(certification_count), 0) as share_kompeten
from {s}.certification_by_institution_year
where tahun = %(tahun)s
"""


def read_figures(conn: psycopg.Connection, schema: str = schemas.MARTS) -> MartFigures:
    """The figures of the marts as published in `schema`; empty before the first publish."""
    tahun = report_year(conn, schema)
    if tahun is None:
        return MartFigures(tahun=None)

    def rows(query: str) -> list[Row]:
        return _rows(conn, query, schema, tahun=tahun)

    return MartFigures(
        tahun=tahun,
        provinces=rows(_PROVINCES),
        institutions=rows(_INSTITUTIONS),
        national_mix=rows(_NATIONAL_MIX)[0],
        funding_by_source=rows(_FUNDING_BY_SOURCE),
        funding_total=rows(_FUNDING_TOTAL)[0],
        central_quotas=rows(_CENTRAL_QUOTAS),
        gaps_by_type=rows(_GAPS_BY_TYPE),
        largest_gaps_by_job=rows(_GAPS_BY_JOB),
        certification=rows(_CERTIFICATION),
        certification_total=rows(_CERTIFICATION_TOTAL)[0],
    )
