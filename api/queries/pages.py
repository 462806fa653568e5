"""Keyset pages of a read-model table: its filters, its order, and the key a next page starts after."""

from __future__ import annotations

from typing import Any, NamedTuple

import asyncpg

from api.schemas import yuan


class Listing(NamedTuple):
    """A filtered, ordered read of one table (``key`` orders it and names a page's end)."""

    sql: str
    params: list[Any]
    key: tuple[str, ...]


def listing(
    table: str, filters: list[tuple[str, Any]], key: tuple[str, ...], after: list[Any] | None = None
) -> Listing:
    """The rows of ``table`` whose filters hold (a filter whose value is None is left out),
    in the order of ``key``, after the key ``after`` when a page before them was read."""
    where: list[str] = []
    params: list[Any] = []
    for clause, value in filters:
        if value is not None:
            params.append(value)
            where.append(clause.replace("?", f"${len(params)}"))
    if after is not None:
        start = len(params)
        params.extend(after)
        placeholders = ", ".join(f"${start + i + 1}" for i in range(len(key)))
        where.append(f"({', '.join(key)}) > ({placeholders})")
    sql = f"SELECT * FROM {table}" + (" WHERE " + " AND ".join(where) if where else "")  # noqa: S608
    return Listing(f"{sql} ORDER BY {', '.join(key)}", params, key)


def position(text: str) -> int:
    """A position in a cursor: a bigint, not just any integer."""
    value = int(text)
    if not 0 <= value < 2**63:
        raise ValueError(text)
    return value


def money_rows(rows: list[Any]) -> list[dict[str, Any]]:
    """Rows with their amounts in fen (``*_fen``) written as yuan ('30000.00') under the plain name."""
    out = []
    for r in rows:
        item = dict(r)
        for key in [k for k in item if k.endswith("_fen")]:
            item[key.removesuffix("_fen")] = yuan(item.pop(key))
        out.append(item)
    return out


async def page(
    db: asyncpg.Pool[Any], read: Listing, size: int
) -> tuple[list[dict[str, Any]], list[Any] | None]:
    """One page of a listing, and the key after which the next one starts (None at the end)."""
    rows = await db.fetch(f"{read.sql} LIMIT {size + 1}", *read.params)
    following = [rows[size - 1][k] for k in read.key] if len(rows) > size else None
    return money_rows(rows[:size]), following
