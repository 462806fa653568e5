"""The treasury reconciliation reports (市财政局): the stored ones, newest first."""

from __future__ import annotations

import uuid
from typing import Any

import anyio.to_thread
import asyncpg
import psycopg

from api.errors import ProblemError
from projections import reconciliation

EARLIER = 100  # reports listed on the page (each stays readable by its id)


async def earlier_reports(db: asyncpg.Pool[Any]) -> list[dict[str, Any]]:
    """The latest reports, without their items (none before the first statement is reconciled)."""
    if await db.fetchval("SELECT to_regclass('casework_reconciliations')") is None:
        return []
    rows = await db.fetch(
        "SELECT id, created_at, created_by, filename, as_of, summary FROM casework_reconciliations "
        "ORDER BY created_at DESC, id LIMIT $1",
        EARLIER,
    )
    return [dict(r) for r in rows]


async def one_report(database_url: str, report_id: str) -> dict[str, Any]:
    """A stored report by its id; 404 when there is none (an id that is no UUID included)."""
    try:
        wanted = uuid.UUID(report_id)
    except ValueError:
        raise ProblemError(404, "not_found", "no such reconciliation report") from None

    def load() -> dict[str, Any] | None:
        with psycopg.connect(database_url) as conn:
            return reconciliation.load_reconciliation(conn, wanted)

    found = await anyio.to_thread.run_sync(load)
    if found is None:
        raise ProblemError(404, "not_found", "no such reconciliation report")
    return found
