"""What a publish changed: rows per mart, and the largest moves of the headline figures.

The run report has to say what analysts will see differently after a
publish, and why. `record_changes` works this out inside the publish
transaction, after every audited mart has been copied to `marts.<t>__next`
and before the swaps. At that point `marts.<t>` is still the previous
publish, so the comparison is exact, and a publish that fails or is blocked
records nothing.

- `meta.mart_changes`: for each mart, the rows added, changed and removed.
  Rows are matched on the mart's unique key, the one the mart suites use
  (`discover_marts`: dbt's unique tests or `quality.yml`). Each side is
  reduced once to its key's text and a hash of its content, and the two
  sides meet in one hash full join. Content is every column but load metadata
  (`_source_batch_id` and other `_` columns): a row a source merely sent
  again has not changed. A mart without a known key is compared as whole
  rows: added = new rows not in old, removed = old rows not in new,
  changed = 0. On the first publish every row is added.
- `meta.headline_movements`: the `TOP_MOVEMENTS` largest |delta| of each
  headline figure (`FIGURES`) per subject and year. `source_batches` lists
  the new load batches whose rows feed that subject and year: the succeeded
  batches in (previous published run's `batch_high_water`, this run's],
  with the file a file-drop batch loaded.

A mart the publish updates in place (`sinergi.publish.publisher`) is
compared with its audited table instead of a copy, in the same pass, and
the pass keeps the keys of the rows to apply in a temporary table
(`DIFF_COLUMN` says added, changed, removed, or restamped: only load
metadata moved, which the published table must follow but analysts do not
count as a change).

A subject-year with no value before (a region's first figures, a figure
that was null) has value_before null and delta = value_after, moving from
zero, and one that lost its value has delta = -value_before. Either counts
only for a year the figure had both before and after this publish. A year
appearing or disappearing whole is rows added or removed in `mart_changes`,
not movements; otherwise every new year's first figures would fill the top
list every January and push out the real revisions.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import sql

from sinergi.timings import Phases
from sinergi.warehouse import schemas

log = logging.getLogger(__name__)

TOP_MOVEMENTS = 10


@dataclass(frozen=True)
class Feeder:
    """The rows that feed a figure's subject-year, each tagged with the load batch it came from.

    `mart` is a mart of this publish (its new copy is read); `relation` is
    any other (schema, table). `subject` is a SQL expression over the
    feeder's columns that yields the figure's subject id.
    """

    subject: str
    batch_column: str
    mart: str | None = None
    relation: tuple[str, str] | None = None


@dataclass(frozen=True)
class Figure:
    """A headline figure: one value per (subject, tahun) over one mart's rows.

    `value` aggregates the mart's rows of one subject-year. `names` is the
    dimension mart that holds the subjects' names: (mart, key column, name
    column).
    """

    name: str
    subject_kind: str
    mart: str
    subject_column: str
    value: str
    names: tuple[str, str, str]
    feeder: Feeder
    fallback_names: tuple[tuple[str, str], ...] = ()


FIGURES = (
    Figure(
        name="share_reaching_20_jp",
        subject_kind="provinsi",
        mart="participation_by_region_year",
        subject_column="provinsi_kode",
        value="max(share_reaching_20_jp)",  # one row per province-year already
        names=("dim_regions", "wilayah_kode", "wilayah_nama"),
        # The participations by the participant's origin province, as the mart
        # counts them (central K/L as `pusat`). `_source_batch_id` is the
        # latest batch the participation's figures come from: its reports, its
        # catalogue training, or, for an e-learning completion, the learner's
        # SIASN record.
        feeder=Feeder(
            subject="coalesce(origin_provinsi_kode, 'pusat')",
            batch_column="_source_batch_id",
            mart="fct_participations",
        ),
        fallback_names=(("pusat", "Pusat (K/L)"),),
    ),
    Figure(
        name="realisation_rate",
        subject_kind="instansi",
        mart="funding_by_institution_year_source",
        subject_column="instansi_id",
        value="sum(realisasi_idr) / nullif(sum(pagu_idr), 0)",
        names=("dim_institutions", "instansi_id", "instansi_nama"),
        # raw.satudata__budgets' lines with the institution resolved (dbt's
        # intermediate layer), one per line in its latest version. `_batch_id`
        # is the raw batch that version came from. A few thousand rows: a scan
        # costs nothing.
        feeder=Feeder(
            subject="instansi_id",
            batch_column="_batch_id",
            relation=(schemas.INTERMEDIATE, "int_budgets_resolved"),
        ),
    ),
)


@dataclass(frozen=True)
class MartChange:
    mart: str
    rows_before: int
    rows_after: int
    rows_added: int
    rows_changed: int
    rows_removed: int


@dataclass(frozen=True)
class HeadlineMovement:
    figure: str
    subject_kind: str
    subject_id: str
    subject_name: str | None
    tahun: int
    value_before: Decimal | None
    value_after: Decimal | None
    delta: Decimal
    source_batches: list[dict[str, Any]]


def _content_hash(columns: Sequence[str] | None, *, as_text: bool) -> sql.Composable:
    """A hash of a row's content columns (None: the whole row).

    PostgreSQL's own 64-bit record hash costs a third of an md5 of the row
    text (0.9 s against 2.8 s per million fct_participations rows); the md5
    serves a mart holding a column type without a hash function (json).
    """
    row = (
        sql.SQL("mart_row")
        if columns is None
        else sql.SQL("row({})").format(
            sql.SQL(", ").join(sql.Identifier("mart_row", column) for column in columns)
        )
    )
    template = "md5({}::text)::uuid" if as_text else "hash_record_extended({}, 0)"
    return sql.SQL(template).format(row)


def _keyed_diff(
    conn: psycopg.Connection,
    old: sql.Composable,
    new: sql.Composable,
    key: Sequence[str],
    content: sql.Composable,
) -> tuple[int, int, int, int, int]:
    """(before, after, added, changed, removed) matching rows on `key`, in one hash full join.

    The key is matched as the text of its columns: exact, nulls included.
    """
    key_text = sql.SQL("row({})::text").format(
        sql.SQL(", ").join(sql.Identifier("mart_row", column) for column in key)
    )

    def hashed(relation: sql.Composable) -> sql.Composable:
        return sql.SQL(
            "select {key} as row_key, {content} as row_hash from {relation} as mart_row"
        ).format(key=key_text, content=content, relation=relation)

    query = sql.SQL(
        "with before_rows as ({before}), after_rows as ({after})"
        " select count(before_rows.row_key), count(after_rows.row_key),"
        " count(*) filter (where before_rows.row_key is null),"
        " count(*) filter (where before_rows.row_hash <> after_rows.row_hash),"
        " count(*) filter (where after_rows.row_key is null)"
        " from after_rows full join before_rows on after_rows.row_key = before_rows.row_key"
    ).format(before=hashed(old), after=hashed(new))
    row = conn.execute(query).fetchone()
    assert row is not None
    return row[0], row[1], row[2], row[3], row[4]


DIFF_COLUMN = "publish_change"


def _kept_keyed_diff(
    conn: psycopg.Connection,
    old: sql.Composable,
    new: sql.Composable,
    key: Sequence[str],
    content: sql.Composable,
    meta_columns: Sequence[str],
    diff_table: str,
) -> tuple[int, int, int, int, int]:
    """`_keyed_diff` that also stores the key of every row to apply in temp table `diff_table`.

    One hash full join as there, but on the typed key columns (an in-place
    mart's key holds no null; a quarter faster than on the key's text for
    fct_participations), whose differing rows are inserted with their key
    (so the apply finds them through the key's index); load metadata that
    moved alone marks a row `restamped`. The counts come from the few rows
    kept and a count of each side.
    """
    keys = sql.SQL(", ").join(sql.Identifier(column) for column in key)
    conn.execute(
        sql.SQL(
            "create temp table {diff} on commit drop as"
            " select {keys}, ''::text as {status} from {new} limit 0"
        ).format(
            diff=sql.Identifier(diff_table), keys=keys, new=new, status=sql.Identifier(DIFF_COLUMN)
        )
    )
    meta = (
        sql.SQL("row({})").format(
            sql.SQL(", ").join(sql.Identifier("mart_row", column) for column in meta_columns)
        )
        if meta_columns
        else sql.SQL("null::int")
    )
    typed = sql.SQL(", ").join(
        sql.SQL("mart_row.{} as {}").format(sql.Identifier(column), sql.Identifier(f"key_{i}"))
        for i, column in enumerate(key)
    )

    def hashed(relation: sql.Composable) -> sql.Composable:
        return sql.SQL(
            "select {typed}, {content} as row_hash, {meta} as row_meta from {relation} as mart_row"
        ).format(typed=typed, content=content, meta=meta, relation=relation)

    coalesced = sql.SQL(", ").join(
        sql.SQL("coalesce(after_rows.{name}, before_rows.{name})").format(
            name=sql.Identifier(f"key_{i}")
        )
        for i in range(len(key))
    )
    same_key = sql.SQL(" and ").join(
        sql.SQL("after_rows.{name} = before_rows.{name}").format(name=sql.Identifier(f"key_{i}"))
        for i in range(len(key))
    )
    conn.execute(
        sql.SQL(
            "with before_rows as ({before}), after_rows as ({after})"
            " insert into {diff} select {coalesced}, case"
            " when before_rows.key_0 is null then 'added'"
            " when after_rows.key_0 is null then 'removed'"
            " when before_rows.row_hash <> after_rows.row_hash then 'changed'"
            " else 'restamped' end"
            " from after_rows full join before_rows on {same_key}"
            " where before_rows.key_0 is null or after_rows.key_0 is null"
            " or before_rows.row_hash <> after_rows.row_hash"
            " or before_rows.row_meta is distinct from after_rows.row_meta"
        ).format(
            before=hashed(old),
            after=hashed(new),
            diff=sql.Identifier(diff_table),
            coalesced=coalesced,
            same_key=same_key,
        )
    )
    row = conn.execute(
        sql.SQL(
            "select (select count(*) from {old}), (select count(*) from {new}),"
            " count(*) filter (where {status} = 'added'),"
            " count(*) filter (where {status} = 'changed'),"
            " count(*) filter (where {status} = 'removed') from {diff}"
        ).format(
            old=old, new=new, status=sql.Identifier(DIFF_COLUMN), diff=sql.Identifier(diff_table)
        )
    ).fetchone()
    assert row is not None
    return row[0], row[1], row[2], row[3], row[4]


def _whole_row_diff(
    conn: psycopg.Connection,
    old: sql.Composable,
    new: sql.Composable,
    content: sql.Composable,
) -> tuple[int, int, int, int, int]:
    """(before, after, added, 0, removed) comparing rows as multisets of their content."""

    def counted(relation: sql.Composable) -> sql.Composable:
        return sql.SQL(
            "select {content} as row_hash, count(*) as copies"
            " from {relation} as mart_row group by 1"
        ).format(content=content, relation=relation)

    query = sql.SQL(
        "with before_rows as ({before}), after_rows as ({after})"
        " select coalesce(sum(before_rows.copies), 0), coalesce(sum(after_rows.copies), 0),"
        " coalesce(sum(greatest("
        "coalesce(after_rows.copies, 0) - coalesce(before_rows.copies, 0), 0)), 0),"
        " coalesce(sum(greatest("
        "coalesce(before_rows.copies, 0) - coalesce(after_rows.copies, 0), 0)), 0)"
        " from after_rows full join before_rows on after_rows.row_hash = before_rows.row_hash"
    ).format(before=counted(old), after=counted(new))
    row = conn.execute(query).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2]), 0, int(row[3])


def content_columns(columns: Sequence[str]) -> list[str]:
    """The columns whose values are a row's content: not load metadata (`_source_batch_id`).

    A mart row that only moved to a newer batch (a source sent the same
    record again) has not changed for analysts.
    """
    return [column for column in columns if not column.startswith("_")]


@dataclass(frozen=True)
class Sides:
    """Where each mart of a publish is read: its published table and its new rows.

    `new` is the mart as this publish leaves it (its copy `marts.<t>__next`,
    or `audit.<t>` for a mart updated in place), `old_columns` and
    `new_columns` their columns (a mart absent from `old_columns` is
    published for the first time). `in_place` names each in-place mart's
    diff table.
    """

    published: str
    new: dict[str, sql.Identifier]
    old_columns: dict[str, tuple[str, ...]]
    new_columns: dict[str, tuple[str, ...]]
    in_place: dict[str, str]

    def old(self, mart: str) -> sql.Identifier:
        return sql.Identifier(self.published, mart)

    def leaves(self, mart: str) -> sql.Composable | None:
        """A mart as this publish leaves it: its new rows, or the published table it keeps."""
        if mart in self.new:
            return self.new[mart]
        if mart in self.old_columns:
            return self.old(mart)
        return None


def mart_change(
    conn: psycopg.Connection, mart: str, key: Sequence[str], sides: Sides
) -> MartChange:
    """How the mart's new rows differ from `<published>.<mart>` (absent: all added).

    A mart whose columns changed is compared as whole rows of each side,
    so every row counts as changed (keyed) or replaced (without a key).
    """
    new = sides.new[mart]
    if mart not in sides.old_columns:
        after = conn.execute(sql.SQL("select count(*) from {}").format(new)).fetchone()
        assert after is not None
        return MartChange(mart, 0, after[0], after[0], 0, 0)
    old = sides.old(mart)
    old_columns, new_columns = sides.old_columns[mart], sides.new_columns.get(mart, ())
    content = (content_columns(new_columns) or None) if old_columns == new_columns else None
    keyed = bool(key) and set(key) <= set(old_columns) & set(new_columns)
    diff_table = sides.in_place.get(mart)
    if diff_table is not None and not (keyed and content):
        raise ValueError(f"{mart}: in place needs a key and the same columns on both sides")
    for as_text in (False, True):
        content_hash = _content_hash(content, as_text=as_text)
        try:
            with conn.transaction():  # a savepoint: the publish goes on after a failed try
                if diff_table is not None:
                    metadata = [c for c in new_columns if c not in (content or ())]
                    figures = _kept_keyed_diff(
                        conn, old, new, key, content_hash, metadata, diff_table
                    )
                elif keyed:
                    figures = _keyed_diff(conn, old, new, key, content_hash)
                else:
                    figures = _whole_row_diff(conn, old, new, content_hash)
            break
        except psycopg.errors.UndefinedFunction:
            if as_text:
                raise
            log.info("%s: a column type without a hash function; comparing row text", mart)
    return MartChange(mart, *figures)


def new_batches(conn: psycopg.Connection, publish_id: int) -> tuple[int, int] | None:
    """(after, up to]: the batch ids new in this publish; None when that cannot be told.

    Before any published run every batch up to the high water is new. A
    previous published run from before `batch_high_water` existed leaves
    the lower bound unknown: the movements are then recorded untraced.
    """
    row = conn.execute(
        "select this_run.batch_high_water, previous.batch_high_water, previous.publish_id"
        " from meta.publish_runs as this_run"
        " left join lateral (select publish_id, batch_high_water from meta.publish_runs"
        "  where status = 'published' and publish_id < this_run.publish_id"
        "  order by publish_id desc limit 1) as previous on true"
        " where this_run.publish_id = %s",
        (publish_id,),
    ).fetchone()
    if row is None or row[0] is None:
        return None
    high_water, previous_high_water, previous_id = row
    if previous_id is None:
        return (0, int(high_water))
    if previous_high_water is None:
        log.warning(
            "publish %d: previous publish %d has no batch high water; movements not traced",
            publish_id,
            previous_id,
        )
        return None
    return (int(previous_high_water), int(high_water))


def _feeder_rows(
    conn: psycopg.Connection,
    feeder: Feeder,
    sides: Sides,
    batches: tuple[int, int] | None,
) -> sql.Composable:
    """(subject_id, tahun, batch_id, row_count) of the new batches' rows, for the moved subjects."""
    empty = sql.SQL(
        "select null::text as subject_id, null::int as tahun, null::bigint as batch_id,"
        " 0::bigint as row_count where false"
    )
    if batches is None or batches[0] >= batches[1]:
        return empty
    if feeder.mart is not None:
        relation = sides.leaves(feeder.mart)
    else:
        assert feeder.relation is not None
        found = conn.execute("select to_regclass(%s)", (".".join(feeder.relation),)).fetchone()
        relation = sql.Identifier(*feeder.relation) if found and found[0] else None
    if relation is None:
        log.warning("no %s to trace movements to batches", feeder.mart or feeder.relation)
        return empty
    return sql.SQL(
        "select moved.subject_id, moved.tahun, feeder.{batch} as batch_id, count(*) as row_count"
        " from moved inner join {relation} as feeder"
        " on ({subject})::text = moved.subject_id and feeder.tahun = moved.tahun"
        " where feeder.{batch} > {after} and feeder.{batch} <= {up_to}"
        " group by 1, 2, 3"
    ).format(
        batch=sql.Identifier(feeder.batch_column),
        relation=relation,
        subject=sql.SQL(feeder.subject),
        after=sql.Literal(batches[0]),
        up_to=sql.Literal(batches[1]),
    )


def record_movements(
    conn: psycopg.Connection,
    publish_id: int,
    figure: Figure,
    sides: Sides,
    batches: tuple[int, int] | None,
) -> int:
    """Insert the figure's largest movements of this publish; returns how many."""
    if figure.mart not in sides.new or figure.mart not in sides.old_columns:
        return 0  # not published now, or first published now: nothing to move from
    old = sides.old(figure.mart)
    new = sides.new[figure.mart]

    def values(relation: sql.Composable) -> sql.Composable:
        return sql.SQL(
            "select {subject}::text as subject_id, tahun, {value} as value"
            " from {relation} group by 1, 2"
        ).format(
            subject=sql.Identifier(figure.subject_column),
            value=sql.SQL(figure.value),
            relation=relation,
        )

    names_mart, names_key, names_column = figure.names
    names = sides.leaves(names_mart)
    fallback: sql.Composable = sql.SQL("null::text")
    if figure.fallback_names:
        fallback = sql.SQL("case moved.subject_id {} end").format(
            sql.SQL(" ").join(
                sql.SQL("when {} then {}").format(sql.Literal(subject), sql.Literal(name))
                for subject, name in figure.fallback_names
            )
        )
    if names is None:
        subject_name: sql.Composable = fallback
        names_join: sql.Composable = sql.SQL("")
    else:
        subject_name = sql.SQL("coalesce(names.{}, {})").format(
            sql.Identifier(names_column), fallback
        )
        names_join = sql.SQL(
            " left join (select distinct on ({key}) {key}::text as subject_id, {name}"
            " from {names} order by {key}) as names on moved.subject_id = names.subject_id"
        ).format(key=sql.Identifier(names_key), name=sql.Identifier(names_column), names=names)
    query = sql.SQL(
        """
        insert into meta.headline_movements (
            publish_id, figure, subject_kind, subject_id, subject_name, tahun,
            value_before, value_after, delta, source_batches
        )
        with
        before_values as ({before}),
        after_values as ({after}),
        compared as (
            select
                coalesce(after_values.subject_id, before_values.subject_id) as subject_id,
                coalesce(after_values.tahun, before_values.tahun) as tahun,
                before_values.value as value_before,
                after_values.value as value_after,
                coalesce(after_values.value, 0) - coalesce(before_values.value, 0) as delta
            from after_values
            full join before_values
                on after_values.subject_id = before_values.subject_id
                and after_values.tahun = before_values.tahun
        ),
        moved as (
            select * from compared
            where delta <> 0
                and tahun in (select tahun from before_values)
                and tahun in (select tahun from after_values)
            order by abs(delta) desc, subject_id, tahun
            limit {top}
        ),
        fed as ({fed}),
        files as (
            select file_loads.batch_id, min(file_loads.path) as path
            from meta.file_loads
            where
                file_loads.status = 'loaded'
                and file_loads.batch_id in (select fed.batch_id from fed)
            group by file_loads.batch_id
        ),
        traced as (
            select
                fed.subject_id,
                fed.tahun,
                jsonb_agg(jsonb_build_object(
                    'batch_id', fed.batch_id,
                    'source', batches.source,
                    'entity', batches.entity,
                    'file', files.path,
                    'rows', fed.row_count
                ) order by fed.batch_id) as source_batches
            from fed
            left join meta.load_batches as batches on fed.batch_id = batches.batch_id
            left join files on fed.batch_id = files.batch_id
            group by fed.subject_id, fed.tahun
        )
        select
            {publish_id}, {figure}, {kind}, moved.subject_id, {subject_name}, moved.tahun,
            moved.value_before, moved.value_after, moved.delta,
            coalesce(traced.source_batches, '[]'::jsonb)
        from moved
        left join traced
            on moved.subject_id = traced.subject_id and moved.tahun = traced.tahun
        {names_join}
        """
    ).format(
        before=values(old),
        after=values(new),
        top=sql.Literal(TOP_MOVEMENTS),
        fed=_feeder_rows(conn, figure.feeder, sides, batches),
        publish_id=sql.Literal(publish_id),
        figure=sql.Literal(figure.name),
        kind=sql.Literal(figure.subject_kind),
        subject_name=subject_name,
        names_join=names_join,
    )
    return conn.execute(query).rowcount


def record_changes(
    conn: psycopg.Connection,
    publish_id: int,
    sides: Sides,
    keys: dict[str, tuple[str, ...]],
) -> list[MartChange]:
    """Record what this publish changes, inside its transaction (before applies and swaps)."""
    phases = Phases("mart_changes")
    changes = []
    for mart in sorted(sides.new):
        with phases.phase(mart):
            changes.append(mart_change(conn, mart, keys.get(mart, ()), sides))
    conn.cursor().executemany(
        "insert into meta.mart_changes (publish_id, mart, rows_before, rows_after, rows_added,"
        " rows_changed, rows_removed) values (%s, %s, %s, %s, %s, %s, %s)",
        [
            (
                publish_id,
                c.mart,
                c.rows_before,
                c.rows_after,
                c.rows_added,
                c.rows_changed,
                c.rows_removed,
            )
            for c in changes
        ],
    )
    batches = new_batches(conn, publish_id)
    movements = 0
    for figure in FIGURES:
        with phases.phase(f"movements of {figure.name}"):
            movements += record_movements(conn, publish_id, figure, sides, batches)
    phases.log(log)
    log.info(
        "publish %d changes: %d rows added, %d changed, %d removed (%d of %d marts);"
        " %d headline movements; new batches %s",
        publish_id,
        sum(c.rows_added for c in changes),
        sum(c.rows_changed for c in changes),
        sum(c.rows_removed for c in changes),
        sum(1 for c in changes if c.rows_added or c.rows_changed or c.rows_removed),
        len(changes),
        movements,
        f"({batches[0]}, {batches[1]}]" if batches else "unknown",
    )
    return changes


def changes_of(
    conn: psycopg.Connection, publish_id: int
) -> tuple[list[MartChange], list[HeadlineMovement]]:
    """What a publish changed, as recorded: marts by name, movements by figure and |delta|."""
    marts = [
        MartChange(*row)
        for row in conn.execute(
            "select mart, rows_before, rows_after, rows_added, rows_changed, rows_removed"
            " from meta.mart_changes where publish_id = %s order by mart",
            (publish_id,),
        ).fetchall()
    ]
    movements = [
        HeadlineMovement(*row)
        for row in conn.execute(
            "select figure, subject_kind, subject_id, subject_name, tahun, value_before,"
            " value_after, delta, source_batches from meta.headline_movements"
            " where publish_id = %s order by figure, abs(delta) desc, subject_id, tahun",
            (publish_id,),
        ).fetchall()
    ]
    return marts, movements
