"""Numbers, money and times as Indonesian readers expect them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sinergi.report import formatting as fmt


def test_thousands_take_dots_and_decimals_a_comma() -> None:
    assert fmt.angka(1234567) == "1.234.567"
    assert fmt.angka(Decimal("1234.25"), 2) == "1.234,25"
    assert fmt.angka(None) == fmt.NO_DATA


def test_shares_and_their_changes() -> None:
    assert fmt.persen(0.1234) == "12,3 %"
    assert fmt.persen(Decimal("1")) == "100,0 %"
    assert fmt.poin(-0.025) == "−2,5 poin"
    assert fmt.poin(0.1) == "+10,0 poin"


def test_rupiah_in_juta_miliar_triliun() -> None:
    assert fmt.rupiah(850_000) == "Rp 850.000"
    assert fmt.rupiah(12_500_000) == "Rp 12,5 juta"
    assert fmt.rupiah(Decimal("42100000000")) == "Rp 42,1 miliar"
    assert fmt.rupiah(3.2e12) == "Rp 3,2 triliun"


def test_times_are_shown_in_wib() -> None:
    assert fmt.waktu(datetime(2026, 11, 29, 18, 5, tzinfo=UTC)) == "30 November 2026 01.05 WIB"
    assert fmt.durasi(95) == "1 menit 35 detik"
    assert fmt.durasi(3600) == "1 jam"
    assert fmt.durasi(0) == "0 detik"
