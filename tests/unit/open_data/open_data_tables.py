"""Small published marts built in memory, shaped like the real ones (same names and keys)."""

from __future__ import annotations

from sinergi.open_data.marts import Column, MartTable, sort_key


def table(
    name: str,
    columns: list[tuple[str, str]],
    key: tuple[str, ...],
    rows: list[dict[str, object]],
    *,
    ratios: dict[str, tuple[str, str]] | None = None,
    description: str = "",
) -> MartTable:
    """A mart of text values, as `read_marts` gives them (None stays null), in key order."""
    ratios = ratios or {}
    cols = tuple(Column(n, t, f"definition of {n}", ratios.get(n)) for n, t in columns)
    mart = MartTable(name, description, cols, key)
    text = [{k: None if v is None else str(v) for k, v in row.items()} for row in rows]
    mart.rows = sorted(text, key=lambda row: sort_key(row, mart))
    return mart


INSTITUTION_COLUMNS = [
    ("instansi_id", "text"),
    ("provinsi_kode", "text"),
    ("tahun", "integer"),
    ("asn_count", "integer"),
    ("asn_reaching_20_jp", "integer"),
    ("jp_total_all", "numeric"),
    ("share_reaching_20_jp", "numeric"),
    ("avg_jp_per_asn", "numeric"),
]
RATIOS = {
    "share_reaching_20_jp": ("asn_reaching_20_jp", "asn_count"),
    "avg_jp_per_asn": ("jp_total_all", "asn_count"),
}


def institution_year(rows: list[tuple[str, str | None, int, int, int]]) -> MartTable:
    """participation_by_institution_year from (instansi, province, year, ASN, reaching 20 JP)."""
    return table(
        "participation_by_institution_year",
        INSTITUTION_COLUMNS,
        ("instansi_id", "tahun"),
        [
            {
                "instansi_id": i,
                "provinsi_kode": p,
                "tahun": y,
                "asn_count": n,
                "asn_reaching_20_jp": r,
                "jp_total_all": f"{20 * n}.00",
                "share_reaching_20_jp": f"{r / n:.4f}" if n else None,
                "avg_jp_per_asn": "20.00" if n else None,
            }
            for i, p, y, n, r in rows
        ],
        ratios=RATIOS,
        description="Participation per institution x year: ASN, participants, JP.",
    )


def region_year(institutions: MartTable) -> MartTable:
    """participation_by_region_year as the sums of the institutions (K/L as `pusat`)."""
    sums: dict[tuple[str, str], list[int]] = {}
    for row in institutions.rows:
        key = (row["provinsi_kode"] or "pusat", str(row["tahun"]))
        totals = sums.setdefault(key, [0, 0])
        totals[0] += int(row["asn_count"] or 0)
        totals[1] += int(row["asn_reaching_20_jp"] or 0)
    return table(
        "participation_by_region_year",
        [
            ("provinsi_kode", "text"),
            ("tahun", "integer"),
            ("asn_count", "integer"),
            ("asn_reaching_20_jp", "integer"),
            ("jp_total_all", "numeric"),
            ("share_reaching_20_jp", "numeric"),
            ("avg_jp_per_asn", "numeric"),
        ],
        ("provinsi_kode", "tahun"),
        [
            {
                "provinsi_kode": p,
                "tahun": y,
                "asn_count": n,
                "asn_reaching_20_jp": r,
                "jp_total_all": f"{20 * n}.00",
                "share_reaching_20_jp": f"{r / n:.4f}" if n else None,
                "avg_jp_per_asn": "20.00" if n else None,
            }
            for (p, y), (n, r) in sums.items()
        ],
        ratios=RATIOS,
        description="Participation per province x year (central K/L as `pusat`).",
    )


def recoverable(
    tables: dict[str, MartTable],
    blanked: dict[str, list[dict[str, str | None]]],
    relations: tuple[object, ...],
    threshold: int,
) -> list[str]:
    """What an attacker works out from the exported rows: a blank count given by a
    published total minus the published cells, or pinned below the threshold, or a
    blank given back by a published ratio. Empty when nothing is."""
    from sinergi.open_data.suppression import relation_groups

    found = []
    for relation in relations:
        for group in relation_groups(tables, relation):  # type: ignore[arg-type]
            mart, index, column = group.total
            total = blanked[mart][index][column]
            if total is None:
                continue
            hidden, published = [], 0
            for d_mart, d_index, d_column in group.cells:
                value = blanked[d_mart][d_index][d_column]
                if value is None:
                    hidden.append((d_mart, d_index, d_column))
                else:
                    published += int(value)
            rest = int(total) - published
            if len(hidden) == 1:
                found.append(f"{hidden[0]} = {total} - {published} = {rest}")
            elif hidden and rest < threshold:
                found.append(f"{hidden} add up to {rest} < {threshold}")
    for name, mart in tables.items():
        for column in mart.columns:
            if column.ratio is None:
                continue
            for index, row in enumerate(blanked[name]):
                parts = [row[p] for p in column.ratio]
                if row[column.name] is not None and None in parts and any(parts):
                    found.append(f"{name}[{index}].{column.name} gives back a blank {column.ratio}")
    return found
