"""Fixed vocabularies of the synthetic world: ministries, names, jobs, training kinds.

Kept apart from the generators so a reader can check the domain lists against
docs/domain-rules.md without reading any random-number code. Order matters: indexes into
these tuples are part of the deterministic world (changing an order changes
every seed's output).
"""

from __future__ import annotations

from dataclasses import dataclass

# (full name, abbreviation): K/L codes are KL-001... in this order.
CENTRAL_INSTITUTIONS: tuple[tuple[str, str], ...] = (
    ("Kementerian Dalam Negeri", "Kemendagri"),
    ("Kementerian Luar Negeri", "Kemlu"),
    ("Kementerian Pertahanan", "Kemhan"),
    ("Kementerian Hukum", "Kemenkum"),
    ("Kementerian Keuangan", "Kemenkeu"),
    ("Kementerian Agama", "Kemenag"),
    ("Kementerian Pendidikan Dasar dan Menengah", "Kemendikdasmen"),
    ("Kementerian Kesehatan", "Kemenkes"),
    ("Kementerian Sosial", "Kemensos"),
    ("Kementerian Ketenagakerjaan", "Kemnaker"),
    ("Kementerian Perindustrian", "Kemenperin"),
    ("Kementerian Perdagangan", "Kemendag"),
    ("Kementerian Energi dan Sumber Daya Mineral", "KESDM"),
    ("Kementerian Pekerjaan Umum", "Kementerian PU"),
    ("Kementerian Perhubungan", "Kemenhub"),
    ("Kementerian Komunikasi dan Digital", "Komdigi"),
    ("Kementerian Pertanian", "Kementan"),
    ("Kementerian Kehutanan", "Kemenhut"),
    ("Kementerian Kelautan dan Perikanan", "KKP"),
    ("Kementerian Desa dan Pembangunan Daerah Tertinggal", "Kemendes PDT"),
    ("Kementerian Agraria dan Tata Ruang/Badan Pertanahan Nasional", "ATR/BPN"),
    ("Kementerian Perencanaan Pembangunan Nasional/Bappenas", "Bappenas"),
    ("Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi", "KemenPANRB"),
    ("Kementerian Badan Usaha Milik Negara", "Kementerian BUMN"),
    ("Kementerian Koperasi", "Kemenkop"),
    ("Kementerian Pariwisata", "Kemenpar"),
    ("Kementerian Pemuda dan Olahraga", "Kemenpora"),
    ("Kementerian Lingkungan Hidup", "KLH"),
    ("Kementerian Pendidikan Tinggi, Sains, dan Teknologi", "Kemdiktisaintek"),
    ("Kementerian Kebudayaan", "Kemenbud"),
    ("Kementerian Pemberdayaan Perempuan dan Perlindungan Anak", "KemenPPPA"),
    ("Kementerian Sekretariat Negara", "Kemensetneg"),
    ("Kementerian Investasi dan Hilirisasi/BKPM", "BKPM"),
    ("Kementerian Imigrasi dan Pemasyarakatan", "Kemenimipas"),
    ("Kementerian Hak Asasi Manusia", "KemenHAM"),
    ("Kementerian Transmigrasi", "Kementrans"),
    ("Kementerian Perumahan dan Kawasan Permukiman", "Kementerian PKP"),
    ("Kementerian Ekonomi Kreatif", "Kemenekraf"),
    ("Kementerian Usaha Mikro, Kecil, dan Menengah", "Kemen UMKM"),
    ("Kementerian Pelindungan Pekerja Migran Indonesia", "KP2MI"),
    ("Kementerian Kependudukan dan Pembangunan Keluarga/BKKBN", "BKKBN"),
    ("Kementerian Koordinator Bidang Perekonomian", "Kemenko Perekonomian"),
    ("Kementerian Koordinator Bidang Politik dan Keamanan", "Kemenko Polkam"),
    ("Kementerian Koordinator Bidang Pembangunan Manusia dan Kebudayaan", "Kemenko PMK"),
    ("Kementerian Koordinator Bidang Pangan", "Kemenko Pangan"),
    ("Kementerian Koordinator Bidang Infrastruktur dan Pembangunan Kewilayahan", "Kemenko IPK"),
    ("Badan Kepegawaian Negara", "BKN"),
    ("Lembaga Administrasi Negara", "LAN"),
    ("Badan Pusat Statistik", "BPS"),
    ("Badan Pengawasan Keuangan dan Pembangunan", "BPKP"),
    ("Badan Meteorologi, Klimatologi, dan Geofisika", "BMKG"),
    ("Badan Nasional Penanggulangan Bencana", "BNPB"),
    ("Badan Pengawas Obat dan Makanan", "BPOM"),
    ("Badan Riset dan Inovasi Nasional", "BRIN"),
    ("Badan Informasi Geospasial", "BIG"),
    ("Badan Narkotika Nasional", "BNN"),
    ("Badan Nasional Penanggulangan Terorisme", "BNPT"),
    ("Badan Siber dan Sandi Negara", "BSSN"),
    ("Badan Nasional Pencarian dan Pertolongan", "Basarnas"),
    ("Badan Standardisasi Nasional", "BSN"),
    ("Badan Pengawas Tenaga Nuklir", "Bapeten"),
    ("Perpustakaan Nasional", "Perpusnas"),
    ("Arsip Nasional Republik Indonesia", "ANRI"),
    ("Lembaga Kebijakan Pengadaan Barang/Jasa Pemerintah", "LKPP"),
    ("Badan Keamanan Laut", "Bakamla"),
    ("Badan Pengawas Pemilihan Umum", "Bawaslu"),
    ("Komisi Pemilihan Umum", "KPU"),
    ("Badan Pemeriksa Keuangan", "BPK"),
    ("Mahkamah Agung", "MA"),
    ("Mahkamah Konstitusi", "MK"),
    ("Kejaksaan Republik Indonesia", "Kejaksaan RI"),
    ("Komisi Pemberantasan Korupsi", "KPK"),
    ("Ombudsman Republik Indonesia", "ORI"),
    ("Komisi Yudisial", "KY"),
    ("Sekretariat Jenderal Dewan Perwakilan Rakyat", "Setjen DPR"),
    ("Sekretariat Jenderal Majelis Permusyawaratan Rakyat", "Setjen MPR"),
    ("Sekretariat Jenderal Dewan Perwakilan Daerah", "Setjen DPD"),
    ("Badan Pangan Nasional", "Bapanas"),
    ("Badan Gizi Nasional", "BGN"),
    ("Badan Pembinaan Ideologi Pancasila", "BPIP"),
)

# Short names regions use for provinces ("Pemprov Jatim"); population in millions
# (BPS 2023, rounded) weights the ASN per province.
PROVINCE_SHORT: dict[str, tuple[str, float]] = {
    "11": ("Aceh", 5.4),
    "12": ("Sumut", 15.4),
    "13": ("Sumbar", 5.6),
    "14": ("Riau", 6.6),
    "15": ("Jambi", 3.6),
    "16": ("Sumsel", 8.7),
    "17": ("Bengkulu", 2.1),
    "18": ("Lampung", 9.2),
    "19": ("Babel", 1.5),
    "21": ("Kepri", 2.1),
    "31": ("DKI Jakarta", 10.7),
    "32": ("Jabar", 49.9),
    "33": ("Jateng", 37.5),
    "34": ("DIY", 3.7),
    "35": ("Jatim", 41.5),
    "36": ("Banten", 12.3),
    "51": ("Bali", 4.4),
    "52": ("NTB", 5.5),
    "53": ("NTT", 5.5),
    "61": ("Kalbar", 5.5),
    "62": ("Kalteng", 2.7),
    "63": ("Kalsel", 4.2),
    "64": ("Kaltim", 3.9),
    "65": ("Kaltara", 0.7),
    "71": ("Sulut", 2.7),
    "72": ("Sulteng", 3.1),
    "73": ("Sulsel", 9.3),
    "74": ("Sultra", 2.7),
    "75": ("Gorontalo", 1.2),
    "76": ("Sulbar", 1.5),
    "81": ("Maluku", 1.9),
    "82": ("Malut", 1.3),
    "91": ("Papua", 1.0),
    "92": ("Pabar", 0.6),
    "93": ("Papsel", 0.5),
    "94": ("Papteng", 1.4),
    "95": ("Pappeg", 1.4),
    "96": ("PBD", 0.6),
}

DOB_PROVINCES: frozenset[str] = frozenset({"93", "94", "95", "96"})

FIRST_NAMES_M: tuple[str, ...] = (
    "Agus",
    "Budi",
    "Dedi",
    "Eko",
    "Fajar",
    "Hendra",
    "Iwan",
    "Joko",
    "Kurniawan",
    "Lukman",
    "Muhammad",
    "Nanang",
    "Rudi",
    "Slamet",
    "Teguh",
    "Wahyu",
    "Yusuf",
    "Zainal",
    "Andi",
    "Bambang",
    "Darmawan",
    "Gede",
    "Hasan",
    "Imam",
    "Komang",
    "Made",
    "Ridwan",
    "Yohanes",
    "Ma'ruf",
    "Frans",
)
FIRST_NAMES_F: tuple[str, ...] = (
    "Ani",
    "Dewi",
    "Endang",
    "Fitri",
    "Indah",
    "Kartika",
    "Lestari",
    "Maya",
    "Nur",
    "Putri",
    "Ratna",
    "Sari",
    "Siti",
    "Sri",
    "Tri",
    "Wulan",
    "Yuni",
    "Rina",
    "Ketut",
    "Ayu",
    "Nurul",
    "Dian",
    "Maria",
    "Theresia",
    "Ni Luh",
    "Andé",
)
LAST_NAMES: tuple[str, ...] = (
    "",
    "",
    "",
    "Saputra",
    "Santoso",
    "Wibowo",
    "Hidayat",
    "Pratama",
    "Siregar",
    "Nasution",
    "Harahap",
    "Lubis",
    "Simanjuntak",
    "Sitompul",
    "Wijaya",
    "Kusuma",
    "Rahman",
    "Setiawan",
    "Susanto",
    "Gunawan",
    "Yulianti",
    "Rahayu",
    "Manurung",
    "Pattiasina",
    "Wenda",
    "Kogoya",
    "Rumbiak",
    "Mandacan",
    "Daeng",
    "Tanjung",
)

# (jabatan, jenis_jabatan)
JOBS: tuple[tuple[str, str], ...] = (
    ("Kepala Dinas", "struktural"),
    ("Sekretaris Dinas", "struktural"),
    ("Kepala Bidang", "struktural"),
    ("Kepala Bagian", "struktural"),
    ("Kepala Subbagian", "struktural"),
    ("Camat", "struktural"),
    ("Lurah", "struktural"),
    ("Kepala Seksi", "struktural"),
    ("Direktur", "struktural"),
    ("Kepala Biro", "struktural"),
    ("Analis Kebijakan", "fungsional"),
    ("Perencana", "fungsional"),
    ("Auditor", "fungsional"),
    ("Guru", "fungsional"),
    ("Dokter", "fungsional"),
    ("Perawat", "fungsional"),
    ("Bidan", "fungsional"),
    ("Pranata Komputer", "fungsional"),
    ("Analis Keuangan Pusat dan Daerah", "fungsional"),
    ("Penyuluh Pertanian", "fungsional"),
    ("Widyaiswara", "fungsional"),
    ("Arsiparis", "fungsional"),
    ("Pustakawan", "fungsional"),
    ("Statistisi", "fungsional"),
    ("Analis SDM Aparatur", "fungsional"),
    ("Pengadministrasi Umum", "pelaksana"),
    ("Pengelola Keuangan", "pelaksana"),
    ("Pengolah Data", "pelaksana"),
    ("Operator Layanan Operasional", "pelaksana"),
    ("Penata Layanan Operasional", "pelaksana"),
    ("Pengelola Barang Milik Negara", "pelaksana"),
)
JOB_KIND_SHARE: dict[str, float] = {"struktural": 0.12, "fungsional": 0.50, "pelaksana": 0.38}

GOLONGAN_PNS: tuple[str, ...] = (
    "II/a",
    "II/b",
    "II/c",
    "II/d",
    "III/a",
    "III/b",
    "III/c",
    "III/d",
    "IV/a",
    "IV/b",
    "IV/c",
)
GOLONGAN_PPPK: tuple[str, ...] = ("V", "VII", "IX", "X", "XI")

UNITS_REGIONAL: tuple[str, ...] = (
    "Sekretariat Daerah",
    "Dinas Pendidikan",
    "Dinas Kesehatan",
    "Badan Kepegawaian dan Pengembangan SDM",
    "Bappeda",
    "Dinas Pekerjaan Umum",
    "Inspektorat",
    "Kecamatan",
    "RSUD",
    "Dinas Sosial",
    "Badan Pengelola Keuangan Daerah",
)
UNITS_CENTRAL: tuple[str, ...] = (
    "Sekretariat Jenderal",
    "Direktorat Jenderal",
    "Inspektorat Jenderal",
    "Badan Pengembangan SDM",
    "Kantor Wilayah",
    "Pusat Data dan Informasi",
)

COMPETENCY_TYPES: tuple[str, ...] = ("teknis", "manajerial", "sosial_kultural")


@dataclass(frozen=True)
class TrainingKind:
    """One `jenis_pelatihan` of the contract with how the world uses it.

    weights are relative frequencies of the kind among trainings hosted by a
    province, a regency/city and a central K/L.
    """

    code: str
    title: str
    file_label: str
    mode: str
    category: str
    jp: tuple[int, int]
    days: tuple[int, int]
    seats: tuple[int, int]
    weights: tuple[float, float, float]
    accredited: bool = False


TRAINING_KINDS: tuple[TrainingKind, ...] = (
    TrainingKind("pkn_1", "Pelatihan Kepemimpinan Nasional Tingkat I", "PKN Tingkat I",
                 "klasikal", "formal", (400, 480), (60, 120), (30, 30), (0.0, 0.0, 0.2), True),
    TrainingKind("pkn_2", "Pelatihan Kepemimpinan Nasional Tingkat II", "PKN Tingkat II",
                 "klasikal", "formal", (350, 420), (60, 100), (30, 40), (0.8, 0.0, 0.6), True),
    TrainingKind("pka", "Pelatihan Kepemimpinan Administrator", "PKA",
                 "klasikal", "formal", (300, 380), (45, 90), (30, 40), (2.0, 0.5, 1.5), True),
    TrainingKind("pkp", "Pelatihan Kepemimpinan Pengawas", "PKP",
                 "klasikal", "formal", (200, 300), (30, 60), (30, 40), (3.0, 1.5, 1.5), True),
    TrainingKind("latsar", "Pelatihan Dasar CPNS", "Latsar CPNS",
                 "klasikal", "formal", (280, 320), (40, 60), (35, 40), (3.0, 1.0, 2.0), True),
    TrainingKind("teknis", "Pelatihan Teknis", "Teknis",
                 "klasikal", "formal", (20, 80), (3, 10), (25, 40), (15.0, 12.0, 15.0)),
    TrainingKind("fungsional", "Pelatihan Fungsional", "Fungsional",
                 "klasikal", "formal", (30, 120), (5, 15), (25, 40), (8.0, 5.0, 10.0)),
    TrainingKind("manajerial", "Pelatihan Manajerial", "Manajerial",
                 "klasikal", "formal", (16, 40), (2, 5), (25, 40), (5.0, 4.0, 5.0)),
    TrainingKind("sosial_kultural", "Pelatihan Sosial Kultural", "Sosial Kultural",
                 "klasikal", "formal", (8, 24), (1, 3), (25, 40), (3.0, 3.0, 3.0)),
    TrainingKind("seminar", "Seminar", "Seminar/Workshop",
                 "klasikal", "formal", (2, 8), (1, 1), (50, 200), (8.0, 8.0, 8.0)),
    TrainingKind("bimtek", "Bimbingan Teknis", "Bimtek",
                 "klasikal", "formal", (8, 32), (1, 4), (30, 60), (12.0, 15.0, 10.0)),
    TrainingKind("e_learning", "E-Learning", "E-Learning",
                 "non_klasikal", "formal", (4, 20), (7, 30), (100, 500), (6.0, 5.0, 8.0)),
    TrainingKind("coaching", "Coaching", "Coaching",
                 "non_klasikal", "sosial", (2, 10), (1, 30), (5, 20), (3.0, 3.0, 3.0)),
    TrainingKind("mentoring", "Mentoring", "Mentoring",
                 "non_klasikal", "sosial", (2, 10), (1, 30), (5, 20), (3.0, 3.0, 3.0)),
    TrainingKind("magang", "Magang", "Magang",
                 "non_klasikal", "pengalaman", (40, 160), (10, 40), (5, 15), (1.5, 1.0, 2.0)),
    TrainingKind("detasering", "Detasering", "Detasering",
                 "non_klasikal", "pengalaman", (80, 300), (30, 90), (2, 10), (0.5, 0.3, 1.0)),
    TrainingKind("benchmarking", "Benchmarking", "Benchmarking",
                 "non_klasikal", "pengalaman", (8, 24), (1, 5), (10, 30), (2.0, 2.0, 2.0)),
    TrainingKind("self_study", "Belajar Mandiri", "Belajar Mandiri",
                 "non_klasikal", "formal", (2, 12), (1, 30), (50, 200), (1.0, 1.0, 2.0)),
)  # fmt: skip

TRAINING_TOPICS: tuple[str, ...] = (
    "Pengelolaan Keuangan Daerah", "Pelayanan Publik", "Penyusunan SAKIP",
    "Pengadaan Barang/Jasa", "Manajemen Aset Daerah", "Perencanaan Pembangunan",
    "Transformasi Digital", "Analisis Kebijakan", "Kearsipan Dinamis", "Statistik Sektoral",
    "Manajemen Risiko", "Penulisan Naskah Dinas", "Kepemimpinan Kolaboratif",
    "Pengawasan Internal", "Penanganan Pengaduan", "Keterbukaan Informasi Publik",
    "Pengembangan Kompetensi – Blended Learning", "Moderasi Beragama", "Wawasan Kebangsaan",
    "Pencegahan Korupsi", "Smart ASN", "Manajemen Talenta", "Penyusunan Anjab dan ABK",
    "Satu Data Indonesia", "Pengelolaan Sampah", "Kesiapsiagaan Bencana",
)  # fmt: skip

CERTIFICATION_TYPES: tuple[str, ...] = (
    "Kepamongprajaan", "Otonomi Daerah", "Pemerintahan Umum", "Pengelolaan Keuangan Daerah",
    "Pembangunan Daerah", "Kewilayahan", "Etika Pemerintahan", "Kepemimpinan Pemerintahan",
    "Kebijakan Pemerintahan", "Hubungan Pusat dan Daerah", "Pemerintahan Desa",
    "Kependudukan dan Pencatatan Sipil",
)  # fmt: skip

PROGRAMS: tuple[str, ...] = (
    "Program Dukungan Manajemen", "Program Pengembangan Sumber Daya Manusia",
    "Program Kepegawaian Daerah", "Program Penunjang Urusan Pemerintahan Daerah",
)  # fmt: skip

# Spellings of each funding source as they appear in budget sources; the first
# is the canonical value.
FUNDING_SPELLINGS: dict[str, tuple[str, ...]] = {
    "APBN": ("APBN", "Rupiah Murni", "RM", "apbn", "A P B N", "APBN (Rupiah Murni)"),
    "APBD": ("APBD", "apbd prov", "APBD Kab/Kota", "Dana APBD", "A.P.B.D", "APBD Provinsi"),
    "BLU": ("BLU", "Dana BLU", "Badan Layanan Umum", "blu", "PNBP-BLU"),
    "PNBP": ("PNBP", "Penerimaan Negara Bukan Pajak", "pnbp", "P N B P"),
}
FUNDING_SOURCES: tuple[str, ...] = ("APBN", "APBD", "BLU", "PNBP")

COURSE_SUBJECTS: tuple[str, ...] = (
    "Dasar-Dasar Analisis Data", "Etika Digital ASN", "Keselamatan dan Kesehatan Kerja",
    "Pelayanan Prima", "Manajemen Proyek", "Literasi Keuangan", "Komunikasi Publik",
    "Microsoft Excel untuk Perkantoran", "Keamanan Siber Dasar", "Hubungan Industrial",
    "Produktivitas Kerja", "Pemasaran Digital UMKM", "Bahasa Inggris Bisnis",
    "Kepemimpinan Adaptif", "Penyusunan Standar Operasional Prosedur",
)  # fmt: skip
COURSE_LEVELS: tuple[str, ...] = ("Dasar", "Menengah", "Lanjutan")

# Text a careless region types into free-text cells; loaders must store it as
# text and never evaluate it.
FORMULA_LIKE: tuple[str, ...] = (
    "=SUM(A1:A9)", "+62 812-3456-7890", "@admin", "=HYPERLINK(\"http://x\")", "-1+2",
    "=1+1", "+628123456789",
)  # fmt: skip
