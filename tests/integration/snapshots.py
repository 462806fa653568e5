"""Whole-table snapshots of the read models, to compare a live projection with a rebuilt one."""

from __future__ import annotations

from typing import Any

import psycopg

ORDER = {
    "register_studios": "id",
    "audit_trail": "position",
    "ledger_lines": "position, line",
    "ledger_studios": "studio_id",
    "chain_links": "position",
    "merkle_nodes": "level, index",
}


def snapshot(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(database_url) as conn:
        return {
            view: conn.execute(f"SELECT * FROM {view} ORDER BY {order}").fetchall()  # noqa: S608
            for view, order in ORDER.items()
        }
