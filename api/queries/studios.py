"""The register: the studios a caller may see, filtered, a page at a time."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg
from msgspec import Struct

from casework.domain.permissions import Actor
from projections.register import COLUMNS, search_grams, training_shortfall_sql

# What a studio's view is made of: not the domain state, nor the name's search grams.
VIEW_COLUMNS = tuple(c for c in COLUMNS if c not in ("state", "name_grams"))
_SELECT = f"SELECT {', '.join(VIEW_COLUMNS)} FROM register_studios"  # noqa: S608
SELECT_ONE = f"{_SELECT} WHERE id = $1"


class RegisterFilter(Struct, frozen=True):
    """The filters of GET /studios (and of the console's register page)."""

    county: str | None = None
    level: str | None = None
    status: str | None = None
    occupation: str | None = None
    grade: str | None = None
    q: str | None = None  # part of the studio's name
    training_shortfall: bool | None = None
    has_honour: bool | None = None


def in_scope(actor: Actor, county: str) -> bool:
    """A county role sees its own county only."""
    return actor.role not in ("applicant", "county_reviewer") or actor.county == county


def register_sql(
    actor: Actor, wanted: RegisterFilter, today: dt.date, duty: int, after: list[Any] | None = None
) -> tuple[str, list[Any]]:
    """The register's query (ordered by case number) and its parameters."""
    where: list[str] = []
    params: list[Any] = []

    def add(clause: str, value: Any) -> None:
        params.append(value)
        where.append(clause.replace("?", f"${len(params)}"))

    if actor.role in ("applicant", "county_reviewer"):
        add("county = ?", actor.county)
    for column, value in (
        ("county", wanted.county),
        ("level", wanted.level),
        ("status", wanted.status),
        ("occupation", wanted.occupation),
        ("last_grade", wanted.grade),
    ):
        if value is not None:
            add(f"{column} = ?", value)
    if wanted.q:
        add("name_grams @> ?", search_grams(wanted.q))
        add("name LIKE ?", f"%{wanted.q.replace('%', '').replace('_', '')}%")
    if wanted.training_shortfall is not None:
        params.extend((today, duty))
        shortfall = training_shortfall_sql(f"${len(params) - 1}", f"${len(params)}")
        where.append(shortfall if wanted.training_shortfall else f"NOT {shortfall}")
    if wanted.has_honour is not None:
        where.append(("" if wanted.has_honour else "NOT ") + "jsonb_array_length(honours) > 0")
    if after is not None:
        params.extend(after)
        where.append(f"(case_no, id) > (${len(params) - 1}, ${len(params)}::uuid)")
    return _SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY case_no, id", params


async def register_page(
    db: asyncpg.Pool[Any],
    actor: Actor,
    wanted: RegisterFilter,
    today: dt.date,
    duty: int,
    size: int,
    after: list[Any] | None = None,
) -> tuple[list[Any], list[Any] | None]:
    """One page of the register, and the (case number, id) after which the next one starts."""
    sql, params = register_sql(actor, wanted, today, duty, after)
    rows = await db.fetch(f"{sql} LIMIT {size + 1}", *params)
    following = [rows[size - 1]["case_no"], rows[size - 1]["id"]] if len(rows) > size else None
    return list(rows[:size]), following


async def register_all(
    db: asyncpg.Pool[Any], actor: Actor, wanted: RegisterFilter, today: dt.date, duty: int
) -> list[Any]:
    """Every row of the filtered register (a download)."""
    sql, params = register_sql(actor, wanted, today, duty)
    return list(await db.fetch(sql, *params))


async def one_studio(db: asyncpg.Pool[Any], actor: Actor, studio_id: uuid.UUID) -> Any | None:
    """A studio's register row, or None when there is none or it is outside the caller's county."""
    found = await db.fetchrow(SELECT_ONE, studio_id)
    if found is None or not in_scope(actor, found["county"]):
        return None
    return found
