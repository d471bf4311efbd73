"""Numbers, money and times as Indonesian readers write them.

Thousands separated by dots and decimals by a comma (1.234.567,5), rupiah
in `Rp` with juta/miliar/triliun for large sums, times in WIB (UTC+7, no
daylight saving).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

WIB = timezone(timedelta(hours=7), "WIB")
NO_DATA = "–"

_MONTHS = "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"
_RUPIAH_SCALES = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"))

Number = int | float | Decimal


def angka(value: Number | None, decimals: int = 0) -> str:
    """1234567.5 -> '1.234.568'; with decimals=1 -> '1.234.567,5'."""
    if value is None:
        return NO_DATA
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def persen(share: Number | None, decimals: int = 1) -> str:
    """A share in [0, 1] as '12,3 %'."""
    return NO_DATA if share is None else f"{angka(float(share) * 100, decimals)} %"


def poin(delta: Number | None, decimals: int = 1) -> str:
    """A change of a share in percentage points, signed: '+2,5 poin'."""
    if delta is None:
        return NO_DATA
    value = float(delta) * 100
    return f"{'+' if value >= 0 else '−'}{angka(abs(value), decimals)} poin"


def rupiah(amount: Number | None) -> str:
    """Rp 1,2 miliar for large sums, Rp 850.000 below a million."""
    if amount is None:
        return NO_DATA
    value = float(amount)
    for scale, word in _RUPIAH_SCALES:
        if abs(value) >= scale:
            return f"Rp {angka(value / scale, 1)} {word}"
    return f"Rp {angka(value)}"


def waktu(moment: datetime | None) -> str:
    """29 November 2026 08.15 WIB (Indonesian uses a dot between hours and minutes)."""
    if moment is None:
        return NO_DATA
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(WIB)
    return f"{local.day} {_MONTHS.split()[local.month - 1]} {local.year} {local:%H.%M} WIB"


def durasi(seconds: Number | None) -> str:
    """95 -> '1 menit 35 detik'."""
    if seconds is None:
        return NO_DATA
    total = round(float(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} jam"] if hours else []
    if minutes:
        parts.append(f"{minutes} menit")
    if secs or not parts:
        parts.append(f"{secs} detik")
    return " ".join(parts)
