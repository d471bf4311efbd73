"""What started a load batch, recorded in `meta.load_batches.trigger`.

The run report shows the event that started a run and the seconds from that
event to publish, so every batch records, as JSON:

    {"kind": "event" | "file" | "schedule" | "manual" | "backfill" | "cli",
     "at": ISO-8601 UTC time of the triggering event,
     "asset": asset URI or null, "dag_id": ..., "run_id": ...,
     "extra": the asset event's extra (small) or {}}

Why a ContextVar rather than a parameter: the trigger is known where a run
starts (an Airflow task's context, the command line) and needed where a batch
opens (`raw_loader.open_batch`), three or four calls further down: Airflow
task → `ingest_entity_task` → `ingest_entity` → `open_batch`; file-drop task →
`sweep_landing` → `ingest_file` → `_load_rows` → `open_batch`; the CLI into
`ingest_source` or `ingest_file`. A parameter would change six signatures in
three modules (runner, landing, file_drop) that have nothing to say about
triggers, and every new path to `open_batch` would have to remember it. So
the starter sets a `contextvars.ContextVar` for the duration of its work
(`with batch_trigger(...)`) and `open_batch` reads it. A ContextVar rather
than a module global: it is per thread and per asyncio task, and it unwinds
when the block ends.

A batch opened with nothing set (a library call, a test) records a `cli`
trigger at the moment it opens: it was started outside Airflow, and a batch
never records a null trigger. Threads do not inherit a ContextVar; batches
open in the thread that started the work, so that is enough here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

log = logging.getLogger(__name__)

TriggerKind = Literal["event", "file", "schedule", "manual", "backfill", "cli"]
KINDS: tuple[TriggerKind, ...] = ("event", "file", "schedule", "manual", "backfill", "cli")

EXTRA_LIMIT = 2048
"""Most bytes (as compact JSON) a trigger's `extra` keeps; a batch row is no event store."""
MAX_LISTED_EVENTS = 10
"""Most asset events listed in `extra` when several started one run."""
_MAX_TEXT = 200
_MAX_ITEMS = 5


@dataclass(frozen=True)
class TriggeringEvent:
    """One asset event behind a run: its asset, time and extra."""

    asset: str
    at: datetime
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchTrigger:
    kind: TriggerKind
    at: datetime
    asset: str | None = None
    dag_id: str | None = None
    run_id: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"trigger kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.at.tzinfo is None:
            raise ValueError(f"trigger time {self.at.isoformat()} carries no time zone")

    def as_json(self) -> dict[str, Any]:
        """The `meta.load_batches.trigger` document."""
        return {
            "kind": self.kind,
            "at": utc_iso(self.at),
            "asset": self.asset,
            "dag_id": self.dag_id,
            "run_id": self.run_id,
            "extra": small_extra(self.extra, EXTRA_LIMIT),
        }


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def cli_trigger(at: datetime | None = None) -> BatchTrigger:
    """A command run outside Airflow, started `at` (now by default)."""
    return BatchTrigger(kind="cli", at=at or datetime.now(UTC))


def event_trigger(
    events: Sequence[TriggeringEvent],
    *,
    kind: Literal["event", "file"],
    dag_id: str | None = None,
    run_id: str | None = None,
) -> BatchTrigger:
    """A run started by asset events: `at` is the earliest event and `asset` its asset; one
    event's extra is kept as is (made small), several are listed compactly with their count."""
    if not events:
        raise ValueError("an event trigger needs at least one asset event")
    ordered = sorted(events, key=lambda event: event.at)
    first = ordered[0]
    extra: Mapping[str, Any]
    if len(ordered) == 1:
        extra = first.extra
    else:
        each = EXTRA_LIMIT // (2 * MAX_LISTED_EVENTS)
        listed = [
            {"asset": e.asset, "at": utc_iso(e.at), "extra": small_extra(e.extra, each)}
            for e in ordered[:MAX_LISTED_EVENTS]
        ]
        extra = {"count": len(ordered), "events": listed}
    return BatchTrigger(
        kind=kind, at=first.at, asset=first.asset, dag_id=dag_id, run_id=run_id, extra=extra
    )


_current: ContextVar[BatchTrigger | None] = ContextVar("sinergi_batch_trigger", default=None)


@contextmanager
def batch_trigger(trigger: BatchTrigger) -> Iterator[BatchTrigger]:
    """Every batch opened inside the block (in this thread) records `trigger`."""
    token = _current.set(trigger)
    try:
        yield trigger
    finally:
        _current.reset(token)


def current_trigger() -> BatchTrigger:
    """The trigger set around this call, else a `cli` trigger at this moment."""
    trigger = _current.get()
    if trigger is None:
        log.debug("no batch trigger set: recording the batch as started from the command line")
        return cli_trigger()
    return trigger


def small_extra(extra: Mapping[str, Any] | None, limit: int) -> dict[str, Any]:
    """`extra` as plain JSON of at most `limit` bytes: as is when it fits, else with long
    strings cut and long lists shortened (first items and a count), else only its size."""
    if not extra:
        return {}
    plain = json.loads(json.dumps(dict(extra), default=str))
    if _size(plain) <= limit:
        return dict(plain)
    trimmed = _trim(plain)
    if _size(trimmed) <= limit:
        return dict(trimmed)
    summary = {"truncated": True, "bytes": _size(plain), "keys": _trim(sorted(plain))}
    return summary if _size(summary) <= limit else {"truncated": True, "bytes": _size(plain)}


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def _trim(value: Any) -> Any:
    if isinstance(value, str):
        return value if len(value) <= _MAX_TEXT else value[:_MAX_TEXT] + "…"
    if isinstance(value, list):
        kept = [_trim(item) for item in value[:_MAX_ITEMS]]
        if len(value) > _MAX_ITEMS:
            kept.append(f"… {len(value) - _MAX_ITEMS} more")
        return kept
    if isinstance(value, dict):
        return {key: _trim(item) for key, item in value.items()}
    return value
