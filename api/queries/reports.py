"""The reports and the ledger's balances: what is coming due, counts and totals, money per group."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from api.schemas import yuan
from casework.domain.permissions import Actor
from projections import reports
from projections.ledger import balances_sql

DUE_REPORTS = ("evaluations_due", "rectification_deadlines")


def money_rows(rows: list[Any]) -> list[dict[str, Any]]:
    """Rows with their amounts in fen (``*_fen``) written as yuan ('30000.00') under the plain name."""
    out = []
    for r in rows:
        item = dict(r)
        for key in [k for k in item if k.endswith("_fen")]:
            item[key.removesuffix("_fen")] = yuan(item.pop(key))
        out.append(item)
    return out


def due_queries(actor: Actor, today: dt.date, within_days: int) -> tuple[dict[str, str], list[Any]]:
    """The due reports' queries (overdue first, as reports.sql orders them) and their parameters;
    a county reviewer's are held to its own county."""
    params: list[Any] = [today, today + dt.timedelta(days=within_days)]
    sql = {}
    for name in DUE_REPORTS:
        # reports.sql is written for psycopg (the tests and the CLI); the API reads through asyncpg.
        sql[name] = reports.queries()[name].replace("%(today)s", "$1").replace("%(until)s", "$2")
        if actor.role == "county_reviewer":
            sql[name] = f"SELECT * FROM ({sql[name]}) AS due WHERE county = $3 ORDER BY due_on, case_no"  # noqa: S608
    if actor.role == "county_reviewer":
        params.append(actor.county)
    return sql, params


async def due(
    db: asyncpg.Pool[Any], actor: Actor, today: dt.date, within_days: int
) -> dict[str, list[dict[str, Any]]]:
    """Evaluations and rectification deadlines due within ``within_days``."""
    sql, params = due_queries(actor, today, within_days)
    async with db.acquire() as conn:
        return {name: [dict(r) for r in await conn.fetch(query, *params)] for name, query in sql.items()}


COUNTS_BY_COUNTY_AND_STATUS = reports.queries()["counts_by_county_and_status"]


async def summary(db: asyncpg.Pool[Any]) -> dict[str, list[dict[str, Any]]]:
    """Counts by county × status, and subsidy totals."""
    counts = [dict(r) for r in await db.fetch(COUNTS_BY_COUNTY_AND_STATUS)]
    totals = money_rows(await db.fetch(reports.queries()["subsidy_totals"]))
    return {"counts_by_county_and_status": counts, "subsidy_totals": totals}


async def balances(db: asyncpg.Pool[Any], group_by: str) -> list[dict[str, Any]]:
    """Committed, paid, reversed, released and outstanding per studio, host or county."""
    return money_rows(await db.fetch(balances_sql(group_by)))


async def ledger_of(db: asyncpg.Pool[Any], studio_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every ledger line of one studio, in the order of the log."""
    sql = "SELECT * FROM ledger_lines WHERE studio_id = $1 ORDER BY position, line"
    return money_rows(await db.fetch(sql, studio_id))
