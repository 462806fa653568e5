"""The treasury reconciliation reports (市财政局): the stored ones, newest first."""

from __future__ import annotations

from typing import Any

import asyncpg

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
