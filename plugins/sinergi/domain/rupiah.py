"""Rupiah amounts as sources write them (docs/source-contracts.md): the file-drop reader's copy.

White space is ignored; `Rp`, `Rp.` or `IDR` may lead (before or after a
minus); then Indonesian grouping (`1.234.567`, `1.234.567,00`; `25.000` is
25000, as rupiah have no three-decimal amounts), English grouping
(`1,234,567`, `1,234,567.50`), or no grouping with at most two decimals after
a comma or a point (`1500,5`, `1500.50`). The result is rounded to whole sen
(half away from zero) and must fit numeric(18, 2), the warehouse's column.

The warehouse implements the same rule once, in SQL (`meta.parse_rupiah` in
warehouse/sql/007_domain_rules.sql, which dbt staging and the GX raw contracts
call); both must agree on every row of tests/data/rule_vectors/rupiah.csv.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from sinergi.domain.problems import ValueProblem

_WHITE_SPACE = re.compile(r"[\s\u00a0]", re.ASCII)
_CURRENCY = re.compile(r"^(-?)(?:rp\.?|idr)(-?)", re.ASCII | re.IGNORECASE)
_INDONESIAN = re.compile(r"-?[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?", re.ASCII)
_ENGLISH = re.compile(r"-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?", re.ASCII)
_UNGROUPED = re.compile(r"-?[0-9]+(?:[.,][0-9]{1,2})?", re.ASCII)
_SEN = Decimal("0.01")
_LIMIT = Decimal(10) ** 16  # numeric(18, 2): 16 digits before the point
_MAX_LENGTH = 40  # longer text is no amount (and stays far from numeric's limits)


def parse_amount(text: str) -> Decimal:
    """The amount in rupiah, to the sen; raises ValueProblem when it cannot be read."""
    value = _CURRENCY.sub(r"\1\2", _WHITE_SPACE.sub("", text), count=1)
    if len(value) > _MAX_LENGTH:
        raise ValueProblem(f"amount {text[:50]!r}... is {len(value)} characters long")
    if _INDONESIAN.fullmatch(value):
        number = value.replace(".", "").replace(",", ".")
    elif _ENGLISH.fullmatch(value):
        number = value.replace(",", "")
    elif _UNGROUPED.fullmatch(value):
        number = value.replace(",", ".")
    else:
        raise ValueProblem(f"amount {text!r} is not a rupiah amount")
    amount = Decimal(number)
    if abs(amount) < _LIMIT:  # quantize within the default precision
        amount = amount.quantize(_SEN, rounding=ROUND_HALF_UP)
    if abs(amount) >= _LIMIT:
        raise ValueProblem(f"amount {text!r} is too large for a rupiah amount")
    return amount
