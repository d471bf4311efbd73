"""Deterministic generation of the synthetic world, block by block.

Nothing here holds a whole entity list. ASN are laid out institution by
institution and cut into blocks of `BLOCK` ASN; everything an ASN does in a
month (participations, certifications, assessments, e-learning) is generated
for one (period, block) pair from a generator seeded by (seed, purpose, period,
block), so any chunk can be produced alone, in any order, by any thread, and
always gives the same arrays. Trainings are keyed by (period, host, number)
and their details come from a counter-based hash, so a participation can
compute its training without the catalogue being materialised.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from sinergi_simulator import rand
from sinergi_simulator.config import WorldConfig
from sinergi_simulator.defects import RARE_REASONS, REASONS
from sinergi_simulator.institutions import CENTRAL, PROVINCE, REGENCY, build_institutions
from sinergi_simulator.nip import birth_and_gender, birth_yyyymmdd, pns_nip, pppk_number
from sinergi_simulator.timeline import N_PERIODS, PERIOD_START_DAY, period_year_month
from sinergi_simulator.vocab import (
    COMPETENCY_TYPES,
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    GOLONGAN_PNS,
    GOLONGAN_PPPK,
    JOB_KIND_SHARE,
    JOBS,
    LAST_NAMES,
    TRAINING_KINDS,
    UNITS_CENTRAL,
    UNITS_REGIONAL,
)

logger = logging.getLogger(__name__)

BLOCK = 16384  # ASN per generation block (bigger blocks amortise numpy call overhead)
CLASS_SIZE = 25  # expected participants per training when sizing the catalogue
PARTICIPATIONS_PER_YEAR = 3.5  # ~15 M participations for 4.3 M ASN
CERTIFICATIONS_PER_YEAR = 0.05  # regional ASN only
ASSESSMENTS_PER_YEAR = 0.2
COMPLETIONS_PER_YEAR = 2.4  # LMS users only
LMS_USER_SHARE = 0.35
LOW_PROPENSITY_SHARE = 0.25  # ASN who rarely train: the ones below 20 JP
DOB_ACTIVITY_FACTOR = 0.45  # the new Papua provinces are under-served
FILE_ASSESSMENT_SHARE = 0.5  # regional assessments reported by file drop
# Training months are uneven: little in January, the budget rush in Q4.
SEASON = np.array([0.5, 0.8, 1.0, 1.0, 1.0, 1.0, 1.0, 1.1, 1.2, 1.3, 1.2, 0.9])
SEASON = SEASON / SEASON.mean()

# Participation results and report roles.
PROSES, LULUS, TIDAK_LULUS = 0, 1, 2
HASIL = ("proses", "lulus", "tidak_lulus")
KIND_CODES = tuple(k.code for k in TRAINING_KINDS)
_KIND_WEIGHTS = np.array([k.weights for k in TRAINING_KINDS]).T  # level × kind
_KIND_JP = np.array([k.jp for k in TRAINING_KINDS])
_KIND_DAYS = np.array([k.days for k in TRAINING_KINDS])
_KIND_SEATS = np.array([k.seats for k in TRAINING_KINDS])
_KIND_ACCREDITED = np.array([k.accredited for k in TRAINING_KINDS])
GOLONGAN = GOLONGAN_PNS + GOLONGAN_PPPK
UNITS = UNITS_REGIONAL + UNITS_CENTRAL
STATUS = ("PNS", "PPPK", "CPNS")
LAST_CPNS_INTAKE = 2022 * 12 + 11  # year*12 + month-1 of December 2022

_JOB_KINDS = [kind for _, kind in JOBS]
_JOB_WEIGHTS = np.array([JOB_KIND_SHARE[k] / _JOB_KINDS.count(k) for k in _JOB_KINDS])

# Host choice per origin level: (own, own province, other province, central K/L).
_HOST_SHARES = {
    REGENCY: (0.35, 0.30, 0.07, 0.28),
    PROVINCE: (0.62, 0.0, 0.08, 0.30),
    CENTRAL: (0.60, 0.0, 0.05, 0.35),
}


@dataclass
class AsnCore:
    """What activity generation and the activity records need of a block's ASN."""

    start: int
    inst: np.ndarray
    nip: np.ndarray  # int64, 18 digits
    job: np.ndarray  # index into JOBS
    propensity: np.ndarray  # training appetite (0.15 = rarely trains)
    lms_user: np.ndarray

    @property
    def size(self) -> int:
        return len(self.inst)


@dataclass
class AsnBlock(AsnCore):
    """The ASN of one block, column-wise; index 0 is ASN `start`."""

    status: np.ndarray  # index into STATUS
    gender: np.ndarray  # 1 = L, 2 = P
    birth_day: np.ndarray  # days since epoch
    first_name: np.ndarray
    last_name: np.ndarray
    golongan: np.ndarray  # index into GOLONGAN
    unit: np.ndarray  # index into UNITS
    lokasi: np.ndarray  # institution index of the work-location regency


@dataclass
class Activity:
    """Records one ASN block produced in one month, column-wise (no strings yet)."""

    owner: np.ndarray  # index into the AsnBlock
    columns: dict[str, np.ndarray]
    junk_src: np.ndarray  # which valid record each invalid one was derived from
    junk_reason: np.ndarray  # index into the entity's reason tuple
    junk_how: np.ndarray  # which variant of the defect

    @property
    def size(self) -> int:
        return len(self.owner)


class _Lru:
    """A small thread-safe memo: sequential reads reuse the last blocks they generated."""

    def __init__(self, capacity: int) -> None:
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)
        return value


class World:
    """One synthetic world; every method is a pure function of (config, arguments)."""

    def __init__(self, config: WorldConfig) -> None:
        self.config = config
        self.seed = config.seed
        self.n_asn = config.n_asn
        self.mess = config.messiness
        self.inst = build_institutions(config.seed, config.n_asn)
        self.n_blocks = -(-config.n_asn // BLOCK)
        self._prov_idx = self.inst.indices(PROVINCE)
        self._central_idx = self.inst.indices(CENTRAL)
        self._regency_idx = self.inst.indices(REGENCY)
        self._prov_weights = np.array(
            [self.inst.sizes[self.inst.province == p].sum() + 1 for p in self._prov_idx],
            dtype=np.float64,
        )
        self._central_weights = self.inst.sizes[self._central_idx].astype(np.float64) + 1
        self.training_counts = self._training_counts()
        self._training_offset = self._angkatan_offsets()
        # Small, fixed memos: enough for one (period, block) and its previous month to be
        # built together; a reader's next chunk is another block, so more would not help.
        self._asn_cache = _Lru(4)
        self._core_cache = _Lru(8)
        self._activity_cache = _Lru(16)

    # ----------------------------------------------------------------- ASN
    def block_range(self, block: int) -> tuple[int, int]:
        start = block * BLOCK
        return start, min(start + BLOCK, self.n_asn)

    def asn_block(self, block: int) -> AsnBlock:
        return cast(AsnBlock, self._asn_cache.get(block, lambda: self._make_asn_block(block, True)))

    def asn_core(self, block: int) -> AsnCore:
        """The columns activities need; skips the draws of the others (about 3x cheaper)."""
        return self._core_cache.get(block, lambda: self._make_asn_block(block, full=False))

    def _make_asn_block(self, block: int, full: bool) -> AsnCore:
        """One block's ASN. `full=False` advances the generator over the columns it skips
        (each `random(n)` takes n 64-bit steps), so the columns it returns are identical."""
        start, stop = self.block_range(block)
        index = np.arange(start, stop, dtype=np.int64)
        inst = np.searchsorted(self.inst.asn_start, index, side="right") - 1
        level = self.inst.level[inst]
        gen = rand.rng(self.seed, "asn", block)
        n = len(index)
        birth, gender, seq = birth_and_gender(self.seed, index, self.n_asn)
        birth_ymd = birth_yyyymmdd(birth)
        birth_ym = (birth_ymd // 10000) * 12 + (birth_ymd // 100 % 100) - 1
        earliest = birth_ym + 22 * 12
        span = np.minimum(LAST_CPNS_INTAKE - earliest + 1, 180)
        start_ym = earliest + np.floor(gen.random(n) * span).astype(np.int64)
        pppk = gen.random(n) < np.where(level == CENTRAL, 0.08, 0.15)
        pppk_year = 2019 + np.floor(gen.random(n) * 4).astype(np.int64)
        nip = np.where(
            pppk,
            pppk_number(birth_ymd, pppk_year, gender, seq),
            pns_nip(birth_ymd, (start_ym // 12) * 100 + start_ym % 12 + 1, gender, seq),
        )
        if not full:
            rand.skip(gen, 2 * n)  # first and last names
            job = self._draw_jobs(gen.random(n))
            rand.skip(gen, 6 * n)  # golongan, unit and work location, 2 draws each
            propensity = self._propensity(gen, inst, n)
            return AsnCore(
                start=start,
                inst=inst,
                nip=nip.astype(np.int64),
                job=job,
                propensity=propensity,
                lms_user=gen.random(n) < LMS_USER_SHARE,
            )
        status = np.where(pppk, 1, np.where(start_ym >= LAST_CPNS_INTAKE - 11, 2, 0))
        first = np.floor(
            gen.random(n) * np.where(gender == 1, len(FIRST_NAMES_M), len(FIRST_NAMES_F))
        ).astype(np.int64)
        last = np.floor(gen.random(n) * len(LAST_NAMES)).astype(np.int64)
        job = self._draw_jobs(gen.random(n))
        golongan = np.where(
            pppk,
            len(GOLONGAN_PNS) + np.floor(gen.random(n) * len(GOLONGAN_PPPK)).astype(np.int64),
            np.floor(gen.random(n) * len(GOLONGAN_PNS)).astype(np.int64),
        )
        unit = np.where(
            level == CENTRAL,
            len(UNITS_REGIONAL) + np.floor(gen.random(n) * len(UNITS_CENTRAL)).astype(np.int64),
            np.floor(gen.random(n) * len(UNITS_REGIONAL)).astype(np.int64),
        )
        lokasi = self._work_location(inst, level, gen.random(n), gen.random(n))
        propensity = self._propensity(gen, inst, n)
        return AsnBlock(
            start=start,
            inst=inst,
            nip=nip.astype(np.int64),
            status=status,
            gender=gender,
            birth_day=birth,
            first_name=first,
            last_name=last,
            job=job,
            golongan=golongan,
            unit=unit,
            lokasi=lokasi,
            propensity=propensity,
            lms_user=gen.random(n) < LMS_USER_SHARE,
        )

    def _propensity(self, gen: np.random.Generator, inst: np.ndarray, n: int) -> np.ndarray:
        low = gen.random(n) < LOW_PROPENSITY_SHARE
        propensity = np.where(low, 0.15, 1.2) * gen.lognormal(0.0, 0.25, n)
        return np.where(self.inst.is_dob[inst], propensity * DOB_ACTIVITY_FACTOR, propensity)

    @staticmethod
    def _draw_jobs(u: np.ndarray) -> np.ndarray:
        return rand.pick(u, _JOB_WEIGHTS)

    def _work_location(
        self, inst: np.ndarray, level: np.ndarray, u1: np.ndarray, u2: np.ndarray
    ) -> np.ndarray:
        """Regency of the workplace: own for regencies, one in the province for provinces."""
        regency_prov = self.inst.province[self._regency_idx]
        first = np.searchsorted(regency_prov, self.inst.province[inst], side="left")
        count = np.searchsorted(regency_prov, self.inst.province[inst], side="right") - first
        in_province = self._regency_idx[
            np.minimum(
                first + np.floor(u1 * np.maximum(count, 1)).astype(np.int64),
                len(self._regency_idx) - 1,
            )
        ]
        jakarta = self._regency_idx[regency_prov == self._code_index("31")]
        central = np.where(
            u2 < 0.6,
            jakarta[np.floor(u1 * len(jakarta)).astype(np.int64)],
            self._regency_idx[np.floor(u1 * len(self._regency_idx)).astype(np.int64)],
        )
        return np.where(level == REGENCY, inst, np.where(level == PROVINCE, in_province, central))

    def _code_index(self, code: str) -> int:
        return self.inst.codes.index(code)

    # ----------------------------------------------------------- trainings
    def _expected_load(self) -> np.ndarray:
        """Expected participations per host per average month (sizes the catalogue)."""
        sizes = self.inst.sizes.astype(np.float64)
        mean_propensity = LOW_PROPENSITY_SHARE * 0.15 + (1 - LOW_PROPENSITY_SHARE) * 1.2
        rate = sizes * mean_propensity * PARTICIPATIONS_PER_YEAR / 12
        rate = np.where(self.inst.is_dob, rate * DOB_ACTIVITY_FACTOR, rate)
        prov_share = self._prov_weights / self._prov_weights.sum()
        central_share = self._central_weights / self._central_weights.sum()
        load = np.zeros(self.inst.count)
        for level, (own, province, other, central) in _HOST_SHARES.items():
            members = self.inst.level == level
            total = rate[members].sum()
            load[members] += own * rate[members]
            if province:
                np.add.at(load, self.inst.province[members], province * rate[members])
            load[self._prov_idx] += other * total * prov_share
            load[self._central_idx] += central * total * central_share
        return load

    def _training_counts(self) -> np.ndarray:
        """Trainings per (period, host); provinces and K/L always offer at least one."""
        load = self._expected_load()
        counts = np.zeros((N_PERIODS, self.inst.count), dtype=np.int64)
        floor = np.where(self.inst.level == REGENCY, 0, 1)
        for period in range(1, N_PERIODS):
            month = period_year_month(period)[1]
            counts[period] = np.maximum(np.round(load * SEASON[month - 1] / CLASS_SIZE), floor)
        return counts

    def _angkatan_offsets(self) -> np.ndarray:
        """Trainings a host ran earlier in the same year (numbers the cohorts, `Angkatan`)."""
        offsets = np.zeros_like(self.training_counts)
        for period in range(2, N_PERIODS):
            if period_year_month(period)[1] != 1:
                offsets[period] = offsets[period - 1] + self.training_counts[period - 1]
        return offsets

    def training_keys(self, period: int) -> tuple[np.ndarray, np.ndarray]:
        """(host, number) of every training starting in `period`, in catalogue order."""
        counts = self.training_counts[period]
        host = np.repeat(np.arange(self.inst.count), counts)
        starts = np.repeat(np.cumsum(counts) - counts, counts)
        return host, np.arange(len(host)) - starts

    def training_details(
        self, period: int | np.ndarray, host: np.ndarray, number: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Attributes of trainings from their keys, identical wherever they are computed."""
        period_arr = np.broadcast_to(np.asarray(period, dtype=np.int64), host.shape)
        key = (period_arr << 44) | (host.astype(np.int64) << 24) | number.astype(np.int64)

        def u(field: str) -> np.ndarray:
            return rand.hash_u01(self.seed, f"training-{field}", key)

        level = self.inst.level[host]
        kind = np.zeros(len(host), dtype=np.int64)
        u_kind = u("kind")
        for lvl in (PROVINCE, REGENCY, CENTRAL):
            mask = level == lvl
            kind[mask] = rand.pick(u_kind[mask], _KIND_WEIGHTS[lvl])
        start = PERIOD_START_DAY[period_arr] + np.floor(u("day") * 28).astype(np.int64)
        days = rand.int_between(u("days"), _KIND_DAYS[kind, 0], _KIND_DAYS[kind, 1])
        seats = rand.int_between(u("seats"), _KIND_SEATS[kind, 0], _KIND_SEATS[kind, 1])
        quota_share = np.array([0.2, 0.3, 0.3, 0.4])[np.floor(u("quota") * 4).astype(np.int64)]
        return {
            "kind": kind,
            "jp": rand.int_between(u("jp"), _KIND_JP[kind, 0], _KIND_JP[kind, 1]),
            "start": start,
            "end": start + days - 1,
            "accredited": _KIND_ACCREDITED[kind] | (u("accredited") < 0.3),
            "seats": seats,
            "regional_quota": np.where(
                level == CENTRAL, np.round(seats * quota_share).astype(np.int64), -1
            ),
            "topic": u("topic"),
            "name_variant": u("name"),
            "angkatan": number + 1 + self._training_offset[period_arr, host],
        }

    # ------------------------------------------------------ participations
    def _choose_hosts(self, gen: np.random.Generator, inst: np.ndarray) -> np.ndarray:
        """Host institution per participation: own, own province, another province or a K/L."""
        n = len(inst)
        level = self.inst.level[inst]
        u = gen.random(n)
        other_prov = self._prov_idx[rand.pick(gen.random(n), self._prov_weights)]
        other_prov = np.where(
            other_prov == self.inst.province[inst],
            self._prov_idx[(np.searchsorted(self._prov_idx, other_prov) + 1) % len(self._prov_idx)],
            other_prov,
        )
        central = self._central_idx[rand.pick(gen.random(n), self._central_weights)]
        host = np.empty(n, dtype=np.int64)
        for lvl, (own, province, other, _) in _HOST_SHARES.items():
            mask = level == lvl
            cut1, cut2, cut3 = own, own + province, own + province + other
            um = u[mask]
            host[mask] = np.where(
                um < cut1,
                inst[mask],
                np.where(
                    um < cut2,
                    self.inst.province[inst[mask]],
                    np.where(um < cut3, other_prov[mask], central[mask]),
                ),
            )
        return host

    def participations(self, period: int, block: int, details: bool = True) -> Activity:
        """The true participations of one block's ASN in trainings starting in `period`.

        `details=False` skips the training attributes (`t_*` columns): counting
        rows at startup needs only who, where and which report channel.
        """
        act = self._activity_cache.get(
            ("participations", period, block), lambda: self._make_participations(period, block)
        )
        if details and "t_jp" not in act.columns:
            c = act.columns
            found = self.training_details(period, c["host"], c["number"])
            c.update({f"t_{k}": v for k, v in found.items()})
        return act

    def _make_participations(self, period: int, block: int) -> Activity:
        asn = self.asn_core(block)
        gen = rand.rng(self.seed, "participations", period, block)
        month = period_year_month(period)[1]
        lam = asn.propensity * PARTICIPATIONS_PER_YEAR / 12 * SEASON[month - 1]
        owner = np.repeat(np.arange(asn.size), gen.poisson(lam))
        n = len(owner)
        inst = asn.inst[owner]
        host = self._choose_hosts(gen, inst)
        counts = self.training_counts[period]
        host = np.where(counts[host] > 0, host, self.inst.province[host])
        number = np.floor(gen.random(n) * counts[host]).astype(np.int64)
        # An ASN joins a given training once: drop repeated draws of the same one.
        key = (owner * self.inst.count + host) * (1 << 20) + number
        first = np.sort(np.unique(key, return_index=True)[1])
        owner, inst, host, number = owner[first], inst[first], host[first], number[first]
        n = len(owner)
        regional_host = self.inst.level[host] != CENTRAL
        file_primary = regional_host & (gen.random(n) < self.mess.file_share)
        proses = ~file_primary & (gen.random(n) < self.mess.late_update_rate)
        final = np.where(gen.random(n) < 0.93, LULUS, TIDAK_LULUS)
        dup = (gen.random(n) < self.mess.duplicate_rate) & (host != inst)
        dup_file = dup & (self.inst.level[inst] != CENTRAL) & (gen.random(n) < 0.5)
        columns = {
            "inst": inst,
            "host": host,
            "number": number,
            "file_primary": file_primary,
            "proses": proses,
            "final": final,
            "dup_api": dup & ~dup_file,
            "dup_file": dup_file,
            "variant_u": gen.random(n),
            "dup_variant_u": gen.random(n),
            "drift_u": gen.random(n),
            "file_u": gen.random(n),
        }
        return Activity(owner, columns, *self._defects("participations", gen, n, period, block))

    def _defects(
        self, entity: str, gen: np.random.Generator, n: int, *keys: int
    ) -> tuple[np.ndarray, ...]:
        """(src, reason, how) of a chunk's invalid records: the common defects, then the rare."""
        common = self._junk(gen, n, len(REASONS[entity]))
        rare = self.rare_junk(entity, n, *keys)
        return tuple(np.concatenate(pair) for pair in zip(common, rare, strict=True))

    def rare_junk(self, entity: str, n: int, *keys: int) -> tuple[np.ndarray, ...]:
        """(src, reason, how) of records with a rare defect, at `rare_fault_rate` per record.

        Drawn from their own generator, so a world without them is unchanged.
        Reasons take turns from a random start (every one appears once a few
        are drawn), codes after the entity's common ones; each copies a
        distinct valid record while there are enough, so no two are equal.
        """
        rate = self.mess.rare_fault_rate
        empty = np.zeros(0, dtype=np.int64)
        if rate <= 0 or n == 0 or not RARE_REASONS[entity]:
            return empty, empty, empty
        gen = rand.rng(self.seed, f"rare-{entity}", *keys)
        count = int(gen.binomial(n, rate))
        kinds = len(RARE_REASONS[entity])
        reason = len(REASONS[entity]) + (int(gen.integers(0, kinds)) + np.arange(count)) % kinds
        src = gen.permutation(n)[:count] if count <= n else gen.integers(0, n, count)
        return src.astype(np.int64), reason.astype(np.int64), gen.integers(0, 1 << 20, count)

    def _junk(self, gen: np.random.Generator, n: int, reasons: int) -> tuple[np.ndarray, ...]:
        """Invalid records to add to a chunk: each copies a valid one and breaks one thing."""
        count = int(gen.binomial(n, self.mess.invalid_rate)) if n else 0
        return (
            gen.integers(0, max(n, 1), count),
            gen.integers(0, reasons, count),
            gen.integers(0, 1 << 20, count),
        )

    # ---------------------------------------------- other monthly activity
    def certifications(self, period: int, block: int) -> Activity:
        return self._activity_cache.get(
            ("certifications", period, block), lambda: self._make_certifications(period, block)
        )

    def _make_certifications(self, period: int, block: int) -> Activity:
        asn = self.asn_core(block)
        gen = rand.rng(self.seed, "certifications", period, block)
        regional = self.inst.level[asn.inst] != CENTRAL
        structural = np.array([kind == "struktural" for _, kind in JOBS])[asn.job]
        lam = np.where(regional, CERTIFICATIONS_PER_YEAR / 12, 0.0) * np.where(structural, 3, 1)
        owner = np.repeat(np.arange(asn.size), gen.poisson(lam))
        n = len(owner)
        columns = {
            "type_u": gen.random(n),
            "day": np.floor(gen.random(n) * 28).astype(np.int64),
            "kompeten": gen.random(n) < np.where(self.inst.is_dob[asn.inst[owner]], 0.6, 0.8),
            "drift_u": gen.random(n),
        }
        return Activity(owner, columns, *self._defects("certifications", gen, n, period, block))

    def assessments(self, period: int, block: int) -> Activity:
        return self._activity_cache.get(
            ("assessments", period, block), lambda: self._make_assessments(period, block)
        )

    def _make_assessments(self, period: int, block: int) -> Activity:
        asn = self.asn_core(block)
        gen = rand.rng(self.seed, "assessments", period, block)
        owner = np.repeat(np.arange(asn.size), gen.poisson(ASSESSMENTS_PER_YEAR / 12, asn.size))
        n = len(owner)
        inst = asn.inst[owner]
        ctype = np.floor(gen.random(n) * len(COMPETENCY_TYPES)).astype(np.int64)
        standard = self.standard_level(asn.job[owner], ctype)
        gap = rand.pick(gen.random(n), np.array([0.1, 0.35, 0.35, 0.15, 0.05])) - 1
        gap = gap + (self.inst.is_dob[inst] & (gen.random(n) < 0.5))
        columns = {
            "ctype": ctype,
            "standard": standard,
            "level": np.clip(standard - gap, 1, 5),
            "day": np.floor(gen.random(n) * 28).astype(np.int64),
            "by_file": (self.inst.level[inst] != CENTRAL) & (gen.random(n) < FILE_ASSESSMENT_SHARE),
            "drift_u": gen.random(n),
            "file_u": gen.random(n),
        }
        defects = self._defects("competency_assessments", gen, n, period, block)
        return Activity(owner, columns, *defects)

    def standard_level(self, job: np.ndarray, ctype: np.ndarray) -> np.ndarray:
        """The job's required level per competency type (the competency_standards table)."""
        key = job.astype(np.int64) * 8 + ctype
        base = np.array([kind == "struktural" for _, kind in JOBS])[job] + 2
        return np.minimum(base + np.floor(rand.hash_u01(self.seed, "standard", key) * 3), 5).astype(
            np.int64
        )

    def completions(self, period: int, block: int) -> Activity:
        return self._activity_cache.get(
            ("completions", period, block), lambda: self._make_completions(period, block)
        )

    def _make_completions(self, period: int, block: int) -> Activity:
        asn = self.asn_core(block)
        gen = rand.rng(self.seed, "completions", period, block)
        lam = np.where(asn.lms_user, COMPLETIONS_PER_YEAR / 12, 0.0)
        owner = np.repeat(np.arange(asn.size), gen.poisson(lam))
        n = len(owner)
        columns = {
            "course": np.floor(gen.random(n) * N_COURSES).astype(np.int64),
            "score": 60 + np.floor(gen.random(n) * 41).astype(np.int64),
            "drift_u": gen.random(n),
        }
        return Activity(owner, columns, *self._defects("completions", gen, n, period, block))

    def job_changes(self, period: int, block: int) -> tuple[np.ndarray, ...]:
        """ASN of a block whose job changes in `period`, with their new job columns."""
        start, stop = self.block_range(block)
        gen = rand.rng(self.seed, "job-changes", period, block)
        size = stop - start
        count = int(gen.binomial(size, self.mess.job_change_rate / 12))
        who = np.sort(gen.integers(0, size, count))
        return who, self._draw_jobs(gen.random(count)), gen.random(count), gen.random(count)


N_COURSES = 45  # 15 subjects × 3 levels
COURSE_MINUTES = np.array([45, 60, 90, 120, 135, 180, 240, 30, 90, 120, 45, 150, 180, 60, 90])


def course_minutes(course: np.ndarray) -> np.ndarray:
    """Duration of a course in minutes (subject base × level)."""
    return COURSE_MINUTES[course // 3] * (1 + course % 3)
