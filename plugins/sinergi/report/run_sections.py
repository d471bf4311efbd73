"""The report's sections on the run itself: the publish banner, what changed since the
previous publish, and what the run loaded, quarantined and checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from sinergi.report import formatting as fmt
from sinergi.report.html_blocks import Cell, heading, num, table, txt
from sinergi.report.run_facts import RunFacts

STATUS_LABEL = {"published": "DIPUBLIKASIKAN", "blocked": "DIBLOKIR", "failed": "GAGAL"}


def banner(facts: RunFacts) -> str:
    p = facts.publish
    status = str(p["status"])
    if status == "published":
        return (
            '<div class="banner published"><b>Dipublikasikan.</b> Mart yang lolos semua'
            " pemeriksaan pemblokir sudah terlihat oleh analis.</div>"
        )
    failures = (p.get("details") or {}).get("blocking_failures") or []
    items = "".join(
        f"<li>{escape(str(f.get('suite')))} · {escape(str(f.get('expectation')))}"
        + (f" ({escape(str(f['column']))})" if f.get("column") else "")
        + (
            f" – {fmt.angka(f['unexpected_count'])} baris tidak sesuai"
            if f.get("unexpected_count") is not None
            else ""
        )
        + "</li>"
        for f in failures
    )
    previous = (
        f"publikasi {escape(str(facts.previous['run_id']))}"
        f" ({fmt.waktu(facts.previous['finished_at'])})"
        if facts.previous
        else "belum ada publikasi sebelumnya"
    )
    return (
        f'<div class="banner blocked" id="blocked"><b>Publikasi {STATUS_LABEL.get(status, status)}'
        f":</b> {escape(str(p.get('reason') or 'tanpa alasan tercatat'))}"
        f"<ul>{items}</ul>Analis tetap melihat data {previous}; angka di bawah adalah angka"
        " yang sedang terpublikasi.</div>"
    )


FIGURE_LABEL = {
    "share_reaching_20_jp": ("ASN mencapai 20 JP", fmt.persen, fmt.poin),
    "realisation_rate": ("Realisasi / pagu", fmt.persen, fmt.poin),
}


def _sources_of(batches: Sequence[dict[str, Any]]) -> str:
    parts = []
    for b in batches[:5]:
        origin = Path(str(b["file"])).name if b.get("file") else f"{b['source']}.{b['entity']}"
        parts.append(f"batch {b['batch_id']} ({origin}, {fmt.angka(b.get('rows'))} baris)")
    more = f" dan {len(batches) - 5} batch lain" if len(batches) > 5 else ""
    return escape("; ".join(parts) + more) if parts else "–"


def changes(facts: RunFacts) -> str:
    if facts.publish["status"] != "published":
        return (
            heading("perubahan", "Perubahan sejak publikasi sebelumnya")
            + '<p class="meta">Tidak ada: publikasi ini diblokir, mart tidak berubah.</p>'
        )
    marts = table(
        "mart_changes",
        ["Mart", "Baris sebelum", "Baris sesudah", "Ditambah", "Berubah", "Dihapus"],
        (
            [
                txt(r["mart"]),
                num(r["rows_before"]),
                num(r["rows_after"]),
                num(r["rows_added"]),
                num(r["rows_changed"]),
                num(r["rows_removed"]),
            ]
            for r in facts.mart_changes
        ),
    )
    moves = []
    for r in facts.movements:
        label, level, delta = FIGURE_LABEL.get(
            str(r["figure"]), (str(r["figure"]), fmt.angka, fmt.angka)
        )
        moves.append(
            [
                txt(label),
                txt(r.get("subject_name") or r["subject_id"]),
                num(r["tahun"], str),
                num(r["value_before"], level),
                num(r["value_after"], level),
                num(r["delta"], delta),
                Cell(_sources_of(r.get("source_batches") or [])),
            ]
        )
    return (
        heading("perubahan", "Perubahan sejak publikasi sebelumnya")
        + (
            f'<p class="meta">Dibanding publikasi {escape(str(facts.previous["run_id"]))}'
            f" ({escape(fmt.waktu(facts.previous['finished_at']))}).</p>"
            if facts.previous
            else '<p class="meta">Publikasi pertama: semua baris baru.</p>'
        )
        + marts
        + "<h3>Pergerakan angka utama terbesar</h3>"
        + table(
            "movements",
            [
                "Angka",
                "Untuk",
                "Tahun",
                "Sebelum",
                "Sesudah",
                "Perubahan",
                "Penyebab (batch sumber)",
            ],
            moves,
        )
    )


def run_activity(facts: RunFacts, docs: dict[str, Path]) -> str:
    loads = table(
        "loads",
        ["Sumber", "Entitas", "Batch", "Gagal", "Dibaca", "Dimuat", "Dikarantina"],
        (
            [
                txt(r["source"]),
                txt(r["entity"]),
                num(r["batches"]),
                num(r["failed_batches"], cls="bad" if r["failed_batches"] else ""),
                num(r["rows_read"]),
                num(r["rows_loaded"]),
                num(r["rows_quarantined"]),
            ]
            for r in facts.loads
        ),
    )
    quarantine = table(
        "quarantine",
        ["Sumber", "Entitas", "Alasan", "Dideteksi oleh", "Baris"],
        (
            [
                txt(r["source"]),
                txt(r["entity"]),
                txt(r["reason"]),
                txt(r["detected_by"]),
                num(r["rows"]),
            ]
            for r in facts.quarantine
        ),
    )

    def suite_cell(suite: str) -> Cell:
        page = docs.get(suite)
        if page is None:
            return txt(suite)
        return Cell(f'<a href="{escape(page.resolve().as_uri())}">{escape(suite)}</a>')

    checks = table(
        "checks",
        ["Suite (Data Docs)", "Pemeriksaan", "Lulus", "Peringatan", "Gagal"],
        (
            [
                suite_cell(str(r["suite"])),
                num(r["checks"]),
                num(r["passed"]),
                num(r["warned"]),
                num(r["failed"], cls="bad" if r["failed"] else ""),
            ]
            for r in facts.checks
        ),
    )
    failed = table(
        "failed_checks",
        ["Suite", "Pemeriksaan", "Kolom", "Pemblokir", "Baris tidak sesuai"],
        (
            [
                txt(r["suite"]),
                txt(r["expectation"]),
                txt(r["column_name"]),
                txt("ya" if r["is_blocking"] else "tidak", "bad" if r["is_blocking"] else ""),
                num(r["unexpected_count"]),
            ]
            for r in facts.failed_checks
        ),
    )
    freshness = table(
        "freshness",
        ["Sumber", "Entitas", "Muat terakhir berhasil", "Umur (jam)", "Batas (jam)", "Status"],
        (
            [
                txt(r["source"]),
                txt(r["entity"]),
                Cell(escape(fmt.waktu(r["last_success_at"]))),
                num(r["age_hours"], lambda v: fmt.angka(v, 1)),
                num(r["threshold_hours"]),
                txt("basi" if r["is_stale"] else "segar", "bad" if r["is_stale"] else "ok"),
            ]
            for r in facts.freshness
        ),
    )
    trigger = facts.trigger
    if trigger:
        t = trigger.get("trigger") or {}
        started = (
            f"{escape(str(t.get('kind')))}"
            + (f" {escape(str(t['asset']))}" if t.get("asset") else "")
            + f" untuk {escape(trigger['source'])}.{escape(trigger['entity'])}"
            f" pada {escape(fmt.waktu(trigger.get('at')))}; publikasi selesai"
            f" {escape(fmt.durasi(facts.seconds_to_publish))} kemudian."
        )
    else:
        started = "tidak tercatat (tidak ada batch baru sejak publikasi sebelumnya)."
    return (
        heading("proses", "Yang dikerjakan proses ini") + f"<p><b>Dipicu oleh:</b> {started}</p>"
        "<h3>Baris dimuat per sumber</h3>"
        + loads
        + "<h3>Baris dikarantina per sumber dan alasan</h3>"
        + quarantine
        + "<h3>Pemeriksaan mutu data</h3>"
        + checks
        + ("<h3>Pemeriksaan yang tidak lulus</h3>" + failed if facts.failed_checks else "")
        + "<h3>Kesegaran sumber</h3>"
        + freshness
    )
