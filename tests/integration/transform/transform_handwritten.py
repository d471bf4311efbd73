"""A small handwritten world in the contract's raw layout, covering the tricky cases.

Institutions: Jawa Timur (35), Kalimantan Tengah (62), Papua Pegunungan (95,
a DOB province) and Kemendagri (KL-001). Every figure the tests assert can be
worked out by hand from these records; the comments say where each comes from.
"""

from __future__ import annotations

from typing import Any

# ASN
NIP_A = "198504122010031001"  # PNS, Pemprov Jatim; changes job in batch 2
NIP_B = "199011302015012002"  # PNS, Pemprov Kalteng (sent by name only)
NIP_C = "199207072021220003"  # NI PPPK, Papua Pegunungan (DOB)
NIP_D = "198001152005021004"  # PNS, Kemendagri (central), name "BPSDM Kemendagri"
NIP_BAD_LENGTH = "19850412201003100"  # 17 digits
NIP_F = "198706062012041005"  # valid NIP, impossible birth date in the record

R = "2023-01-10T00:00:00Z"


def asn(nip: str, kode: str, nama: str, jabatan: str, updated: str, **extra: Any) -> dict:
    record = {
        "nip": nip,
        "nama": "Nama",
        "gender": "L",
        "tanggal_lahir": f"{nip[:4]}-{nip[4:6]}-{nip[6:8]}" if nip[:4].isdigit() else None,
        "status_kepegawaian": "PPPK" if nip == NIP_C else "PNS",
        "instansi_kode": kode,
        "instansi_nama": nama,
        "unit_kerja": "Sekretariat",
        "jabatan": jabatan,
        "jenis_jabatan": "fungsional",
        "golongan": "III/a",
        "lokasi_kerja_kode": kode or "62",
        "updated_at": updated,
    }
    record.update(extra)
    return record


def training(
    kode: str,
    nama: str,
    jenis: str,
    mode: str,
    kategori: str,
    host: str,
    host_nama: str,
    mulai: str,
    selesai: str,
    jp: int,
    kuota_daerah: int | None = None,
    modified: str = R,
) -> dict:
    return {
        "kode_pelatihan": kode,
        "nama_pelatihan": nama,
        "jenis_pelatihan": jenis,
        "mode": mode,
        "kategori_pembelajaran": kategori,
        "penyelenggara_kode": host,
        "penyelenggara_nama": host_nama,
        "tanggal_mulai": mulai,
        "tanggal_selesai": selesai,
        "jp": jp,
        "terakreditasi_lan": True,
        "kuota_peserta": 30,
        "kuota_daerah": kuota_daerah,
        "modified_at": modified,
    }


def participation(
    pid: str,
    kode: str,
    nip: str,
    asal: str | None,
    asal_nama: str | None,
    pelapor: str,
    hasil: str,
    jp: int,
    modified: str,
) -> dict:
    record: dict[str, Any] = {
        "partisipasi_id": pid,
        "kode_pelatihan": kode,
        "nip": nip,
        "pelapor": pelapor,
        "hasil": hasil,
        "jp_diakui": jp,
        "modified_at": modified,
    }
    if asal is not None:
        record["instansi_asal_kode"] = asal
    if asal_nama is not None:
        record["instansi_asal_nama"] = asal_nama
    return record


def file_row(
    region: str,
    nip: str,
    instansi: str,
    nama_pelatihan: str,
    jenis: str,
    mulai: str,
    jp: str,
    hasil: str | None,
    kode: str | None = None,
    row: int = 1,
) -> dict:
    record = {
        "nip": nip,
        "nama": "Nama",
        "instansi_asal": instansi,
        "nama_pelatihan": nama_pelatihan,
        "jenis_pelatihan": jenis,
        "tanggal_mulai": mulai,
        "jp": jp,
        "biaya": "Rp 1.500.000,00",
        "sumber_dana": "APBD Provinsi",
        "region_code": region,
        "file_name": f"peserta_{region}.csv",
        "row_number": row,
        "_extra": {},
        "_raw": {},
    }
    if hasil is not None:
        record["hasil"] = hasil
    if kode is not None:
        record["kode_pelatihan"] = kode
    return record


FIRST_BATCH: dict[str, list[dict]] = {
    "siasn__asn": [
        asn(NIP_A, "35", "Pemprov Jatim", "Analis Kebijakan", "2023-01-01T00:00:00Z"),
        asn(NIP_B, "", "Pemprov Kalteng", "Perencana", "2023-01-01T00:00:00Z"),
        asn(NIP_C, "95", "Pemerintah Provinsi Papua Pegunungan", "Guru", "2023-01-01T00:00:00Z"),
        asn(NIP_D, "KL-001", "BPSDM Kemendagri", "Kepala Biro", "2023-01-01T00:00:00Z"),
        asn(NIP_BAD_LENGTH, "35", "Pemprov Jatim", "Guru", "2023-01-01T00:00:00Z"),
        asn(
            NIP_F, "35", "Pemprov Jatim", "Guru", "2023-01-01T00:00:00Z", tanggal_lahir="1987-02-31"
        ),
    ],
    "bpsdm_kemendagri__trainings": [
        # PKN II hosted by Jatim: Kalteng sends B (cross-region)
        training(
            "PLT2303-035-0001",
            "PKN Tingkat II Angkatan 1 Tahun 2023 Jatim",
            "pkn_2",
            "klasikal",
            "formal",
            "35",
            "Pemprov Jatim",
            "2023-03-01",
            "2023-05-30",
            380,
        ),
        # teknis hosted centrally by Kemendagri, 40% regional quota
        training(
            "PLT2304-632-0001",
            "Pelatihan Teknis Angkatan 1 Tahun 2023 Kemendagri",
            "teknis",
            "klasikal",
            "formal",
            "KL-001",
            "Kementerian Dalam Negeri",
            "2023-04-10",
            "2023-04-14",
            30,
            kuota_daerah=12,
        ),
        # coaching (social learning, non-klasikal) hosted by Papua Pegunungan
        training(
            "PLT2305-095-0001",
            "Coaching Angkatan 1 Tahun 2023 Pappeg",
            "coaching",
            "non_klasikal",
            "sosial",
            "95",
            "Provinsi Papua Pegunungan",
            "2023-05-02",
            "2023-05-20",
            10,
        ),
        # invalid: negative JP
        training(
            "PLT2306-999-0000",
            "Rusak",
            "teknis",
            "klasikal",
            "formal",
            "35",
            "x",
            "2023-06-01",
            "2023-06-02",
            -8,
        ),
        # invalid: impossible date
        training(
            "PLT2306-999-0001",
            "Rusak",
            "teknis",
            "klasikal",
            "formal",
            "35",
            "x",
            "2023-02-30",
            "2023-06-02",
            8,
        ),
    ],
    "bpsdm_kemendagri__participations": [
        # B in the PKN II: host says lulus, origin Kalteng says proses -> one, lulus, 380 JP
        participation(
            "PRT1",
            "PLT2303-035-0001",
            NIP_B,
            "62",
            None,
            "penyelenggara",
            "lulus",
            380,
            "2023-06-01T00:00:00Z",
        ),
        participation(
            "PRT2",
            "PLT2303-035-0001",
            NIP_B,
            None,
            "Provinsi Kalimantan Tengah",
            "asal",
            "proses",
            0,
            "2023-03-02T00:00:00Z",
        ),
        # A in the central teknis: proses now, lulus in batch 2
        participation(
            "PRT3",
            "PLT2304-632-0001",
            NIP_A,
            "35",
            "Pemprov Jatim",
            "penyelenggara",
            "proses",
            0,
            "2023-04-11T00:00:00Z",
        ),
        # D (central) in the central teknis: lulus 30
        participation(
            "PRT4",
            "PLT2304-632-0001",
            NIP_D,
            "KL-001",
            "Kemendagri",
            "penyelenggara",
            "lulus",
            30,
            "2023-04-20T00:00:00Z",
        ),
        # C in the coaching: lulus 10
        participation(
            "PRT5",
            "PLT2305-095-0001",
            NIP_C,
            "95",
            None,
            "penyelenggara",
            "lulus",
            10,
            "2023-05-21T00:00:00Z",
        ),
        # invalid: bad NIP, negative JP, unknown training
        participation(
            "PRT6",
            "PLT2305-095-0001",
            NIP_BAD_LENGTH,
            "35",
            None,
            "penyelenggara",
            "lulus",
            10,
            "2023-05-21T00:00:00Z",
        ),
        participation(
            "PRT7",
            "PLT2305-095-0001",
            NIP_A,
            "35",
            None,
            "penyelenggara",
            "lulus",
            -10,
            "2023-05-21T00:00:00Z",
        ),
        participation(
            "PRT8",
            "PLT2399-999-0042",
            NIP_A,
            "35",
            None,
            "penyelenggara",
            "lulus",
            10,
            "2023-05-21T00:00:00Z",
        ),
    ],
    "kemnaker_corpu__completions": [
        # A: 90 minutes = 2 JP; C: 60 minutes = 1 1/3 JP (year in WIB: 2024-01-01 06:00 WIB)
        {
            "completion_id": "CMP1",
            "learner_nip": NIP_A,
            "course_id": "CRS-0001",
            "course_title": "Etika Digital ASN (Dasar)",
            "completed_at": 1685577600000,
            "duration_minutes": 90,
            "score": 80,
        },
        {
            "completion_id": "CMP2",
            "learner_nip": NIP_C,
            "course_id": "CRS-0002",
            "course_title": "Pelayanan Prima (Dasar)",
            "completed_at": 1704063600000,
            "duration_minutes": 60,
            "score": 75,
        },
        # A completes the same course again: a second completion, not a duplicate
        {
            "completion_id": "CMP3",
            "learner_nip": NIP_A,
            "course_id": "CRS-0001",
            "course_title": "Etika Digital ASN (Dasar)",
            "completed_at": 1688169600000,
            "duration_minutes": 90,
            "score": 90,
        },
        # invalid: negative duration
        {
            "completion_id": "CMP4",
            "learner_nip": NIP_A,
            "course_id": "CRS-0003",
            "course_title": "x",
            "completed_at": 1688169600000,
            "duration_minutes": -30,
        },
    ],
    "bpsdm_daerah__participations": [
        # Jatim's file repeats B's PKN II (host report, matched by name + date): still one
        file_row(
            "35",
            "19901130 201501 2 002",
            "Pemprov Kalteng",
            "pkn tingkat ii angkatan 1 tahun 2023 jatim",
            "PKN Tingkat II",
            "1 Maret 2023",
            "380",
            "LULUS",
        ),
        # Papua Pegunungan's file: C's coaching again, by code, Excel-serial date
        file_row(
            "95",
            NIP_C,
            "95",
            "Coaching",
            "Coaching",
            "45048",
            "10",
            "Lulus",
            kode="PLT2305-095-0001",
            row=2,
        ),
        # unknown training: quarantined
        file_row(
            "62",
            NIP_B,
            "62",
            "Pelatihan Tidak Terdaftar 7",
            "Teknis",
            "14/12/2023",
            "16",
            "Lulus",
            kode="PLT2399-999-0007",
            row=3,
        ),
    ],
    "bpsdm_kemendagri__certifications": [
        {
            "sertifikasi_id": "SRT1",
            "nip": NIP_A,
            "instansi_kode": "35",
            "jenis_sertifikasi": "Kepamongprajaan",
            "tanggal_sertifikasi": "2023-08-01",
            "hasil": "kompeten",
            "modified_at": R,
        },
        {
            "sertifikasi_id": "SRT2",
            "nip": NIP_C,
            "instansi_kode": "95",
            "jenis_sertifikasi": "Otonomi Daerah",
            "tanggal_sertifikasi": "2023-08-02",
            "hasil": "belum_kompeten",
            "modified_at": R,
        },
        {
            "sertifikasi_id": "SRT3",
            "nip": NIP_A,
            "instansi_kode": "35",
            "jenis_sertifikasi": "Otonomi Daerah",
            "tanggal_sertifikasi": "2023-09-02",
            "hasil": "kompeten",
            "modified_at": R,
        },
        # invalid: unknown institution
        {
            "sertifikasi_id": "SRT4",
            "nip": NIP_A,
            "instansi_kode": "99.99",
            "jenis_sertifikasi": "Otonomi Daerah",
            "tanggal_sertifikasi": "2023-09-02",
            "hasil": "kompeten",
            "modified_at": R,
        },
    ],
    "bpsdm_kemendagri__competency_standards": [
        {
            "standar_id": "STD-1",
            "jabatan": "Analis Kebijakan",
            "jenis_kompetensi": "teknis",
            "level_standar": 3,
            "modified_at": R,
        },
    ],
    "bpsdm_kemendagri__competency_assessments": [
        {
            "asesmen_id": "ASM1",
            "nip": NIP_A,
            "instansi_kode": "35",
            "jabatan": "Analis Kebijakan",
            "jenis_kompetensi": "teknis",
            "level_standar": 3,
            "level_hasil": 2,
            "tanggal_asesmen": "2023-07-01",
            "modified_at": R,
        },
        {
            "asesmen_id": "ASM2",
            "nip": NIP_D,
            "instansi_kode": "KL-001",
            "jabatan": "Kepala Biro",
            "jenis_kompetensi": "manajerial",
            "level_standar": 4,
            "level_hasil": 4,
            "tanggal_asesmen": "2023-07-01",
            "modified_at": R,
        },
        # invalid level
        {
            "asesmen_id": "ASM3",
            "nip": NIP_D,
            "instansi_kode": "KL-001",
            "jabatan": "Kepala Biro",
            "jenis_kompetensi": "teknis",
            "level_standar": 4,
            "level_hasil": 7,
            "tanggal_asesmen": "2023-07-02",
            "modified_at": R,
        },
    ],
    "bpsdm_daerah__assessments": [
        # a Jatim file: A's manajerial assessment, standard 3, level 1 (gap 2), serial date
        {
            "nip": NIP_A,
            "instansi_asal": "Provinsi Jawa Timur",
            "jabatan": "Analis Kebijakan",
            "jenis_kompetensi": "Manajerial",
            "level_standar": "3",
            "level_hasil": "1",
            "tanggal_asesmen": "14 Des 2023",
            "region_code": "35",
            "file_name": "asesmen.xlsx",
            "row_number": 1,
            "_extra": {},
            "_raw": {},
        },
    ],
    "satudata__budgets": [
        {
            "_id": 1,
            "tahun": 2023,
            "kode_satker": "35",
            "nama_instansi": "Pemprov Jatim",
            "sumber_dana": "apbd prov",
            "program": "P",
            "pagu": "Rp 1.250.000.000,00",
            "realisasi": 1000000000,
            "target_peserta": 100,
        },
        {
            "_id": 2,
            "tahun": 2023,
            "kode_satker": "",
            "nama_instansi": "PEMERINTAH PROVINSI JAWA TIMUR",
            "sumber_dana": "Dana BLU",
            "program": "P",
            "pagu": "25.000.000",
            "realisasi": "Rp25,000,000",
            "target_peserta": 10,
        },
        {
            "_id": 3,
            "tahun": 2023,
            "kode_satker": "",
            "nama_instansi": "Provinsi Kalimantan Tengah",
            "sumber_dana": "A.P.B.D",
            "program": "P",
            "pagu": 500000000,
            "realisasi": 400000000,
            "target_peserta": 50,
        },
        {
            "_id": 4,
            "tahun": 2023,
            "kode_satker": "KL-001",
            "nama_instansi": "Kemendagri",
            "sumber_dana": "Rupiah Murni",
            "program": "P",
            "pagu": 2000000000,
            "realisasi": "1.500.000.000",
            "target_peserta": 300,
        },
        # invalid: negative allocation
        {
            "_id": 5,
            "tahun": 2023,
            "kode_satker": "62",
            "nama_instansi": "x",
            "sumber_dana": "APBD",
            "program": "P",
            "pagu": "-Rp 5.000.000,00",
            "realisasi": 0,
            "target_peserta": 1,
        },
    ],
    "bpsdm_kemendagri__development_plans": [
        {
            "rencana_id": "RNC1",
            "instansi_kode": "35",
            "tahun": 2023,
            "jenis_pelatihan": "teknis",
            "rencana_peserta": 5,
            "rencana_jp": 150,
            "rencana_anggaran_idr": 100000000,
            "modified_at": R,
        },
        {
            "rencana_id": "RNC2",
            "instansi_kode": "00",
            "tahun": 2023,
            "jenis_pelatihan": "teknis",
            "rencana_peserta": 5,
            "rencana_jp": 150,
            "rencana_anggaran_idr": 100000000,
            "modified_at": R,
        },
    ],
}

# Second batch: A changes job (spaces in the NIP this time), A's teknis becomes lulus.
SECOND_BATCH: dict[str, list[dict]] = {
    "siasn__asn": [
        asn(
            "19850412 201003 1 001",
            "35",
            "Pemerintah Provinsi Jawa Timur",
            "Perencana",
            "2023-06-01T00:00:00Z",
        ),
    ],
    "bpsdm_kemendagri__participations": [
        participation(
            "PRT3",
            "PLT2304-632-0001",
            NIP_A,
            "35",
            "Pemprov Jatim",
            "penyelenggara",
            "lulus",
            30,
            "2023-04-21T00:00:00Z",
        ),
    ],
}
