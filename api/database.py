"""The API's read side: an asyncpg pool over the projection tables, and read-your-writes."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg
import psycopg
from eventsourcing.persistence import OperationalError as StoreOperationalError

from projections.catalog import CATALOG, TRACKING

_POSITIONS = f"""
SELECT c.name, coalesce(t.notification_id, 0) AS position
FROM {CATALOG} c
LEFT JOIN {TRACKING} t ON t.application_name = c.name || ':g' || c.generation
"""  # noqa: S608


def is_database_down(error: BaseException) -> bool:
    """Whether an error means the database cannot be reached (503), not a bad request."""
    return isinstance(
        error,
        OSError
        | asyncpg.exceptions.CannotConnectNowError
        | asyncpg.exceptions.ConnectionDoesNotExistError
        | asyncpg.exceptions.TooManyConnectionsError
        | asyncpg.exceptions.InterfaceError
        | asyncpg.exceptions.AdminShutdownError
        | psycopg.OperationalError
        | StoreOperationalError
        | TimeoutError,
    ) or (error.__cause__ is not None and is_database_down(error.__cause__))


async def _init(conn: asyncpg.Connection[Any]) -> None:
    # jsonb arrives as text by default; decode it once here.
    import json  # noqa: PLC0415

    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def keep_session(conn: asyncpg.Connection[Any]) -> None:
    """The pool's reset: nothing. The API's connections hold no session state (no LISTEN,
    no advisory lock, no SET), so asyncpg's default reset query would be one more round
    trip to the server for every query and buy nothing (an open transaction is still
    rolled back by asyncpg itself)."""


async def create_pool(database_url: str, size: int = 8) -> asyncpg.Pool[Any]:
    return await asyncpg.create_pool(
        database_url, min_size=1, max_size=size, init=_init, reset=keep_session, timeout=5
    )


async def wait_for_position(pool: asyncpg.Pool[Any], position: int, timeout: float = 5.0) -> bool:
    """Wait until every projection has applied ``position``: a client then reads its own write."""
    deadline = time.monotonic() + timeout
    while True:
        rows = await pool.fetch(_POSITIONS)
        if rows and all(r["position"] >= position for r in rows):
            return True
        if time.monotonic() >= deadline:
            return False
        # The runners hear of new events by LISTEN/NOTIFY and apply them within milliseconds.
        await asyncio.sleep(0.002)
