"""Small cells: which exported values must be blanked so no count of fewer than
`threshold` people can be read or worked out.

Three passes, to a fixed point (pure functions over the tables read):

1. primary: a count (`config.is_count_column`) in 1..threshold-1;
2. complementary: in every group whose total is published (`config.RELATIONS`),
   a suppressed cell must not be the only one, and the suppressed cells must
   add up to at least the threshold, else the total minus the published cells
   gives it (or pins it down). The smallest non-zero published cell joins them
   (ties: key order) until both hold; a group that cannot be protected that
   way has its total suppressed instead;
3. derived: a ratio (`config.meta.ratio` in dbt) over a suppressed cell is
   suppressed, or numerator = ratio x denominator gives the cell back.

Zero is published: it identifies nobody, and a complement is never a zero,
so a blank always stands for at least one person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sinergi.open_data.config import Relation
from sinergi.open_data.marts import MartTable, Row

# (mart, row index in the mart's sorted rows, column)
Cell = tuple[str, int, str]


@dataclass(frozen=True)
class Group:
    """The detail cells of one relation column that add up to one published total."""

    total: Cell
    cells: tuple[Cell, ...]


def count_value(row: Row, column: str) -> int | None:
    value = row.get(column)
    return None if value is None or value == "" else int(value)


def primary_cells(tables: Mapping[str, MartTable], threshold: int) -> set[Cell]:
    """Counts of 1..threshold-1."""
    cells = set()
    for table in tables.values():
        for column in table.count_columns:
            for index, row in enumerate(table.rows):
                value = count_value(row, column)
                if value is not None and 0 < value < threshold:
                    cells.add((table.name, index, column))
    return cells


def relation_groups(tables: Mapping[str, MartTable], relation: Relation) -> list[Group]:
    """The groups of `relation` whose total row is published."""
    detail, total = tables.get(relation.detail), tables.get(relation.total)
    if detail is None or total is None:
        return []
    pairs = relation.columns or tuple(
        (c, c) for c in detail.count_columns if c in total.count_columns
    )
    pairs = tuple(
        (d, t) for d, t in pairs if detail.column(d) is not None and total.column(t) is not None
    )
    totals = {tuple(row.get(k) for k in relation.total_key): i for i, row in enumerate(total.rows)}
    members: dict[tuple[str | None, ...], list[int]] = {}
    for index, row in enumerate(detail.rows):
        key = tuple(
            relation.null_as if row.get(g) is None and relation.null_as else row.get(g)
            for g in relation.group
        )
        members.setdefault(key, []).append(index)
    groups = []
    for key, indexes in members.items():
        if key not in totals:
            continue
        for detail_column, total_column in pairs:
            groups.append(
                Group(
                    (total.name, totals[key], total_column),
                    tuple((detail.name, i, detail_column) for i in indexes),
                )
            )
    return groups


def _value(tables: Mapping[str, MartTable], cell: Cell) -> int:
    mart, index, column = cell
    return count_value(tables[mart].rows[index], column) or 0


def protect_group(
    tables: Mapping[str, MartTable], group: Group, suppressed: set[Cell], threshold: int
) -> set[Cell]:
    """The cells to add to `suppressed` so the group's total reveals no suppressed cell."""
    if group.total in suppressed:
        return set()  # the total is hidden: nothing to subtract from
    hidden = [c for c in group.cells if c in suppressed]
    if not hidden:
        return set()
    added: set[Cell] = set()
    candidates = sorted(
        (c for c in group.cells if c not in suppressed and _value(tables, c) > 0),
        key=lambda c: (_value(tables, c), c[1]),
    )
    while len(hidden) == 1 or sum(_value(tables, c) for c in hidden) < threshold:
        if not candidates:
            return {group.total}
        chosen = candidates.pop(0)
        hidden.append(chosen)
        added.add(chosen)
    return added


def derived_cells(tables: Mapping[str, MartTable], suppressed: set[Cell]) -> set[Cell]:
    """Ratios whose numerator or denominator is suppressed."""
    cells = set()
    for table in tables.values():
        for column in table.columns:
            if column.ratio is None:
                continue
            for index, row in enumerate(table.rows):
                if row.get(column.name) is None:
                    continue  # no data: nothing to give back, nothing to flag
                if any((table.name, index, part) in suppressed for part in column.ratio):
                    cells.add((table.name, index, column.name))
    return cells


def suppressed_cells(
    tables: Mapping[str, MartTable], relations: Iterable[Relation], threshold: int
) -> set[Cell]:
    """Every cell to blank: primary, complementary and derived, to a fixed point."""
    relations = tuple(relations)
    suppressed = primary_cells(tables, threshold)
    groups = [g for relation in relations for g in relation_groups(tables, relation)]
    while True:
        added: set[Cell] = set()
        for group in groups:
            new = protect_group(tables, group, suppressed | added, threshold)
            added |= new
        added |= derived_cells(tables, suppressed | added)
        added -= suppressed
        if not added:
            return suppressed
        suppressed |= added


def blanked_rows(table: MartTable, suppressed: set[Cell], flag_column: str) -> list[Row]:
    """The table's rows with its suppressed cells empty and, per row, the flag column
    naming them (`;`-separated, in column order); empty when nothing was suppressed."""
    order = [c.name for c in table.columns]
    rows = []
    for index, row in enumerate(table.rows):
        hidden = [c for c in order if (table.name, index, c) in suppressed]
        out: Row = {c: (None if c in hidden else row.get(c)) for c in order}
        out[flag_column] = ";".join(hidden) or None
        rows.append(out)
    return rows
