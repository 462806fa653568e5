"""Reports: what is coming due, and the counts and totals an administrator asks for.

They are named queries over the register and the ledger (reports.sql); the API's query module
(api/queries/reports.py) is the one place that runs them."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources


@cache
def queries() -> dict[str, str]:
    """The named queries of reports.sql."""
    text = resources.files("projections").joinpath("reports.sql").read_text()
    parts = re.split(r"^-- name: (\w+)\n", text, flags=re.MULTILINE)
    return {name: body.strip().rstrip(";") for name, body in zip(parts[1::2], parts[2::2], strict=True)}
