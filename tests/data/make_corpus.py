"""Writes the file-drop test corpora: `bad_inputs/` and `real_shapes/` (run from the repo root).

    .venv/bin/python tests/data/make_corpus.py

The committed files are this script's output, byte for byte (fixed zip
times), so a reviewer can read how each odd file was made, and a case can be
changed here and regenerated. What each file must do when dropped is
declared beside it, in the folder's `cases.yml`; the test is
`tests/integration/ingestion/test_bad_inputs.py`.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
BAD = HERE / "bad_inputs"
REAL = HERE / "real_shapes"
FIXED_TIME = (2000, 1, 1, 0, 0, 0)

HEADER = ["NIP", "Nama", "Instansi Asal", "Nama Pelatihan", "Jenis Pelatihan", "Tgl Mulai",
          "Tgl Selesai", "JP", "Status", "Biaya (Rp)"]  # fmt: skip
ASSESSMENT_HEADER = ["NIP", "Nama", "Instansi", "Jabatan", "Jenis Kompetensi", "Level Standar",
                     "Level Hasil", "Tanggal Asesmen"]  # fmt: skip


def nip(seq: int, day: int = 1) -> str:
    """A valid PNS NIP: born 1990-01-<day>, CPNS 2015-03, male, sequence `seq`."""
    return f"199001{day:02d}2015031{seq:03d}"


def row(seq: int, **changes: str) -> list[str]:
    values = dict(
        zip(
            HEADER,
            [nip(seq), f"Peserta {seq}", "35.15", "PKP Angkatan I", "pkp", "14/08/2023",
             "18/08/2023", "24", "Lulus", "Rp 2.500.000"],
            strict=True,
        )
    )  # fmt: skip
    values.update(changes)
    return list(values.values())


def csv_bytes(rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode(encoding)


def fixed_zip(data: bytes) -> bytes:
    """An xlsx rewritten with fixed times, so regenerating gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _fixed_doc_times(content)
            member = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, content)
    return out.getvalue()


def _fixed_doc_times(content: bytes) -> bytes:
    return re.sub(
        rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
        rb"\g<1>2000-01-01T00:00:00Z\g<3>",
        content,
    )


def book_bytes(book: Workbook) -> bytes:
    raw = io.BytesIO()
    book.save(raw)
    return fixed_zip(raw.getvalue())


def replace_member(
    xlsx: bytes, name: str, content: bytes | Callable[[zipfile.ZipFile], None]
) -> bytes:
    """The workbook with one member's bytes replaced (or written by a callable)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            if info.filename != name:
                dst.writestr(member, src.read(info.filename))
            elif callable(content):
                with dst.open(member, "w") as stream:
                    content(stream)  # type: ignore[arg-type]
            else:
                dst.writestr(member, content, compresslevel=9)
    return out.getvalue()


def declare_size(xlsx: bytes, name: str, size: int) -> bytes:
    """Patch the uncompressed size a zip declares for `name` (local and central headers)."""
    data = bytearray(xlsx)
    encoded = name.encode()
    position = 0
    while (position := data.find(b"PK\x03\x04", position)) >= 0:
        length = struct.unpack_from("<H", data, position + 26)[0]
        if data[position + 30 : position + 30 + length] == encoded:
            struct.pack_into("<I", data, position + 22, size)
            break
        position += 4
    position = 0
    while (position := data.find(b"PK\x01\x02", position)) >= 0:
        length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + length] == encoded:
            struct.pack_into("<I", data, position + 24, size)
            break
        position += 4
    return bytes(data)


def small_report_book() -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = "Laporan"
    sheet.append(HEADER)
    for seq in range(1, 4):
        sheet.append(row(seq))
    return book


SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<sheetData>"
)
SHEET_END = b"</sheetData></worksheet>"


def inline_row(number: int, values: list[str]) -> bytes:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'.encode()


def bomb_sheet(megabytes: int) -> Callable[[zipfile.ZipFile], None]:
    """A sheet of the header, then the same row again and again: `megabytes` of XML. The
    rows carry no `r` numbers (optional in the format), so they are byte-identical and
    deflate packs them about 1000:1, as zip bombs do."""

    def write(stream: object) -> None:
        out = stream  # a zipfile member opened for writing
        out.write(SHEET_START)  # type: ignore[attr-defined]
        out.write(inline_row(1, HEADER))  # type: ignore[attr-defined]
        same = inline_row(2, row(1)).replace(b' r="2"', b"")
        same = re.sub(rb' r="[A-Z]+2"', b"", same)
        block = same * 100
        written = 0
        while written < megabytes << 20:
            out.write(block)  # type: ignore[attr-defined]
            written += len(block)
        out.write(SHEET_END)  # type: ignore[attr-defined]

    return write


def write(folder: Path, name: str, data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def bad_inputs() -> None:
    out = BAD / "files"
    good = [HEADER, row(1), row(2)]

    # Wrong content types
    write(out, "laporan_peserta.json", b'{"data": [{"nip": "199001012015031001", "nama": "Bu')
    write(out, "ekspor_api.csv", b'[{"NIP": "199001012015031001", "Nama": "Budi"}, {"NIP": ')
    write(out, "peserta_csv_bernama.xlsx", csv_bytes(good))
    write(
        out,
        "peserta_login.csv",
        b"<!DOCTYPE html>\n<html><head><title>Sesi berakhir</title></head>\n<body><form>"
        b"<input name='nip'>NIP, Nama, Instansi</form></body></html>\n",
    )
    write(out, "peserta_xlsx_bernama.csv", book_bytes(small_report_book()))
    write(out, "peserta_lama.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))

    # Empty
    write(out, "kosong.csv", b"")
    write(out, "hanya_bom.csv", b"\xef\xbb\xbf\r\n\r\n ;;\r\n")
    write(out, "hanya_header.csv", csv_bytes([HEADER]))
    empty = Workbook()
    empty.active.title = "Sheet1"
    write(out, "sheet_kosong.xlsx", book_bytes(empty))

    # Encodings
    names = ["Dra. Sélina Wüst", "Ir. Budi “Bud” Santoso — Kabid", "Nyoman Çakra"]
    cp1252 = [HEADER] + [row(i + 1, Nama=name) for i, name in enumerate(names)]
    write(out, "peserta_cp1252.csv", csv_bytes(cp1252, ";", "cp1252"))
    latin = csv_bytes([HEADER, row(4, Nama="Muñoz Ãlvarez"), row(5)], ";", "latin-1")
    write(out, "peserta_latin1.csv", latin.replace(b"Peserta 5", b"Peserta\x81\x8d5"))
    utf16 = [HEADER, row(6, Nama="Ni Luh Putu Ayu — ñ"), row(7)]
    write(out, "peserta_utf16_bom.csv", b"\xff\xfe" + csv_bytes(utf16, "\t", "utf-16-le"))
    write(out, "peserta_utf16_tanpa_bom.csv", csv_bytes(utf16, ",", "utf-16-le"))
    filler = [row(100 + i) for i in range(60)]
    nul = (
        csv_bytes([HEADER, *filler])
        + b"199001012015031999,Bu\x00di,35.15,PKP,pkp,14/08/2023,,24,,\r\n"
    )
    write(out, "peserta_nul.csv", nul)

    # Huge fields: one cell over the 131,072 characters of Python's csv default and over the
    # 32,767 a spreadsheet cell holds; a header label of 5,000 characters.
    huge = [[*HEADER, "K" * 5000], row(8), row(9, Nama="A" * 140_000), row(10)]
    write(out, "peserta_sel_raksasa.csv", csv_bytes(huge))

    # Formulas and formula-like text (CSV): text fields that would reach a mart, region columns.
    formulas = [
        [*HEADER, "Sumber Dana", "Keterangan"],
        [*row(11), "APBD", "=1+1"],  # a region's own column: kept in raw, never read on
        [*row(12, **{"Nama Pelatihan": '=HYPERLINK("http://contoh.invalid/x","PKP")'}), "", ""],
        [*row(13, **{"Jenis Pelatihan": "@SUM(1+1)*cmd|' /C calc'!A0"}), "", "+62 812 555"],
        [*row(14, **{"Instansi Asal": "+35.15"}), "", ""],
        [*row(15), "-2+3+cmd|' /C calc'!A0", ""],
        [*row(16, **{"Status": "\tlulus"}), "", ""],
        [*row(17), "-", "-"],  # a dash alone is the usual "none", not a formula
        [*row(18, JP="=8*3"), "", ""],
        [*row(19, Nama="=Budi"), "", ""],  # names never reach a mart: loads
        [*row(20, **{"Nama Pelatihan": "\uff1dHYPERLINK(1)"}), "", ""],  # full-width =
    ]
    write(out, "peserta_formula.csv", csv_bytes(formulas))

    # Formula cells in a workbook (assessments): never evaluated, no cached value read.
    book = Workbook()
    sheet = book.active
    sheet.title = "Asesmen"
    sheet.append([*ASSESSMENT_HEADER, "Catatan"])
    sheet.append([nip(20), "Sari", "35.15", "Analis Kebijakan", "teknis", 3, 2, "2023-08-14", "ok"])
    sheet.append([nip(21), "Dewi", "35.15", '=HYPERLINK("http://contoh.invalid","Analis")',
                  "teknis", 3, 2, "2023-08-14", ""])  # fmt: skip
    sheet.append([nip(22), "Eko", "35.15", "Analis", "manajerial", "=2+1", 2, "2023-08-14", ""])
    sheet.append([nip(23), "Fajar", "35.15", "Analis", "teknis", 3, 2, "2023-08-14",
                  '=HYPERLINK("http://contoh.invalid","klik")'])  # fmt: skip
    sheet.append([nip(24), "Gita", "35.15", "Analis", "teknis", "3.0", 2, "2023-08-14", ""])
    write(out, "asesmen_formula.xlsx", book_bytes(book))

    # Zip bombs posing as .xlsx
    base = book_bytes(small_report_book())
    sheet_name = "xl/worksheets/sheet1.xml"
    write(out, "bom_zip.xlsx", replace_member(base, sheet_name, bomb_sheet(8)))
    lying = replace_member(base, sheet_name, bomb_sheet(4))
    write(out, "bom_zip_ukuran_palsu.xlsx", declare_size(lying, sheet_name, 60_000))
    write(out, "bom_zip_4gb.xlsx", declare_size(base, sheet_name, 4_000_000_000))
    # Not a bomb, only big: ~1.3 MB of sheet XML at a workbook's usual ratio (a 1 MB
    # unpacked limit rejects it).
    big = Workbook()
    big.active.append(HEADER)
    for _ in range(3000):
        big.active.append(row(1))
    write(out, "peserta_besar.xlsx", book_bytes(big))

    # Sheets: many; a report on two sheets; the report on the second sheet only.
    many = small_report_book()
    for index in range(2, 81):
        many.create_sheet(f"Catatan {index}").append([f"catatan {index}"])
    write(out, "peserta_banyak_sheet.xlsx", book_bytes(many))
    two = Workbook()
    two.active.title = "Juli"
    two.active.append(HEADER)
    two.active.append(row(30))
    august = two.create_sheet("Agustus")
    august.append(HEADER)
    august.append(row(31))
    write(out, "peserta_dua_laporan.xlsx", book_bytes(two))
    second = Workbook()
    second.active.title = "Petunjuk"
    second.active.append(["Isi data pada sheet Data. Jangan ubah judul kolom."])
    data = second.create_sheet("Data")
    data.append(HEADER)
    data.append(row(32))
    write(out, "peserta_sheet_kedua.xlsx", book_bytes(second))

    # Merged cells: a merged title, a two-row heading (Tanggal over Mulai / Selesai), an
    # institution merged down over its participants' rows.
    merged = Workbook()
    sheet = merged.active
    sheet.title = "Peserta"
    sheet.append(["LAPORAN PESERTA PELATIHAN BPSDM AGUSTUS 2023"])
    sheet.merge_cells("A1:H1")
    sheet.append(["NIP", "Nama", "Instansi Asal", "Pelatihan", "", "Tanggal", "", "JP"])
    sheet.append(["", "", "", "Nama Pelatihan", "Jenis", "Mulai", "Selesai", ""])
    for column in "ABCH":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells("D2:E2")
    sheet.merge_cells("F2:G2")
    for index, seq in enumerate(range(40, 44)):
        sheet.append([nip(seq), f"Peserta {seq}", "Kab. Sidoarjo" if index == 0 else None,
                      "PKP Angkatan II", "pkp", "14/08/2023", "18/08/2023", 24])  # fmt: skip
    sheet.merge_cells("C4:C7")
    write(out, "peserta_header_gabung.xlsx", book_bytes(merged))

    # A sheet whose <dimension> is wrong ("A1": a truncating reader sees one column) and one
    # whose dimension and last cell are at XFD1048576 (billions of empty cells, if filled).
    wrong = book_bytes(small_report_book())
    with zipfile.ZipFile(io.BytesIO(wrong)) as archive:
        xml = archive.read(sheet_name)
    xml = xml.replace(b'<dimension ref="A1:J4" />', b'<dimension ref="A1" />')
    assert b'<dimension ref="A1" />' in xml
    write(out, "peserta_dimensi_salah.xlsx", replace_member(wrong, sheet_name, xml))
    sparse = small_report_book()
    sparse.active["A1048576"] = "catatan di baris terakhir"
    xml_book = book_bytes(sparse)
    with zipfile.ZipFile(io.BytesIO(xml_book)) as archive:
        xml = archive.read(sheet_name)
    xml = xml.replace(b'<dimension ref="A1:J1048576" />', b'<dimension ref="A1:XFD1048576" />')
    assert b"XFD1048576" in xml
    write(out, "peserta_dimensi_raksasa.xlsx", replace_member(xml_book, sheet_name, xml))

    # Headers: the same header twice (one row disagrees), a header repeated outside the
    # contract, an empty header over data; a required column under an unknown name.
    dup = [
        ["NIP", "Nama", "Instansi Asal", "Nama Pelatihan", "Jenis Pelatihan", "Tgl Mulai", "JP",
         "NIP", "Keterangan", "Keterangan", ""],
        [nip(50), "A", "35.15", "PKP", "pkp", "14/08/2023", "24", nip(50), "satu", "dua", "x"],
        [nip(51), "B", "35.15", "PKP", "pkp", "14/08/2023", "24", nip(52), "", "", ""],
        [nip(53), "C", "35.15", "PKP", "pkp", "14/08/2023", "24", "", "", "", ""],
    ]  # fmt: skip
    write(out, "peserta_header_ganda.csv", csv_bytes(dup))
    no_nip = [["NIP Baru", *HEADER[1:]], row(54)]
    write(out, "peserta_tanpa_nip.csv", csv_bytes(no_nip))

    # Landing names: path-like and not UTF-8 (the test drops these under other names).
    write(out, "nama_aneh.csv", csv_bytes([HEADER, row(60)]))
    write(out, "nama_bukan_utf8.csv", csv_bytes([HEADER, row(61)]))
    write(out, "nama_bukan_utf8_rusak.xlsx", b"bukan workbook, hanya teks\r\n")
    write(out, "peserta_folder_salah.csv", csv_bytes([HEADER, row(62)]))
    write(out, "peserta_tautan.csv", csv_bytes([HEADER, row(63)]))

    # Registries with a typo: a misspelt key, and a source written twice (YAML keeps the
    # last one silently).
    entry = (
        "  bpsdm_daerah:\n"
        "    kind: file_drop\n"
        "    description: Provincial and regency BPSDM monthly uploads\n"
        "    landing_dir: landing\n"
        "    {size_key}: 50\n"
        "    entities:\n"
        "      participations: {{primary_key: nip}}\n"
        "      assessments: {{primary_key: nip}}\n"
    )
    typo = "version: 1\nsources:\n" + entry.format(size_key="max_file_md")
    write(out, "sources_salah_ketik.yml", typo.encode())
    twice = "version: 1\nsources:\n" + entry.format(size_key="max_file_mb") * 2
    write(out, "sources_ganda.yml", twice.encode())


def real_shapes() -> None:
    out = REAL / "files"
    # Open Data Jabar's export shape (opendata.jabarprov.go.id): one row per regency and year,
    # BPS codes without dots, upper-case names with KABUPATEN/KOTA, `satuan`, `tahun`.
    aggregate = [
        ["id", "kode_provinsi", "nama_provinsi", "kode_kabupaten_kota", "nama_kabupaten_kota",
         "jenis_pelatihan", "jumlah_peserta", "satuan", "tahun"],
        ["1", "32", "JAWA BARAT", "3201", "KABUPATEN BOGOR", "PKP", "118", "ORANG", "2023"],
        ["2", "32", "JAWA BARAT", "3273", "KOTA BANDUNG", "PKP", "96", "ORANG", "2023"],
        ["3", "32", "JAWA BARAT", "3273", "KOTA BANDUNG", "LATSAR CPNS", "240", "ORANG", "2023"],
    ]  # fmt: skip
    write(
        out, "od_jumlah_peserta_pelatihan_asn_berdasarkan_kabupaten_kota.csv", csv_bytes(aggregate)
    )

    # A per-ASN report in the same style: snake_case headers, the portal's region columns
    # (kept as the region's own), names with KAB./KOTA, CRLF.
    header = ["id", "kode_provinsi", "nama_provinsi", "kode_kabupaten_kota", "nama_kabupaten_kota",
              "nip", "nama_peserta", "instansi_asal", "nama_pelatihan", "jenis_pelatihan",
              "tanggal_mulai", "tanggal_selesai", "jp", "satuan", "tahun"]  # fmt: skip
    people = [
        ["1", "32", "JAWA BARAT", "3201", "KABUPATEN BOGOR", nip(70), "ASEP SUNANDAR",
         "KAB. BOGOR", "PKP ANGKATAN III", "PKP", "2023-08-07", "2023-08-11", "24", "JP", "2023"],
        ["2", "32", "JAWA BARAT", "3273", "KOTA BANDUNG", nip(71, 2), "RINA MARLINA",
         "KOTA BANDUNG", "PKP ANGKATAN III", "PKP", "2023-08-07", "2023-08-11", "24", "JP", "2023"],
        ["3", "32", "JAWA BARAT", "3273", "KOTA BANDUNG", nip(72, 3), "DEDI MULYADI",
         "32.73", "LATSAR CPNS ANGKATAN I", "LATSAR", "2023-08-01", "2023-08-30", "40", "JP",
         "2023"],
    ]  # fmt: skip
    write(out, "peserta_pelatihan_3273_202308.csv", csv_bytes([header, *people]))

    # Dotted Kemendagri codes in `Kode Instansi`, and the BPS code the portal uses.
    codes = [
        ["NIP", "Nama", "Kode Instansi", "Nama Pelatihan", "Jenis Pelatihan", "Tgl Mulai", "JP"],
        [nip(73), "Ujang", "32.73", "PKA Angkatan I", "pka", "14 Agustus 2023", "30"],
        [nip(74), "Euis", "32.01", "PKA Angkatan I", "pka", "14 Agu 2023", "30"],
        [nip(75), "Cecep", "3273", "PKA Angkatan I", "pka", "14-08-2023", "30"],
    ]  # fmt: skip
    write(out, "peserta_kode_instansi_3273_202308.csv", csv_bytes(codes))

    # Excel's "CSV (semicolon)" in an Indonesian locale: `;`, decimal commas, dotted thousands,
    # Windows-1252, CRLF.
    semi = [
        ["NIP", "Nama Peserta", "Instansi", "Judul Pelatihan", "Jenis", "Tanggal Mulai",
         "Tanggal Selesai", "Jumlah JP", "Keterangan Lulus", "Sumber Anggaran", "Biaya (Rp)"],
        [nip(76), "Dadang Suhénda", "Pemkab Bandung Barat", "Bimtek Penyusunan SKP", "bimtek",
         "21/08/2023", "22/08/2023", "4,5", "Lulus", "APBD", "1.500.000,50"],
        [nip(77), "Lilis Kurniasih", "KAB. BANDUNG BARAT", "Bimtek Penyusunan SKP", "bimtek",
         "21/08/2023", "22/08/2023", "4,5", "Lulus", "APBD", "Rp 1.500.000,00"],
        [nip(78), "Yayan", "KAB. BANDUNG BARAT", "Bimtek Penyusunan SKP", "bimtek",
         "21/08/2023", "22/08/2023", "1.234,5", "Lulus", "APBD", "1.500.000"],
    ]  # fmt: skip
    write(out, "peserta_pelatihan_3217_202308_titik_koma.csv", csv_bytes(semi, ";", "cp1252"))

    # A BPSDM workbook as people make them: title rows, a merged two-row heading, a number
    # column, institutions merged down, a JUMLAH (total) row merged across at the bottom.
    book = Workbook()
    sheet = book.active
    sheet.title = "Agustus 2023"
    sheet.append(["REKAPITULASI PESERTA PELATIHAN"])
    sheet.append(["BPSDM PROVINSI JAWA BARAT - AGUSTUS 2023"])
    sheet.append([])
    sheet.append(["No", "NIP", "Nama", "Instansi Asal", "Pelatihan", None, "Tanggal", None, "JP"])
    sheet.append([None, None, None, None, "Nama Pelatihan", "Jenis", "Mulai", "Selesai", None])
    for merge in ("A1:I1", "A2:I2", "A4:A5", "B4:B5", "C4:C5", "D4:D5", "E4:F4", "G4:H4", "I4:I5"):
        sheet.merge_cells(merge)
    people_rows = [
        (nip(80), "Hj. IMAS MASITOH, S.Sos", "KOTA BEKASI"),
        (nip(81), "H. ENDANG, S.IP", None),
        (nip(82), "TATANG", "KAB. GARUT"),
    ]
    for index, (number, name, place) in enumerate(people_rows, start=1):
        sheet.append([index, number, name, place, "PKP Angkatan IV", "PKP", "07/08/2023",
                      "11/08/2023", 24])  # fmt: skip
    sheet.merge_cells("D6:D7")
    sheet.append(["JUMLAH", None, None, None, None, None, None, None, "=SUM(I6:I8)"])
    sheet.merge_cells("A9:H9")
    write(out, "rekap_peserta_bpsdm_jabar_202308.xlsx", book_bytes(book))


if __name__ == "__main__":
    bad_inputs()
    real_shapes()
