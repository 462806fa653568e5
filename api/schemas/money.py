"""Money on the wire: yuan as a decimal string with two places, fen inside."""

from __future__ import annotations

import re
from decimal import Decimal

from casework.domain import values
from casework.domain.errors import InvalidRequest

_MONEY = re.compile(r"^(0|[1-9]\d{0,11})(\.\d{1,2})?$")


def fen(amount: str, field: str = "amount") -> int:
    """'30000.00' → 3000000; anything but a plain decimal with at most two places is refused."""
    if not _MONEY.match(amount.strip()):
        raise InvalidRequest.field(
            "validation_failed", field, "a decimal string with two places, e.g. 30000.00"
        )
    return int(Decimal(amount.strip()) * 100)


def yuan(amount_fen: int | Decimal | None) -> str | None:
    """3000000 fen → '30000.00' (sums come back from PostgreSQL as numeric)."""
    return None if amount_fen is None else values.yuan(int(amount_fen))
