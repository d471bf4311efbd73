"""The served entities: how the world's arrays become the records of each source.

Each entity is a `Stream` whose chunk builder turns one (period, block) of the
world into JSON records (pre-encoded bytes, so a page is a join). The row
layout of each chunk (which valid record or which injected defect each row
is) is a separate function, shared with the truth manifest, so the truth is
computed from the same rows that are served.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sinergi_simulator import rand
from sinergi_simulator.defects import REASONS, UNKNOWN_INSTANSI, break_record, rare_reason_index
from sinergi_simulator.institutions import CENTRAL
from sinergi_simulator.nip import mangle
from sinergi_simulator.streams import Chunk, Stream
from sinergi_simulator.timeline import (
    N_PERIODS,
    PERIOD_START_DAY,
    iso_days,
    iso_ms,
    period_year_month,
)
from sinergi_simulator.vocab import (
    CERTIFICATION_TYPES,
    COMPETENCY_TYPES,
    COURSE_LEVELS,
    COURSE_SUBJECTS,
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    FUNDING_SPELLINGS,
    JOBS,
    LAST_NAMES,
    PROGRAMS,
    TRAINING_KINDS,
    TRAINING_TOPICS,
)
from sinergi_simulator.world import (
    GOLONGAN,
    HASIL,
    KIND_CODES,
    LULUS,
    PROSES,
    STATUS,
    UNITS,
    Activity,
    World,
    course_minutes,
)

logger = logging.getLogger(__name__)

HOST, DUP, UPDATE, JUNK = 0, 1, 2, 3
# One participation record; %-formatting a tuple per row runs in C (no per-field bytecode).
PARTICIPATION_JSON = (
    '{"partisipasi_id":"%s%05d%s","kode_pelatihan":"PLT%s-%03d-%04d","nip":"%s",%s'
    '"pelapor":"%s","hasil":"%s","jp_diakui":%d,%s"modified_at":"%sZ"}'
)
TRAINING_BLOCK = 4096  # catalogue entries per chunk (a national month announces ~45k)
# Why an injected record is invalid (index = Activity.junk_reason): REASONS, in defects.py.


def impossible_date(year: int, how: int) -> str:
    """A date string that looks ISO but is not a calendar date (2023-02-31, 2023-04-31…)."""
    return (f"{year}-02-30", f"{year}-02-31", f"{year}-04-31", f"{year}-13-01")[how % 4]


def period_tag(period: int) -> str:
    year, month = period_year_month(period)
    return f"{year % 100:02d}{month:02d}"


def training_code(period: int, host: int, number: int) -> str:
    return f"PLT{period_tag(period)}-{host:03d}-{number:04d}"


def _dumps(value: str) -> str:
    return json.dumps(value)


def with_rare_defects(entity: str, records: list, codes: np.ndarray, hows: np.ndarray) -> list:
    """The encoded records (bytes or str, in place), those whose code names a rare
    defect broken by it (simulator/defects.py); rare rows are few, so per record."""
    first = len(REASONS[entity])
    for i in np.flatnonzero(codes >= first).tolist():
        reason = rare_reason_index(entity, int(codes[i]))
        assert reason is not None
        broken = break_record(entity, reason, records[i], int(hows[i]))
        records[i] = broken if isinstance(records[i], bytes) else broken.decode()
    return records


@dataclass(frozen=True)
class ParticipationRows:
    """Served rows of a participation chunk: role and index into the true table."""

    role: np.ndarray
    tidx: np.ndarray


class Sources:
    """All served entities of one world, as streams, plus the row layouts truth reuses."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.mess = world.mess
        inst = world.inst
        self._name_json = [
            [_dumps(name), *(_dumps(v) for v in variants)]
            for name, variants in zip(inst.names, inst.variants, strict=True)
        ]
        self._n_variants = np.array([len(v) for v in inst.variants])
        # The same names flat (institution i's k-th name at _name_at[i] + k), as object
        # arrays: a chunk picks its names with one fancy index instead of a Python loop.
        self._name_at = np.cumsum([0] + [len(names) for names in self._name_json[:-1]])
        flat = [
            (code, name)
            for code, names in zip(inst.codes, self._name_json, strict=True)
            for name in names
        ]
        self._flat_name = np.array([name for _, name in flat], dtype=object)
        self._origin_both = np.array(
            [f'"instansi_asal_kode":"{c}","instansi_asal_nama":{n},' for c, n in flat], object
        )
        self._origin_name = np.array([f'"instansi_asal_nama":{n},' for _, n in flat], object)
        self._origin_code = np.array([f'"instansi_asal_kode":"{c}",' for c in inst.codes], object)
        self._person_json = {
            (g, f, la): _dumps(
                (FIRST_NAMES_M if g == 1 else FIRST_NAMES_F)[f]
                + (f" {LAST_NAMES[la]}" if LAST_NAMES[la] else "")
            )
            for g in (1, 2)
            for f in range(len(FIRST_NAMES_M if g == 1 else FIRST_NAMES_F))
            for la in range(len(LAST_NAMES))
        }

    # ------------------------------------------------------------ helpers
    def variant_index(self, inst: np.ndarray, u: np.ndarray) -> np.ndarray:
        """0 = canonical name, k = k-th variant; variants appear at name_variant_rate."""
        rate = self.mess.name_variant_rate
        nvar = self._n_variants[inst]
        use = (u < rate) & (nvar > 0)
        pick = np.floor(u / max(rate, 1e-12) * np.maximum(nvar, 1)).astype(np.int64)
        return np.where(use, 1 + np.minimum(pick, np.maximum(nvar - 1, 0)), 0)

    def name_json(self, inst: np.ndarray, u: np.ndarray) -> list[str]:
        return self._flat_name[self._name_at[inst] + self.variant_index(inst, u)].tolist()

    def origin_json(self, inst: np.ndarray, u: np.ndarray, drift: np.ndarray) -> list[str]:
        """A participation's origin fields: code and name, or one of them (drift 1, 2)."""
        flat = self._name_at[inst] + self.variant_index(inst, u)
        both = np.where(drift == 2, self._origin_name[flat], self._origin_both[flat])
        return np.where(drift == 1, self._origin_code[inst], both).tolist()

    def drift_kind(self, u: np.ndarray) -> np.ndarray:
        """-1 = no drift, else which drift (0 extra field, 1 and 2 a missing optional field)."""
        rate = self.mess.drift_rate
        return np.where(u < rate, np.floor(u / max(rate, 1e-12) * 3).astype(np.int64), -1)

    # ------------------------------------------------------------- streams
    @cached_property
    def streams(self) -> dict[str, Stream]:
        """Every served entity by `<source>.<entity>` name."""
        return {
            "siasn.asn": self.asn,
            "bpsdm_kemendagri.trainings": self.trainings,
            "bpsdm_kemendagri.participations": self.participations,
            "bpsdm_kemendagri.certifications": self.certifications,
            "bpsdm_kemendagri.development_plans": self.development_plans,
            "bpsdm_kemendagri.competency_standards": self.competency_standards,
            "bpsdm_kemendagri.competency_assessments": self.competency_assessments,
            "kemnaker_corpu.completions": self.completions,
            "satudata.budgets": self.budgets,
        }

    def _per_block(self, count) -> np.ndarray:
        counts = np.zeros((N_PERIODS, self.world.n_blocks), dtype=np.int64)
        for block in range(self.world.n_blocks):
            for period in range(N_PERIODS):
                counts[period, block] = count(period, block)
        return counts

    # ----------------------------------------------------------------- ASN
    def asn_rows(self, period: int, block: int) -> tuple[np.ndarray, ...]:
        """(who, is_junk, reason, how, new_job) rows of a siasn chunk, in served order.

        Period 0 publishes every ASN (plus invalid copies); later periods
        re-publish the ASN whose job changed.
        """
        world = self.world
        if period == 0:
            size = world.asn_core(block).size
            gen = rand.rng(world.seed, "asn-junk", block)
            src, reason, how = world._junk(gen, size, 2)
            who = np.concatenate([np.arange(size), src])
            junk = np.concatenate([np.zeros(size, bool), np.ones(len(src), bool)])
            order = gen.permutation(len(who))
            reasons = np.concatenate([np.full(size, -1), reason])[order]
            hows = np.concatenate([np.zeros(size, np.int64), how])[order]
            who, junk = who[order], junk[order]
            rare_src, rare_reason, rare_how = world.rare_junk("asn", size, block)
            if len(rare_src):  # shuffled in with their own generator: none, nothing moves
                mix = rand.rng(world.seed, "asn-rare-order", block).permutation(
                    len(who) + len(rare_src)
                )
                who = np.concatenate([who, rare_src])[mix]
                junk = np.concatenate([junk, np.ones(len(rare_src), bool)])[mix]
                reasons = np.concatenate([reasons, rare_reason])[mix]
                hows = np.concatenate([hows, rare_how])[mix]
            return who, junk, reasons, hows, np.full(len(who), -1)
        who, job, _, _ = world.job_changes(period, block)
        none = np.zeros(len(who), bool)
        return who, none, np.full(len(who), -1), np.zeros(len(who), np.int64), job

    @cached_property
    def asn(self) -> Stream:
        counts = self._per_block(lambda p, b: len(self.asn_rows(p, b)[0]))
        return Stream("siasn.asn", counts, self._build_asn)

    def _build_asn(self, period: int, block: int, ts: np.ndarray) -> list[bytes]:
        world = self.world
        asn = world.asn_block(block)
        who, junk, reason, how, new_job = self.asn_rows(period, block)
        inst = asn.inst[who]
        job = np.where(new_job >= 0, new_job, asn.job[who])
        gen = rand.rng(world.seed, "asn-encode", period, block)
        golongan = asn.golongan[who]
        if period > 0:  # a job change often comes with a promotion
            golongan = np.where(
                (gen.random(len(who)) < 0.5) & (golongan < len(GOLONGAN) - 6),
                golongan + 1,
                golongan,
            )
        names = self.name_json(inst, gen.random(len(who)))
        drift = self.drift_kind(gen.random(len(who)))
        birth = iso_days(asn.birth_day[who])
        stamps = iso_ms(ts)
        out = []
        for i, a in enumerate(who.tolist()):
            nip = int(asn.nip[a])
            nip_text = mangle(nip, int(how[i])) if junk[i] and reason[i] == 0 else str(nip)
            birth_text = birth[i]
            if junk[i] and reason[i] == 1:
                birth_text = impossible_date(int(birth_text[:4]), int(how[i]))
            g = int(asn.gender[a])
            jabatan, jenis = JOBS[int(job[i])]
            parts = [
                f'{{"nip":"{nip_text}","nama":'
                f"{self._person_json[(g, int(asn.first_name[a]), int(asn.last_name[a]))]}",
                f'"gender":"{"L" if g == 1 else "P"}","tanggal_lahir":"{birth_text}"',
                f'"status_kepegawaian":"{STATUS[int(asn.status[a])]}"',
                f'"instansi_kode":"{world.inst.codes[int(inst[i])]}","instansi_nama":{names[i]}',
            ]
            if drift[i] != 1:
                parts.append(f'"unit_kerja":"{UNITS[int(asn.unit[a])]}"')
            parts.append(f'"jabatan":"{jabatan}","jenis_jabatan":"{jenis}"')
            if drift[i] != 2:
                parts.append(f'"golongan":"{GOLONGAN[int(golongan[i])]}"')
            parts.append(f'"lokasi_kerja_kode":"{world.inst.codes[int(asn.lokasi[a])]}"')
            if drift[i] == 0:
                parts.append('"eselon":null')
            parts.append(f'"updated_at":"{stamps[i]}"}}')
            out.append(",".join(parts).encode())
        return with_rare_defects("asn", out, np.where(junk, reason, -1), how)

    # ----------------------------------------------------------- trainings
    def training_junk(self, period: int) -> tuple[np.ndarray, ...]:
        """Invalid catalogue entries announced in `period` (reason, how)."""
        gen = rand.rng(self.world.seed, "training-junk", period)
        valid = int(self.world.training_counts[period + 1].sum()) if period + 1 < N_PERIODS else 0
        _, reason, how = self.world._junk(gen, valid, 2)
        _, rare_reason, rare_how = self.world.rare_junk("trainings", valid, period)
        return np.concatenate([reason, rare_reason]), np.concatenate([how, rare_how])

    @cached_property
    def trainings(self) -> Stream:
        """A month's catalogue (announced the month before), cut into chunks of TRAINING_BLOCK."""
        totals = np.zeros(N_PERIODS, dtype=np.int64)
        for period in range(N_PERIODS - 1):
            valid = int(self.world.training_counts[period + 1].sum())
            totals[period] = valid + len(self.training_junk(period)[0])
        width = max(1, -(-int(totals.max()) // TRAINING_BLOCK))
        first = np.arange(width, dtype=np.int64) * TRAINING_BLOCK
        counts = np.clip(totals[:, None] - first[None, :], 0, TRAINING_BLOCK)
        return Stream("bpsdm_kemendagri.trainings", counts, self._build_trainings)

    def training_names(self, period: int, host: np.ndarray, details: dict) -> list[str]:
        """Unique human titles: kind, topic, cohort, year and host."""
        year = period_year_month(period)[0]
        topics = np.floor(details["topic"] * len(TRAINING_TOPICS)).astype(np.int64)
        names = []
        for h, k, t, a in zip(
            host.tolist(),
            details["kind"].tolist(),
            topics.tolist(),
            details["angkatan"].tolist(),
            strict=True,
        ):
            kind = TRAINING_KINDS[k]
            topic = "" if kind.accredited else f" {TRAINING_TOPICS[t]}"
            names.append(
                f"{kind.title}{topic} Angkatan {a} Tahun {year} {self.world.inst.short[h]}"
            )
        return names

    def _build_trainings(self, period: int, block: int, ts: np.ndarray) -> list[bytes]:
        """Catalogue positions [lo, hi) of a month: valid trainings first, then invalid ones."""
        world = self.world
        start_period = period + 1
        lo = block * TRAINING_BLOCK
        hi = lo + len(ts)
        all_host, all_number = world.training_keys(start_period)
        n_valid = len(all_host)
        host, number = all_host[lo:hi], all_number[lo:hi]
        d = world.training_details(start_period, host, number)
        names = self.training_names(start_period, host, d)
        host_names = self.name_json(host, d["name_variant"])
        drift = self.drift_kind(rand.hash_u01(world.seed, "training-drift", number + host * 7919))
        starts, ends = iso_days(d["start"]), iso_days(d["end"])
        stamps = iso_ms(ts)
        out = []
        for i in range(len(host)):
            kind = TRAINING_KINDS[int(d["kind"][i])]
            out.append(
                self._training_json(
                    code=training_code(start_period, int(host[i]), int(number[i])),
                    name=names[i],
                    kind=kind.code,
                    mode=kind.mode,
                    category=kind.category,
                    host=int(host[i]),
                    host_name=host_names[i],
                    start=starts[i],
                    end=ends[i],
                    jp=int(d["jp"][i]),
                    accredited=bool(d["accredited"][i]),
                    seats=int(d["seats"][i]),
                    quota=int(d["regional_quota"][i]),
                    drift=int(drift[i]),
                    stamp=stamps[i],
                )
            )
        # Each invalid entry copies the kind, JP and dates of valid entry j % n_valid.
        junk = np.arange(max(lo, n_valid), hi, dtype=np.int64) - n_valid
        base = junk % max(n_valid, 1)
        if n_valid:
            d = world.training_details(start_period, all_host[base], all_number[base])
            starts, ends = iso_days(d["start"]), iso_days(d["end"])
        reason, how = self.training_junk(period)
        year = period_year_month(start_period)[0]
        first_junk = len(out)
        for k, j in enumerate(junk.tolist()):
            r, h = int(reason[j]), int(how[j])
            kind = TRAINING_KINDS[int(d["kind"][k])] if n_valid else TRAINING_KINDS[5]
            jp = int(d["jp"][k]) if n_valid else 20
            out.append(
                self._training_json(
                    code=f"PLT{period_tag(start_period)}-999-{j:04d}",
                    name=f"{kind.title} Angkatan {j + 1} Tahun {year}",
                    kind=kind.code,
                    mode=kind.mode,
                    category=kind.category,
                    host=0,
                    host_name=self._name_json[0][0],
                    start=impossible_date(year, h) if r == 0 else starts[k],
                    end=ends[k] if n_valid else f"{year}-12-01",
                    jp=-jp if r == 1 else jp,
                    accredited=False,
                    seats=30,
                    quota=-1,
                    drift=-1,
                    stamp=stamps[len(host) + k],
                )
            )
        out[first_junk:] = with_rare_defects("trainings", out[first_junk:], reason[junk], how[junk])
        return out

    def _training_json(self, *, code, name, kind, mode, category, host, host_name, start, end,
                       jp, accredited, seats, quota, drift, stamp) -> bytes:  # fmt: skip
        parts = [
            f'{{"kode_pelatihan":"{code}","nama_pelatihan":{_dumps(name)}',
            f'"jenis_pelatihan":"{kind}","mode":"{mode}","kategori_pembelajaran":"{category}"',
            f'"penyelenggara_kode":"{self.world.inst.codes[host]}","penyelenggara_nama":{host_name}',
            f'"tanggal_mulai":"{start}","tanggal_selesai":"{end}","jp":{jp}',
        ]
        if drift != 1:
            parts.append(f'"terakreditasi_lan":{"true" if accredited else "false"}')
        parts.append(f'"kuota_peserta":{seats}')
        if drift != 2:
            parts.append(f'"kuota_daerah":{quota if quota >= 0 else "null"}')
        if drift == 0:
            parts.append('"sumber_dana":"APBD"')
        parts.append(f'"modified_at":"{stamp}"}}')
        return ",".join(parts).encode()

    # ------------------------------------------------------ participations
    def participation_rows(self, period: int, block: int) -> ParticipationRows:
        """Host reports (API channel), origin duplicates, late updates of last month, junk."""
        world = self.world
        if period == 0:
            empty = np.zeros(0, dtype=np.int64)
            return ParticipationRows(empty, empty)
        cur = world.participations(period, block, details=False).columns
        parts_role = [np.full(int((~cur["file_primary"]).sum()), HOST)]
        parts_idx = [np.flatnonzero(~cur["file_primary"])]
        parts_role.append(np.full(int(cur["dup_api"].sum()), DUP))
        parts_idx.append(np.flatnonzero(cur["dup_api"]))
        if period >= 2:
            prev = world.participations(period - 1, block, details=False).columns
            parts_role.append(np.full(int(prev["proses"].sum()), UPDATE))
            parts_idx.append(np.flatnonzero(prev["proses"]))
        n_junk = len(world.participations(period, block, details=False).junk_src)
        parts_role.append(np.full(n_junk, JUNK))
        parts_idx.append(np.arange(n_junk))
        role, tidx = np.concatenate(parts_role), np.concatenate(parts_idx)
        order = rand.rng(world.seed, "participation-order", period, block).permutation(len(role))
        return ParticipationRows(role[order].astype(np.int64), tidx[order].astype(np.int64))

    @cached_property
    def participations(self) -> Stream:
        counts = self._per_block(lambda p, b: len(self.participation_rows(p, b).role))
        return Stream("bpsdm_kemendagri.participations", counts, self._build_participations)

    def _build_participations(self, period: int, block: int, ts: np.ndarray) -> Chunk:
        world = self.world
        rows = self.participation_rows(period, block)
        cur = world.participations(period, block)
        prev = world.participations(period - 1, block, details=False) if period >= 2 else cur
        role = rows.role
        is_update = role == UPDATE
        is_junk = role == JUNK
        src = rows.tidx.copy()
        src[is_junk] = cur.junk_src[rows.tidx[is_junk]]

        def pick(current: np.ndarray, previous: np.ndarray) -> np.ndarray:
            values = np.empty(len(src), dtype=current.dtype)
            values[~is_update] = current[src[~is_update]]
            values[is_update] = previous[src[is_update]]
            return values

        def gather(name: str) -> np.ndarray:
            return pick(cur.columns[name], prev.columns[name])

        owner = pick(cur.owner, prev.owner)
        asn = world.asn_core(block)
        inst = gather("inst")
        host, number = gather("host"), gather("number")
        # Training JP: late updates look up last month's trainings for their rows only.
        jp = np.empty(len(src), dtype=np.int64)
        jp[~is_update] = cur.columns["t_jp"][src[~is_update]]
        if is_update.any():
            found = world.training_details(period - 1, host[is_update], number[is_update])
            jp[is_update] = found["jp"]
        final, proses = gather("final"), gather("proses")
        variant_u = np.where(role == DUP, gather("dup_variant_u"), gather("variant_u"))
        drift = self.drift_kind(np.where(role == DUP, gather("file_u"), gather("drift_u")))
        junk_reason = np.full(len(role), -1)
        junk_how = np.zeros(len(role), dtype=np.int64)
        junk_reason[is_junk] = cur.junk_reason[rows.tidx[is_junk]]
        junk_how[is_junk] = cur.junk_how[rows.tidx[is_junk]]
        nips = asn.nip[owner].astype(str).tolist()
        for i in np.flatnonzero(junk_reason == 0).tolist():
            nips[i] = mangle(nips[i], int(junk_how[i]))
        unknown = junk_reason == 2  # a training code that matches no training
        host = np.where(unknown, 999, host)
        number = np.where(unknown, junk_how % 10000, number)
        hasil_code = np.where(
            (role == UPDATE) | (role == JUNK), final, np.where(proses, PROSES, final)
        )
        hasil_code = np.where(junk_reason == 1, LULUS, hasil_code)
        jp_out = np.where(hasil_code == LULUS, jp, 0)
        jp_out = np.where(junk_reason == 1, -np.maximum(jp, 1), jp_out)
        # Per role: id head, id suffix, training-code tag, reporter.
        this = (f"PRT{period:02d}{block:05d}", period_tag(period))
        last = (f"PRT{period - 1:02d}{block:05d}", period_tag(max(period - 1, 0)))
        by_role = {
            HOST: (this[0], "1", this[1], "penyelenggara"),
            DUP: (this[0], "2", this[1], "asal"),
            UPDATE: (last[0], "1", last[1], "penyelenggara"),
            JUNK: (this[0], "9", this[1], "penyelenggara"),
        }
        parts = [by_role[r] for r in role.tolist()]
        columns = zip(
            [p[0] for p in parts],
            rows.tidx.tolist(),
            [p[1] for p in parts],
            [p[2] for p in parts],
            host.tolist(),
            number.tolist(),
            nips,
            self.origin_json(inst, variant_u, drift),
            [p[3] for p in parts],
            [HASIL[h] for h in hasil_code.tolist()],
            jp_out.tolist(),
            ['"metode":"blended",' if d == 0 else "" for d in drift.tolist()],
            iso_ms(ts, zone=False),
            strict=True,
        )
        records = list(map(PARTICIPATION_JSON.__mod__, columns))
        return Chunk.from_text(with_rare_defects("participations", records, junk_reason, junk_how))

    # ------------------------------------------------------ certifications
    def activity_rows(
        self, activity: Activity, purpose: str, period: int, block: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(src, reason, how) of served rows: valid records then junk, shuffled."""
        n = activity.size
        src = np.concatenate([np.arange(n), activity.junk_src]).astype(np.int64)
        reason = np.concatenate([np.full(n, -1), activity.junk_reason]).astype(np.int64)
        how = np.concatenate([np.zeros(n, np.int64), activity.junk_how]).astype(np.int64)
        order = rand.rng(self.world.seed, purpose, period, block).permutation(len(src))
        return src[order], reason[order], how[order]

    @cached_property
    def certifications(self) -> Stream:
        def count(p: int, b: int) -> int:
            if p == 0:
                return 0
            act = self.world.certifications(p, b)
            return act.size + len(act.junk_src)

        counts = self._per_block(count)
        return Stream("bpsdm_kemendagri.certifications", counts, self._build_certifications)

    def _build_certifications(self, period: int, block: int, ts: np.ndarray) -> list[bytes]:
        world = self.world
        act = world.certifications(period, block)
        asn = world.asn_core(block)
        src, reason, how = self.activity_rows(act, "certification-order", period, block)
        owner = act.owner[src]
        day = world_day(period, act.columns["day"][src])
        dates = iso_days(day)
        ctype = np.floor(act.columns["type_u"][src] * len(CERTIFICATION_TYPES)).astype(np.int64)
        kompeten = act.columns["kompeten"]
        year = period_year_month(period)[0]
        stamps = iso_ms(ts)
        out = []
        for i in range(len(src)):
            r, h = int(reason[i]), int(how[i])
            nip = int(asn.nip[int(owner[i])])
            inst_code = world.inst.codes[int(asn.inst[int(owner[i])])]
            out.append(
                (
                    f'{{"sertifikasi_id":"SRT{period:02d}{block:05d}{i:05d}",'
                    f'"nip":"{mangle(nip, h) if r == 0 else nip}",'
                    f'"instansi_kode":"{UNKNOWN_INSTANSI[h % 3] if r == 2 else inst_code}",'
                    f'"jenis_sertifikasi":"{CERTIFICATION_TYPES[int(ctype[i])]}",'
                    f'"tanggal_sertifikasi":"{impossible_date(year, h) if r == 1 else dates[i]}",'
                    f'"hasil":"{"kompeten" if kompeten[src[i]] else "belum_kompeten"}",'
                    f'"modified_at":"{stamps[i]}"}}'
                ).encode()
            )
        return with_rare_defects("certifications", out, reason, how)

    # --------------------------------------------------------- assessments
    def assessment_rows(self, period: int, block: int) -> tuple[np.ndarray, ...]:
        """API rows of an assessment chunk: those not reported by file, plus junk."""
        act = self.world.assessments(period, block)
        src, reason, how = self.activity_rows(act, "assessment-order", period, block)
        keep = (reason >= 0) | ~act.columns["by_file"][src] if act.size else reason >= 0
        return src[keep], reason[keep], how[keep]

    @cached_property
    def competency_assessments(self) -> Stream:
        counts = self._per_block(lambda p, b: len(self.assessment_rows(p, b)[0]) if p else 0)
        return Stream("bpsdm_kemendagri.competency_assessments", counts, self._build_assessments)

    def _build_assessments(self, period: int, block: int, ts: np.ndarray) -> list[bytes]:
        world = self.world
        act = world.assessments(period, block)
        asn = world.asn_core(block)
        src, reason, how = self.assessment_rows(period, block)
        c = act.columns
        owner = act.owner[src]
        dates = iso_days(world_day(period, c["day"][src]))
        year = period_year_month(period)[0]
        stamps = iso_ms(ts)
        out = []
        for i in range(len(src)):
            s, r, h = int(src[i]), int(reason[i]), int(how[i])
            a = int(owner[i])
            nip = int(asn.nip[a])
            level = int(c["level"][s]) if r != 2 else (0, 6, 7)[h % 3]
            out.append(
                (
                    f'{{"asesmen_id":"ASM{period:02d}{block:05d}{i:05d}",'
                    f'"nip":"{mangle(nip, h) if r == 0 else nip}",'
                    f'"instansi_kode":"{world.inst.codes[int(asn.inst[a])]}",'
                    f'"jabatan":"{JOBS[int(asn.job[a])][0]}",'
                    f'"jenis_kompetensi":"{COMPETENCY_TYPES[int(c["ctype"][s])]}",'
                    f'"level_standar":{int(c["standard"][s])},"level_hasil":{level},'
                    f'"tanggal_asesmen":"{impossible_date(year, h) if r == 1 else dates[i]}",'
                    f'"modified_at":"{stamps[i]}"}}'
                ).encode()
            )
        return with_rare_defects("competency_assessments", out, reason, how)

    # --------------------------------------------------------- completions
    @cached_property
    def completions(self) -> Stream:
        def count(p: int, b: int) -> int:
            if p == 0:
                return 0
            act = self.world.completions(p, b)
            return act.size + len(act.junk_src)

        counts = self._per_block(count)
        return Stream("kemnaker_corpu.completions", counts, self._build_completions)

    def _build_completions(self, period: int, block: int, ts: np.ndarray) -> list[bytes]:
        world = self.world
        act = world.completions(period, block)
        asn = world.asn_core(block)
        src, reason, how = self.activity_rows(act, "completion-order", period, block)
        course = act.columns["course"][src]
        minutes = course_minutes(course)
        drift = self.drift_kind(act.columns["drift_u"][src])
        out = []
        for i in range(len(src)):
            r, h, k = int(reason[i]), int(how[i]), int(course[i])
            nip = int(asn.nip[int(act.owner[src[i]])])
            parts = [
                f'{{"completion_id":"CMP{period:02d}{block:05d}{i:05d}",'
                f'"learner_nip":"{mangle(nip, h) if r == 0 else nip}",'
                f'"course_id":"CRS-{k + 1:04d}","course_title":"{course_title(k)}",'
                f'"completed_at":{int(ts[i])},'
                f'"duration_minutes":{-int(minutes[i]) if r == 1 else int(minutes[i])}'
            ]
            if drift[i] != 1:
                parts.append(f'"score":{int(act.columns["score"][src[i]])}')
            if drift[i] == 0:
                parts.append('"platform":"mobile"')
            out.append((",".join(parts) + "}").encode())
        return with_rare_defects("completions", out, reason, how)

    # ------------------------------------------------ small yearly tables
    def plan_table(self, year: int) -> dict[str, np.ndarray]:
        """Annual development plans: three kinds per institution, plus junk rows."""
        world = self.world
        gen = rand.rng(world.seed, "plans", year)
        n_inst = world.inst.count
        inst = np.repeat(np.arange(n_inst), 3)
        kind = (np.repeat(np.floor(gen.random(n_inst) * 6).astype(np.int64), 3) * 3
                + np.tile(np.arange(3), n_inst)) % len(TRAINING_KINDS)  # fmt: skip
        size = world.inst.sizes[inst].astype(np.float64)
        people = np.maximum(1, np.round(size * (0.2 + 0.5 * gen.random(len(inst))) / 3))
        jp = people * np.array([k.jp[0] for k in TRAINING_KINDS])[kind]
        budget = np.round(people * (1.5e6 + 3e6 * gen.random(len(inst))) / 1000) * 1000
        src, reason, how = world._junk(gen, len(inst), 2)
        rare_src, rare_reason, rare_how = world.rare_junk("development_plans", len(inst), year)
        src = np.concatenate([src, rare_src])
        reason = np.concatenate([reason, rare_reason])
        how = np.concatenate([how, rare_how])
        return {
            "inst": np.concatenate([inst, inst[src]]),
            "kind": np.concatenate([kind, kind[src]]),
            "people": np.concatenate([people, people[src]]).astype(np.int64),
            "jp": np.concatenate([jp, jp[src]]).astype(np.int64),
            "budget": np.concatenate([budget, -budget[src]]).astype(np.int64),
            "reason": np.concatenate([np.full(len(inst), -1), reason]),
            "how": np.concatenate([np.zeros(len(inst), np.int64), how]),
        }

    @cached_property
    def development_plans(self) -> Stream:
        counts = np.zeros((N_PERIODS, 1), dtype=np.int64)
        for period, year in PLAN_PERIODS.items():
            counts[period, 0] = len(self.plan_table(year)["inst"])
        return Stream("bpsdm_kemendagri.development_plans", counts, self._build_plans, 2)

    def _build_plans(self, period: int, block: int, ts: np.ndarray) -> list[bytes]:
        year = PLAN_PERIODS[period]
        t = self.plan_table(year)
        stamps = iso_ms(ts)
        codes = self.world.inst.codes
        out = []
        for i in range(len(t["inst"])):
            r, h = int(t["reason"][i]), int(t["how"][i])
            code = UNKNOWN_INSTANSI[h % 3] if r == 1 else codes[int(t["inst"][i])]
            budget = int(t["budget"][i]) if r == 0 else abs(int(t["budget"][i]))
            out.append(
                (
                    f'{{"rencana_id":"RNC{year}{i:06d}","instansi_kode":"{code}","tahun":{year},'
                    f'"jenis_pelatihan":"{KIND_CODES[int(t["kind"][i])]}",'
                    f'"rencana_peserta":{int(t["people"][i])},"rencana_jp":{int(t["jp"][i])},'
                    f'"rencana_anggaran_idr":{budget},"modified_at":"{stamps[i]}"}}'
                ).encode()
            )
        return with_rare_defects("development_plans", out, t["reason"], t["how"])

    def standard_rows(self) -> tuple[np.ndarray, ...]:
        """(job, competency type, reason, how) of the served standards: one per job and
        type, then copies with a rare defect (ids `STD-<job>-<type>-X<n>`)."""
        job = np.repeat(np.arange(len(JOBS)), len(COMPETENCY_TYPES))
        ctype = np.tile(np.arange(len(COMPETENCY_TYPES)), len(JOBS))
        src, reason, how = self.world.rare_junk("competency_standards", len(job), 0)
        return (
            np.concatenate([job, job[src]]),
            np.concatenate([ctype, ctype[src]]),
            np.concatenate([np.full(len(job), -1), reason]),
            np.concatenate([np.zeros(len(job), np.int64), how]),
        )

    @cached_property
    def competency_standards(self) -> Stream:
        counts = np.zeros((N_PERIODS, 1), dtype=np.int64)
        counts[0, 0] = len(self.standard_rows()[0])
        return Stream("bpsdm_kemendagri.competency_standards", counts, self._build_standards, 1)

    def _build_standards(self, period: int, block: int, ts: np.ndarray) -> list[bytes]:
        job, ctype, reason, how = self.standard_rows()
        level = self.world.standard_level(job, ctype)
        stamps = iso_ms(ts)
        out = [
            (
                f'{{"standar_id":"STD-{j:02d}-{c}{"" if r < 0 else f"-X{i}"}",'
                f'"jabatan":"{JOBS[j][0]}",'
                f'"jenis_kompetensi":"{COMPETENCY_TYPES[c]}","level_standar":{lv},'
                f'"modified_at":"{stamps[i]}"}}'
            ).encode()
            for i, (j, c, lv, r) in enumerate(
                zip(job.tolist(), ctype.tolist(), level.tolist(), reason.tolist(), strict=True)
            )
        ]
        return with_rare_defects("competency_standards", out, reason, how)

    def budget_table(self, year: int) -> dict[str, np.ndarray]:
        """Competency-development budgets per institution and funding source for a year."""
        world = self.world
        gen = rand.rng(world.seed, "budgets", year)
        n_inst = world.inst.count
        central = world.inst.level == CENTRAL
        second = gen.random(n_inst) < 0.3
        inst = np.concatenate([np.arange(n_inst), np.flatnonzero(second)])
        primary = np.where(central, 0, 1)  # APBN for K/L, APBD for regions
        secondary = np.where(central, np.where(gen.random(n_inst) < 0.5, 2, 3), 0)
        source = np.concatenate([primary, secondary[second]])
        scale = np.concatenate([np.ones(n_inst), np.full(int(second.sum()), 0.2)])
        size = world.inst.sizes[inst].astype(np.float64)
        pagu = np.round((5e7 + size * (1.5e6 + 2.5e6 * gen.random(len(inst)))) * scale / 1000)
        pagu = (pagu * 1000).astype(np.int64)
        realisasi = np.round(pagu * (0.55 + 0.43 * gen.random(len(inst)))).astype(np.int64)
        src, reason, _ = world._junk(gen, len(inst), 1)
        n = len(inst)
        table = {
            "inst": np.concatenate([inst, inst[src]]),
            "source": np.concatenate([source, source[src]]),
            "pagu": np.concatenate([pagu, -pagu[src]]),
            "realisasi": np.concatenate([realisasi, realisasi[src]]),
            "people": np.round(
                np.concatenate([size, size[src]]) * (0.3 + 0.6 * gen.random(n + len(src)))
            ).astype(np.int64),
            "reason": np.concatenate([np.full(n, -1), reason]),
            "how": np.zeros(n + len(src), dtype=np.int64),
            "u": gen.random((n + len(src), 5)),
        }
        rare_src, rare_reason, rare_how = world.rare_junk("budgets", n, year)
        if len(rare_src):  # copies of valid rows, drawn apart: none, nothing changes
            more = rand.rng(world.seed, "budgets-rare", year)
            extra = {
                "inst": inst[rare_src],
                "source": source[rare_src],
                "pagu": pagu[rare_src],
                "realisasi": realisasi[rare_src],
                "people": np.round(
                    size[rare_src] * (0.3 + 0.6 * more.random(len(rare_src)))
                ).astype(np.int64),
                "reason": rare_reason,
                "how": rare_how,
                "u": more.random((len(rare_src), 5)),
            }
            table = {k: np.concatenate([v, extra[k]]) for k, v in table.items()}
        return table

    @cached_property
    def budgets(self) -> Stream:
        counts = np.zeros((N_PERIODS, 1), dtype=np.int64)
        for period, year in BUDGET_PERIODS.items():
            counts[period, 0] = len(self.budget_table(year)["inst"])
        return Stream("satudata.budgets", counts, self._build_budgets, 2)

    def _build_budgets(self, period: int, block: int, ts: np.ndarray) -> list[bytes]:
        year = BUDGET_PERIODS[period]
        t = self.budget_table(year)
        first_id = sum(
            len(self.budget_table(y)["inst"]) for p, y in BUDGET_PERIODS.items() if p < period
        )
        inst = t["inst"]
        names = self.name_json(inst, t["u"][:, 0])
        rate = self.mess.name_variant_rate
        out = []
        for i in range(len(inst)):
            u = t["u"][i]
            code = "" if u[1] < rate * 0.5 else self.world.inst.codes[int(inst[i])]
            spellings = FUNDING_SPELLINGS[FUNDING_KEYS[int(t["source"][i])]]
            spelling = spellings[0]
            if u[2] < rate:
                spelling = spellings[1 + int(u[2] / rate * (len(spellings) - 1))]
            out.append(
                (
                    f'{{"_id":{first_id + i + 1},"tahun":{year},"kode_satker":"{code}",'
                    f'"nama_instansi":{names[i]},"sumber_dana":{_dumps(spelling)},'
                    f'"program":"{PROGRAMS[int(u[3] * len(PROGRAMS))]}",'
                    f'"pagu":{format_amount(int(t["pagu"][i]), u[4])},'
                    f'"realisasi":{format_amount(int(t["realisasi"][i]), 1 - u[4])},'
                    f'"target_peserta":{int(t["people"][i])}}}'
                ).encode()
            )
        return with_rare_defects("budgets", out, t["reason"], t["how"])


FUNDING_KEYS = ("APBN", "APBD", "BLU", "PNBP")
PLAN_PERIODS = {0: 2023, 12: 2024}  # plans published the December before their year
BUDGET_PERIODS = {12: 2023, 24: 2024}  # budgets published in their year's December


def world_day(period: int, day_offset: np.ndarray) -> np.ndarray:
    """Days since epoch of a day inside a period's month."""
    return PERIOD_START_DAY[period] + day_offset


def course_title(course: int) -> str:
    return f"{COURSE_SUBJECTS[course // 3]} ({COURSE_LEVELS[course % 3]})"


def format_amount(value: int, u: float) -> str:
    """A rupiah amount as JSON: a number, or a string in one of the ways budgets write it."""
    if u < 0.5:
        return str(value)
    sign = "-" if value < 0 else ""
    dotted = f"{abs(value):,}".replace(",", ".")
    if u < 0.75:
        return f'"{sign}Rp {dotted},00"'
    if u < 0.9:
        return f'"{sign}{dotted}"'
    return f'"{sign}Rp{abs(value):,}"'
