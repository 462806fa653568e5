"""The audit trail: who did what to which studio, when, and why — across all studios."""

from __future__ import annotations

from collections.abc import Sequence

from psycopg import Cursor
from psycopg.rows import DictRow

from casework.timeline import summary
from projections.base import Item, Projection, table

COLUMNS = (
    "position", "studio_id", "version", "type", "actor", "role", "recorded_at",
    "effective_on", "correlation_id", "request_id", "summary",
)  # fmt: skip


class AuditTrail(Projection):
    name = "audit"
    tables = ("audit_trail",)

    def apply(self, curs: Cursor[DictRow], items: Sequence[Item], generation: int) -> None:
        # Pure appends: COPY is the fastest way in.
        with curs.copy(f"COPY {table('audit_trail', generation)} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for item in items:
                meta = item.meta
                copy.write_row(
                    (
                        item.position,
                        item.studio_id,
                        item.version,
                        item.type,
                        meta.actor,
                        meta.role,
                        meta.recorded_at,
                        meta.effective_on,
                        meta.correlation_id,
                        meta.request_id,
                        summary(item.event),
                    )
                )
