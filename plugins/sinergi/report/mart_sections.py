"""The report's sections on the published marts: 20 JP, learning mix, funding, quotas,
competency and certification. Each returns HTML; figures arrive computed.
"""

from __future__ import annotations

from html import escape

from sinergi.report import formatting as fmt
from sinergi.report.html_blocks import as_float, figure, folded, heading, num, table, txt
from sinergi.report.mart_figures import MartFigures, Row
from sinergi.report.run_facts import RunFacts
from sinergi.report.svg_charts import Bar, bar_chart, paired_bars, stacked_shares

REGIONAL_QUOTA = 0.30  # docs/domain-rules.md: 30 % of central seats for regional ASN
MIX_TARGET = (0.10, 0.20, 0.70)  # docs/domain-rules.md: 10:20:70, formal : social : experiential


def province_label(row: Row) -> str:
    return f"{row['nama']} (DOB)" if row["is_dob"] else str(row["nama"])


def kpis(figures: MartFigures, facts: RunFacts) -> str:
    mix, funding = figures.national_mix, figures.funding_total
    cards = [
        ("ASN", fmt.angka(mix.get("asn_count"))),
        ("ASN mencapai 20 JP", fmt.persen(mix.get("share_reaching_20_jp"))),
        ("Pagu", fmt.rupiah(funding.get("pagu_idr"))),
        ("Realisasi", fmt.persen(funding.get("realisation_rate"))),
        ("Biaya per JP", fmt.rupiah(funding.get("cost_per_jp_idr"))),
        ("Peristiwa → publikasi", fmt.durasi(facts.seconds_to_publish)),
    ]
    return (
        '<div class="kpis">'
        + "".join(f'<div class="kpi">{escape(k)}<b>{escape(v)}</b></div>' for k, v in cards)
        + "</div>"
    )


def attainment(figures: MartFigures) -> str:
    bars = [
        Bar(province_label(r), as_float(r["share_reaching_20_jp"]), bool(r["is_dob"]))
        for r in figures.provinces
    ]
    chart = figure(
        "jp20_by_province",
        bar_chart(bars, title="ASN mencapai 20 JP per provinsi", fmt=fmt.persen, scale_max=1.0),
        "Setiap batang adalah bagian ASN di provinsi itu yang mengikuti sedikitnya 20 JP"
        " pengembangan kompetensi dalam setahun. Batang oranye adalah empat provinsi DOB"
        " (daerah otonom baru) di Papua. Buka provinsi di bawah untuk rincian per instansi.",
    )
    by_province: dict[str | None, list[Row]] = {}
    for row in figures.institutions:
        by_province.setdefault(None if row["is_central"] else row["provinsi_kode"], []).append(row)
    names = {r["provinsi_kode"]: province_label(r) for r in figures.provinces}
    drill = []
    for code, rows in by_province.items():
        label = "Instansi pusat (K/L)" if code is None else names.get(code, str(code))
        drill.append(
            f"<details><summary>{escape(label)} – {len(rows)} instansi</summary>"
            + table(
                f"institutions_{code or 'pusat'}",
                ["Instansi", "ASN", "Peserta", "JP", "JP per ASN", "ASN ≥ 20 JP", "Bagian"],
                (
                    [
                        txt(r["nama"], "dob" if r["is_dob"] else ""),
                        num(r["asn_count"]),
                        num(r["participant_count"]),
                        num(r["jp_total"]),
                        num(r["avg_jp_per_asn"], lambda v: fmt.angka(v, 1)),
                        num(r["asn_reaching_20_jp"]),
                        num(r["share_reaching_20_jp"], fmt.persen),
                    ]
                    for r in rows
                ),
            )
            + "</details>"
        )
    return heading("jp20", "Capaian 20 JP") + chart + "<h3>Per instansi</h3>" + "".join(drill)


def learning_mix(figures: MartFigures) -> str:
    nat = figures.national_mix
    learning: list[tuple[str, list[float | None]]] = [("Target 10:20:70", list(MIX_TARGET))]
    learning.append(
        ("Nasional", [as_float(nat.get(k)) for k in ("jp_formal", "jp_sosial", "jp_pengalaman")])
    )
    learning += [
        (province_label(r), [as_float(r[k]) for k in ("jp_formal", "jp_sosial", "jp_pengalaman")])
        for r in figures.provinces
    ]
    classroom: list[tuple[str, list[float | None]]] = [
        ("Nasional", [as_float(nat.get("jp_klasikal")), as_float(nat.get("jp_non_klasikal"))])
    ]
    classroom += [
        (province_label(r), [as_float(r["jp_klasikal"]), as_float(r["jp_non_klasikal"])])
        for r in figures.provinces
    ]
    return (
        heading("komposisi", "Komposisi pembelajaran")
        + figure(
            "mix_10_20_70",
            stacked_shares(
                learning,
                ["Formal (10)", "Sosial (20)", "Pengalaman (70)"],
                title="Komposisi JP 10:20:70",
                fmt=lambda v: fmt.persen(v, 0),
            ),
            "Setiap batang membagi JP menjadi pembelajaran formal, sosial dan dari pengalaman."
            " Baris teratas adalah acuan 10:20:70; semakin mirip sebuah baris dengannya,"
            " semakin seimbang pengembangan di sana.",
        )
        + figure(
            "mix_klasikal",
            stacked_shares(
                classroom,
                ["Klasikal", "Non-klasikal"],
                title="JP klasikal dan non-klasikal",
                fmt=lambda v: fmt.persen(v, 0),
            ),
            "Bagian JP dari pelatihan klasikal (tatap muka) dan non-klasikal (e-learning,"
            " coaching, magang, belajar mandiri, …), nasional dan per provinsi.",
        )
    )


def funding(figures: MartFigures) -> str:
    rows = figures.funding_by_source
    chart = figure(
        "funding_by_source",
        paired_bars(
            [
                (str(r["sumber_dana"]), as_float(r["pagu_idr"]), as_float(r["realisasi_idr"]))
                for r in rows
            ],
            ("Pagu", "Realisasi"),
            title="Pagu dan realisasi per sumber dana",
            fmt=fmt.rupiah,
        ),
        "Untuk setiap sumber dana (APBN, APBD, BLU, PNBP), batang biru adalah pagu (anggaran"
        " yang dialokasikan) dan batang abu-abu adalah realisasinya.",
    )
    details = table(
        "funding_by_source",
        ["Sumber dana", "Pagu", "Realisasi", "Realisasi / pagu", "Biaya per JP"],
        (
            [
                txt(r["sumber_dana"]),
                num(r["pagu_idr"], fmt.rupiah),
                num(r["realisasi_idr"], fmt.rupiah),
                num(r["realisation_rate"], fmt.persen),
                num(r["cost_per_jp_idr"], fmt.rupiah),
            ]
            for r in rows
        ),
    )
    return heading("pendanaan", "Pendanaan") + chart + details


def regional_quotas(figures: MartFigures) -> str:
    rows = figures.central_quotas
    bars = [
        Bar(str(r["nama"]), as_float(r["regional_share"]), not r["meets_regional_quota"])
        for r in rows
    ]
    return (
        heading("kuota", "Kuota peserta daerah pada pelatihan pusat")
        + figure(
            "regional_quota",
            bar_chart(
                bars,
                title="Bagian peserta daerah pada pelatihan yang diselenggarakan K/L",
                fmt=fmt.persen,
                scale_max=1.0,
                reference=(REGIONAL_QUOTA, "kuota 30 %"),
            ),
            "Setiap batang adalah bagian peserta dari pemerintah daerah pada pelatihan klasikal"
            " yang diselenggarakan sebuah K/L. Garis merah adalah kuota 30 %; batang oranye"
            " belum memenuhinya.",
        )
        + folded(
            f"Tabel {len(rows)} K/L",
            table(
                "regional_quota",
                ["K/L", "Peserta", "Peserta daerah", "Bagian daerah", "Kuota 30 %"],
                (
                    [
                        txt(r["nama"]),
                        num(r["peserta"]),
                        num(r["peserta_daerah"]),
                        num(r["regional_share"], fmt.persen),
                        txt(
                            "terpenuhi" if r["meets_regional_quota"] else "belum",
                            "ok" if r["meets_regional_quota"] else "bad",
                        ),
                    ]
                    for r in rows
                ),
            ),
        )
    )


def competency(figures: MartFigures) -> str:
    gaps = [Bar(str(r["jenis_kompetensi"]), as_float(r["avg_gap"])) for r in figures.gaps_by_type]
    total = figures.certification_total
    cert = figures.certification
    return (
        heading("kompetensi", "Kompetensi dan sertifikasi")
        + figure(
            "gaps_by_type",
            bar_chart(
                gaps,
                title="Rata-rata kesenjangan kompetensi per jenis",
                fmt=lambda v: fmt.angka(v, 2),
            ),
            "Kesenjangan adalah level standar jabatan dikurangi level hasil asesmen, dirata-rata"
            " atas semua asesmen tahun ini. Semakin panjang batang, semakin jauh ASN dari standar.",
        )
        + "<h3>Kesenjangan terbesar per jabatan</h3>"
        + table(
            "largest_gaps_by_job",
            ["Jabatan", "Jenis kompetensi", "Asesmen", "Rata-rata kesenjangan"],
            (
                [
                    txt(r["jabatan"]),
                    txt(r["jenis_kompetensi"]),
                    num(r["assessment_count"]),
                    num(r["avg_gap"], lambda v: fmt.angka(v, 2)),
                ]
                for r in figures.largest_gaps_by_job
            ),
        )
        + f"<h3>Sertifikasi: {escape(fmt.persen(total.get('share_kompeten')))} kompeten dari"
        f" {escape(fmt.angka(total.get('certification_count')))} uji</h3>"
        + figure(
            "kompeten_by_institution",
            bar_chart(
                [
                    Bar(str(r["nama"]), as_float(r["share_kompeten"]), bool(r["is_dob"]))
                    for r in cert[:15]
                ],
                title="Bagian kompeten, 15 instansi teratas",
                fmt=fmt.persen,
                scale_max=1.0,
            ),
            "Bagian hasil uji sertifikasi yang dinyatakan kompeten, untuk 15 instansi dengan"
            " peringkat nasional teratas (oranye: instansi di provinsi DOB). Tabel di bawah"
            " (buka untuk melihatnya) memuat semua instansi; klik judul kolom untuk mengurutkan.",
        )
        + folded(
            f"Tabel semua {len(cert)} instansi",
            table(
                "certification",
                [
                    "Instansi",
                    "Uji",
                    "Kompeten",
                    "Bagian kompeten",
                    "Peringkat nasional",
                    "Peringkat provinsi",
                ],
                (
                    [
                        txt(r["nama"], "dob" if r["is_dob"] else ""),
                        num(r["certification_count"]),
                        num(r["kompeten_count"]),
                        num(r["share_kompeten"], fmt.persen),
                        num(r["rank_national"]),
                        num(r["rank_in_province"]),
                    ]
                    for r in cert
                ),
            ),
        )
    )
