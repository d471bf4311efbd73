"""Why an injected record is invalid: the defects per entity, and what each does to a record.

Two sets per entity. `REASONS` are the common defects, injected at
`Messiness.invalid_rate` (bad NIPs, impossible dates, negative amounts...).
`RARE_REASONS` are every other quarantine reason the pipeline knows (a
missing key, an unknown code, an institution code outside the seeds, an API
element that is not an object...), injected only at
`Messiness.rare_fault_rate` (0 by default, so a default world is unchanged).
An injected record carries exactly one defect and the name is the quarantine
reason the pipeline must give it (dbt_project/seeds/quarantine_reasons.csv).
Together with the file-drop rows' defects (landing.py) they cover every
listed reason but those in `NOT_INJECTABLE`
(packages/simulator/tests/unit/test_sim_defects.py).

A record's reason code indexes `entity_reasons(entity)`: the common reasons
first, then the rare ones. Rare defects are applied to an otherwise valid
record by `break_record`, so the encoders need no branch per rare defect.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

# Ingestion's codes for API elements it refuses before raw (see ingestion/runner.py).
NOT_AN_OBJECT = "not_json_object"
NUL_CHARACTER = "nul_character"

REASONS: dict[str, tuple[str, ...]] = {
    "asn": ("invalid_nip", "invalid_date"),
    "trainings": ("invalid_date", "negative_jp"),
    "participations": ("invalid_nip", "negative_jp", "unknown_training"),
    "certifications": ("invalid_nip", "invalid_date", "unknown_instansi"),
    "competency_assessments": ("invalid_nip", "invalid_date", "invalid_level"),
    "completions": ("invalid_nip", "negative_duration"),
    "development_plans": ("negative_amount", "unknown_instansi"),
    "budgets": ("negative_amount",),
    "competency_standards": (),
}
RARE_REASONS: dict[str, tuple[str, ...]] = {
    "asn": (
        "unknown_instansi",
        "unknown_status_kepegawaian",
        "unknown_gender",
        "instansi_missing",
        NOT_AN_OBJECT,
        NUL_CHARACTER,
    ),
    "trainings": (
        "kode_pelatihan_missing",
        "unknown_jenis_pelatihan",
        "unknown_mode",
        "unknown_kategori_pembelajaran",
        "invalid_count",
        "invalid_jp",
        "unknown_instansi",
    ),
    "participations": (
        "partisipasi_id_missing",
        "kode_pelatihan_missing",
        "instansi_missing",
        "unknown_hasil",
        "unknown_pelapor",
        "invalid_jp",
        "unknown_instansi",
    ),
    "certifications": (
        "sertifikasi_id_missing",
        "jenis_sertifikasi_missing",
        "instansi_missing",
        "unknown_hasil",
    ),
    "competency_assessments": (
        "asesmen_id_missing",
        "instansi_missing",
        "unknown_jenis_kompetensi",
        "unknown_instansi",
    ),
    "completions": ("completion_id_missing", "course_id_missing", "invalid_date", "unknown_asn"),
    "development_plans": (
        "rencana_id_missing",
        "instansi_missing",
        "unknown_jenis_pelatihan",
        "invalid_count",
        "invalid_date",
        "invalid_amount",
    ),
    "budgets": (
        "instansi_missing",
        "unknown_sumber_dana",
        "invalid_amount",
        "invalid_count",
        "unknown_instansi",
    ),
    "competency_standards": (
        "standar_id_missing",
        "jabatan_missing",
        "unknown_jenis_kompetensi",
        "invalid_level",
    ),
}
_REAL_UPLOADS_ONLY = (
    "a fault of real uploads the simulator's files never have; the bad-input corpus"
    " (tests/data/bad_inputs, tests/integration/ingestion/test_bad_inputs.py) covers it"
)
# Listed reasons no simulator fault produces, and why: a guard no served record can reach
# (staging and GX keep it), or a fault of real files another test covers.
NOT_INJECTABLE: dict[str, str] = {
    "budget_id_missing": "CKAN's DataStore numbers every row itself (_id); ingestion pages"
    " sorted on it and fails the batch (retried) on a row without one, so a staged row"
    " without _id would take a loader bug",
    "field_too_large": _REAL_UPLOADS_ONLY,
    "conflicting_columns": _REAL_UPLOADS_ONLY,
    "formula_like_text": _REAL_UPLOADS_ONLY,
}
# Codes no seed knows: a region code that does not exist, a K/L number past the list, a typo.
UNKNOWN_INSTANSI = ("99.99", "KL-999", "00")


def entity_reasons(entity: str) -> tuple[str, ...]:
    """Every defect of an entity; a record's reason code indexes this tuple."""
    return REASONS[entity] + RARE_REASONS[entity]


def ghost_nip(nip: int | str) -> str:
    """A valid NIP no ASN of the world holds: the same person's digits with sequence 999.

    Sequences number the ASN sharing a birth date and gender; a world would
    need over 25 million ASN to reach 999 (the configuration allows 20 million).
    """
    value = int(nip)
    return f"{value - value % 1000 + 999:018d}"


# The fields that name a record's institution, per entity: (code, name).
_INSTANSI_FIELDS = {
    "asn": ("instansi_kode", "instansi_nama"),
    "trainings": ("penyelenggara_kode", "penyelenggara_nama"),
    "participations": ("instansi_asal_kode", "instansi_asal_nama"),
    "certifications": ("instansi_kode", "instansi_nama"),
    "competency_assessments": ("instansi_kode", "instansi_nama"),
    "development_plans": ("instansi_kode", "instansi_nama"),
    "budgets": ("kode_satker", "nama_instansi"),
}
_KEYS = {
    "trainings": "kode_pelatihan",
    "participations": "partisipasi_id",
    "certifications": "sertifikasi_id",
    "competency_assessments": "asesmen_id",
    "completions": "completion_id",
    "development_plans": "rencana_id",
    "competency_standards": "standar_id",
}


def _negative(value: Any) -> int:
    return -abs(int(value)) - 1


def _set(field: str, value: Callable[[Any, int], Any]) -> Callable[[str, dict, int], None]:
    def apply(entity: str, record: dict, how: int) -> None:
        record[field] = value(record.get(field), how)

    return apply


def _missing(field: str | None = None) -> Callable[[str, dict, int], None]:
    def apply(entity: str, record: dict, how: int) -> None:
        record[field or _KEYS[entity]] = None

    return apply


def _no_instansi(entity: str, record: dict, how: int) -> None:
    for name in _INSTANSI_FIELDS[entity]:
        record.pop(name, None)


def _unknown_instansi(entity: str, record: dict, how: int) -> None:
    record[_INSTANSI_FIELDS[entity][0]] = UNKNOWN_INSTANSI[how % len(UNKNOWN_INSTANSI)]


def _count_field(entity: str) -> str:
    return {
        "trainings": "kuota_peserta",
        "development_plans": "rencana_peserta",
        "budgets": "target_peserta",
    }[entity]


def _negative_count(entity: str, record: dict, how: int) -> None:
    field = _count_field(entity)
    record[field] = _negative(record.get(field) or 0)


def _jp_with_unit(entity: str, record: dict, how: int) -> None:
    field = "jp_diakui" if entity == "participations" else "jp"
    record[field] = f"{record[field]} JP"  # "20 JP": a number with its unit is no number


# reason -> how it breaks a record (entity, record, how); every rare reason has one
_BREAKERS: dict[str, Callable[[str, dict, int], None]] = {
    "unknown_instansi": _unknown_instansi,
    "instansi_missing": _no_instansi,
    "unknown_status_kepegawaian": _set("status_kepegawaian", lambda _, h: "HONORER"),
    "unknown_gender": _set("gender", lambda _, h: "X"),
    "kode_pelatihan_missing": _missing("kode_pelatihan"),
    "partisipasi_id_missing": _missing(),
    "sertifikasi_id_missing": _missing(),
    "asesmen_id_missing": _missing(),
    "completion_id_missing": _missing(),
    "rencana_id_missing": _missing(),
    "standar_id_missing": _missing(),
    "jenis_sertifikasi_missing": _missing("jenis_sertifikasi"),
    "jabatan_missing": _missing("jabatan"),
    "course_id_missing": _missing("course_id"),
    "unknown_jenis_pelatihan": _set("jenis_pelatihan", lambda _, h: "studi_banding"),
    "unknown_mode": _set("mode", lambda _, h: "hybrid"),
    "unknown_kategori_pembelajaran": _set("kategori_pembelajaran", lambda _, h: "lainnya"),
    "unknown_hasil": _set("hasil", lambda _, h: ("batal", "ditunda", "menunggu")[h % 3]),
    "unknown_pelapor": _set("pelapor", lambda _, h: "pusat"),
    "unknown_jenis_kompetensi": _set("jenis_kompetensi", lambda _, h: "digital"),
    "unknown_sumber_dana": _set("sumber_dana", lambda _, h: "Hibah"),
    "invalid_count": _negative_count,
    "invalid_jp": _jp_with_unit,
    "invalid_level": _set("level_standar", lambda _, h: (0, 6, 7)[h % 3]),
    # a year typed with a wrong digit; epoch seconds where milliseconds are due
    "invalid_date": lambda entity, record, how: record.update(
        {"tahun": record["tahun"] - 1000}
        if entity == "development_plans"
        else {"completed_at": record["completed_at"] // 1000}
    ),
    "invalid_amount": lambda entity, record, how: record.update(
        {"pagu": "Rp 1,2 M"} if entity == "budgets" else {"rencana_anggaran_idr": "sekitar 50 juta"}
    ),
    "unknown_asn": _set("learner_nip", lambda nip, h: ghost_nip(nip)),
    NUL_CHARACTER: _set("nama", lambda name, h: f"{name}\u0000"),
}


def break_record(entity: str, reason: str, record: bytes | str, how: int) -> bytes:
    """A valid encoded record with one rare defect (`reason`) applied."""
    if reason == NOT_AN_OBJECT:
        return b"null"
    decoded = json.loads(record)
    _BREAKERS[reason](entity, decoded, how)
    return json.dumps(decoded, separators=(",", ":")).encode()


def rare_reason_index(entity: str, code: int) -> str | None:
    """The rare reason a record's code names, None for a valid record or a common defect."""
    first = len(REASONS[entity])
    return RARE_REASONS[entity][code - first] if code >= first else None
