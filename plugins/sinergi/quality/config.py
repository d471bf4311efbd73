"""The quality configuration committed in `expectations/`: raw contracts and mart checks.

Checks are data, not code: a new raw entity needs a contract entry, a new
mart needs nothing when its columns follow the naming conventions of
`quality.yml`. Both files are read once per process.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from sinergi.domain.reasons import unlisted
from sinergi.paths import project_dir
from sinergi.transform.manifest import require_manifest, source_freshness
from sinergi.warehouse import schemas

EXPECTATIONS_DIR_VARIABLE = "SINERGI_EXPECTATIONS_DIR"


class QualityConfigError(ValueError):
    """A quality configuration file is malformed; the message names the entry."""


def expectations_dir() -> Path:
    """The GX file context root; `SINERGI_EXPECTATIONS_DIR` overrides it (tests use a copy)."""
    override = os.environ.get(EXPECTATIONS_DIR_VARIABLE)
    return Path(override).resolve() if override else project_dir() / "expectations"


@dataclass(frozen=True)
class RawContract:
    """The contract of one raw table (`raw.<source>__<entity>`)."""

    table: str
    key: str | None = None
    required: dict[str, str] = field(default_factory=dict)  # field -> reason
    required_any: tuple[tuple[tuple[str, ...], str], ...] = ()  # (fields, reason)
    nip: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    timestamps: tuple[str, ...] = ()
    amounts: tuple[str, ...] = ()
    non_negative: dict[str, str] = field(default_factory=dict)  # field -> reason
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_order: tuple[tuple[str, str], ...] = ()
    optional: tuple[str, ...] = ()
    blocking: bool = False

    @property
    def expected_keys(self) -> frozenset[str]:
        """Every key a record may carry without it being drift."""
        named = [
            *self.required,
            *(k for group, _ in self.required_any for k in group),
            *self.nip,
            *self.dates,
            *self.timestamps,
            *self.amounts,
            *self.non_negative,
            *self.codes,
            *(k for pair in self.date_order for k in pair),
            *self.optional,
        ]
        if self.key:
            named.append(self.key)
        return frozenset(named)

    @property
    def reasons(self) -> frozenset[str]:
        """Every reason the contract's rules can give a quarantined record."""
        given = [
            *self.required.values(),
            *(reason for _, reason in self.required_any),
            *self.non_negative.values(),
            *(f"unknown_{f}" for f in self.codes),
        ]
        if self.nip:
            given.append("invalid_nip")
        if self.dates or self.timestamps or self.date_order:
            given.append("invalid_date")
        if self.amounts:
            given += ["invalid_amount", "negative_amount"]
        return frozenset(given)


_LIST_FIELDS = ("nip", "dates", "timestamps", "amounts", "optional")


def _reasons(value: Any, default: str) -> dict[str, str]:
    """`[a, b]` or `{a: reason, b: null}` -> {field: reason}; `default` formats the missing ones."""
    if isinstance(value, dict):
        return {str(k): str(v) if v else default.format(field=k) for k, v in value.items()}
    return {str(k): default.format(field=k) for k in value or []}


def _groups(value: Any) -> tuple[tuple[tuple[str, ...], str], ...]:
    """`[[a, b]]` or `[{fields: [a, b], reason: r}]` -> ((fields, reason), ...)."""
    groups = []
    for item in value or []:
        if isinstance(item, dict):
            fields = tuple(item["fields"])
            groups.append((fields, str(item.get("reason") or "_or_".join(fields) + "_missing")))
        else:
            groups.append((tuple(item), "_or_".join(item) + "_missing"))
    return tuple(groups)


def _contract(table: str, spec: dict[str, Any]) -> RawContract:
    unknown = set(spec) - {
        *_LIST_FIELDS,
        "required",
        "non_negative",
        "key",
        "required_any",
        "codes",
        "date_order",
        "blocking",
    }
    if unknown:
        raise QualityConfigError(f"raw_contracts.yml: {table}: unknown fields {sorted(unknown)}")
    try:
        return RawContract(
            table=table,
            key=spec.get("key"),
            blocking=bool(spec.get("blocking", False)),
            required=_reasons(spec.get("required"), "{field}_missing"),
            required_any=_groups(spec.get("required_any")),
            non_negative=_reasons(spec.get("non_negative"), "negative_{field}"),
            codes={k: tuple(str(v) for v in vs) for k, vs in spec.get("codes", {}).items()},
            date_order=tuple((a, b) for a, b in spec.get("date_order", [])),
            **{name: tuple(spec.get(name, [])) for name in _LIST_FIELDS},
        )
    except (TypeError, ValueError, KeyError) as exc:
        raise QualityConfigError(f"raw_contracts.yml: {table}: {exc}") from exc


@lru_cache(maxsize=4)
def _load_contracts(path: Path) -> dict[str, RawContract]:
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(spec, dict):
        raise QualityConfigError(f"{path}: expected a mapping of raw tables")
    contracts = {table: _contract(table, body or {}) for table, body in spec.items()}
    for table, contract in contracts.items():
        if stray := unlisted(contract.reasons):
            raise QualityConfigError(
                f"raw_contracts.yml: {table}: reasons {stray} are not in the quarantine reason"
                " list (dbt_project/seeds/quarantine_reasons.csv); add them there"
            )
    return contracts


def raw_contracts() -> dict[str, RawContract]:
    """Contracts by raw table name (`<source>__<entity>`)."""
    return _load_contracts(expectations_dir() / "raw_contracts.yml")


@dataclass(frozen=True)
class QualitySettings:
    """`quality.yml`: mart checks and write-audit-publish settings."""

    raw: dict[str, Any]

    def check(self, name: str) -> dict[str, Any]:
        checks = self.raw.get("checks", {})
        if name not in checks:
            raise QualityConfigError(f"quality.yml: checks.{name} is missing")
        return dict(checks[name])

    def is_blocking(self, name: str) -> bool:
        return bool(self.check(name).get("blocking", True))

    @property
    def keys(self) -> dict[str, list[str]]:
        return {t: list(cols) for t, cols in (self.raw.get("keys") or {}).items()}

    @property
    def quarantine_candidates(self) -> tuple[str, str]:
        """(schema, relation) of dbt's list of records kept out of the marts."""
        relation = self.raw.get("quarantine_candidates") or "int_quarantine_candidates"
        return (schemas.INTERMEDIATE, str(relation))

    @property
    def reconciliation_blocking(self) -> bool:
        return bool((self.raw.get("reconciliation") or {}).get("blocking", True))


# Settings that have one home elsewhere: a quality.yml naming them again would drift.
_SETTLED_ELSEWHERE = {
    "audit_schema": "the schemas are named in sinergi/warehouse/schemas.py",
    "published_schema": "the schemas are named in sinergi/warehouse/schemas.py",
    "staging_schema": "the schemas are named in sinergi/warehouse/schemas.py",
    "analyst_role": "the analyst role is named in sinergi/warehouse/schemas.py",
    "dbt_manifest": "dbt's manifest is found by sinergi/transform/manifest.py (DBT_TARGET_PATH)",
    "mart_path_prefix": "the marts are dbt's models/marts/ (sinergi/transform/manifest.py)",
    "stale_after_hours": "staleness is each dbt source's freshness.warn_after",
    "stale_after_hours_by_source": "staleness is each dbt source's freshness.warn_after",
}


@lru_cache(maxsize=4)
def _load_settings(path: Path) -> QualitySettings:
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(spec, dict):
        raise QualityConfigError(f"{path}: expected a mapping")
    for key in sorted(set(spec) & set(_SETTLED_ELSEWHERE)):
        raise QualityConfigError(f"quality.yml: {key}: not set here; {_SETTLED_ELSEWHERE[key]}")
    return QualitySettings(spec)


def settings() -> QualitySettings:
    return _load_settings(expectations_dir() / "quality.yml")


def stale_limits() -> dict[str, timedelta | None]:
    """{raw table: how long without a successful load before it is stale}.

    Staleness is configured in one place, each dbt source's `freshness`
    (`dbt_project/models/staging/*/_*__sources.yml`): its `warn_after` is the
    limit here, so `dbt source freshness` and the stale check agree. dbt's
    parse of it is the manifest: ManifestMissing without one.
    """
    return {table: warn for table, (warn, _) in source_freshness(require_manifest()).items()}


def matching_columns(columns: list[str], patterns: list[str]) -> list[str]:
    """Columns whose name matches any of the shell-style patterns, in table order."""
    return [c for c in columns if any(fnmatch.fnmatchcase(c, p) for p in patterns)]
