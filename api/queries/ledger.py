"""The subsidy ledger (补助台账): its lines in double entry, and balances per studio, host or county."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg
from msgspec import Struct

from api.queries.pages import Listing, listing, money_rows
from projections import rows
from projections.ledger import GROUPS, LedgerRow, balances_sql

TABLE = "ledger_lines"
KEY = ("position", "line")
# An export's header is what the JSON answer names: the row's columns, money in yuan.
COLUMNS = rows.shown(LedgerRow)
MONEY = rows.in_yuan(LedgerRow)
SUMS = ("committed", "paid", "reversed", "released", "outstanding")

__all__ = ["COLUMNS", "GROUPS", "KEY", "MONEY", "SUMS", "LedgerFilter", "balances", "balances_sql"]


class LedgerFilter(Struct, frozen=True):
    """The filters of GET /ledger/entries."""

    studio_id: uuid.UUID | None = None
    county: str | None = None
    kind: str | None = None
    since: dt.date | None = None  # effective on or after
    until: dt.date | None = None  # effective on or before


def entries_listing(wanted: LedgerFilter, after: list[Any] | None = None) -> Listing:
    """The lines the filter keeps, in the order of the log."""
    return listing(
        TABLE,
        [
            ("studio_id = ?", wanted.studio_id),
            ("county = ?", wanted.county),
            ("kind = ?", wanted.kind),
            ("effective_on >= ?", wanted.since),
            ("effective_on <= ?", wanted.until),
        ],
        KEY,
        after,
    )


def balance_columns(group_by: str) -> tuple[str, ...]:
    """The columns of the balances grouped by ``group_by`` (one of GROUPS)."""
    return (*GROUPS[group_by], *SUMS)


async def balances(db: asyncpg.Pool[Any], group_by: str) -> list[dict[str, Any]]:
    """Committed, paid, reversed, released and outstanding per studio, host or county."""
    return money_rows(await db.fetch(balances_sql(group_by)))


async def ledger_of(db: asyncpg.Pool[Any], studio_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every ledger line of one studio, in the order of the log."""
    read = entries_listing(LedgerFilter(studio_id=studio_id))
    return money_rows(await db.fetch(read.sql, *read.params))
