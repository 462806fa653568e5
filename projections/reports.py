"""Reports: what is coming due, and the counts and totals an administrator asks for."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from importlib import resources
from typing import Any

from psycopg import Cursor
from psycopg.rows import DictRow


@cache
def queries() -> dict[str, str]:
    """The named queries of reports.sql."""
    text = resources.files("projections").joinpath("reports.sql").read_text()
    parts = re.split(r"^-- name: (\w+)\n", text, flags=re.MULTILINE)
    return {name: body.strip().rstrip(";") for name, body in zip(parts[1::2], parts[2::2], strict=True)}


def due(curs: Cursor[DictRow], today: dt.date, within_days: int) -> dict[str, list[dict[str, Any]]]:
    """Evaluations and rectification deadlines due by ``today + within_days`` (overdue included)."""
    params = {"today": today, "until": today + dt.timedelta(days=within_days)}
    result: dict[str, list[dict[str, Any]]] = {}
    for name in ("evaluations_due", "rectification_deadlines"):
        curs.execute(queries()[name], params)
        result[name] = curs.fetchall()
    return result


def summary(curs: Cursor[DictRow]) -> dict[str, list[dict[str, Any]]]:
    """Counts by county × status, and subsidy totals by kind."""
    result: dict[str, list[dict[str, Any]]] = {}
    for name in ("counts_by_county_and_status", "subsidy_totals"):
        curs.execute(queries()[name])
        result[name] = curs.fetchall()
    return result
