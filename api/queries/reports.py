"""The reports (报表): what is coming due, and the counts and totals an administrator asks for."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from api.queries.pages import money_rows
from casework.domain import rules
from casework.domain.permissions import Actor
from projections import reports

DUE_REPORTS = ("evaluations_due", "rectification_deadlines")
DUE_COLUMNS = ("report", "case_no", "name", "county", "status", "due_on", "overdue", "id")
COUNTS_BY_COUNTY_AND_STATUS = reports.queries()["counts_by_county_and_status"]
COUNTS_COLUMNS = ("county", "status", "studios")


def due_queries(actor: Actor, today: dt.date, within_days: int) -> tuple[dict[str, str], list[Any]]:
    """The due reports' queries (overdue first, as reports.sql orders them) and their parameters;
    a county role's are held to its own county."""
    params: list[Any] = [today, today + dt.timedelta(days=within_days)]
    sql = {name: reports.queries()[name] for name in DUE_REPORTS}
    if actor.role in rules.COUNTY_SCOPED_ROLES:
        params.append(actor.county)
        for name, query in sql.items():
            sql[name] = f"SELECT * FROM ({query}) AS due WHERE county = $3 ORDER BY due_on, case_no"  # noqa: S608
    return sql, params


async def due(
    db: asyncpg.Pool[Any], actor: Actor, today: dt.date, within_days: int
) -> dict[str, list[dict[str, Any]]]:
    """Evaluations and rectification deadlines due within ``within_days``, and those overdue."""
    sql, params = due_queries(actor, today, within_days)
    async with db.acquire() as conn:
        return {name: [dict(r) for r in await conn.fetch(query, *params)] for name, query in sql.items()}


async def summary(db: asyncpg.Pool[Any]) -> dict[str, list[dict[str, Any]]]:
    """Counts by county × status, and subsidy totals (in yuan) by kind."""
    counts = [dict(r) for r in await db.fetch(COUNTS_BY_COUNTY_AND_STATUS)]
    totals = money_rows(await db.fetch(reports.queries()["subsidy_totals"]))
    return {"counts_by_county_and_status": counts, "subsidy_totals": totals}
