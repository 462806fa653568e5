"""The audit trail: who did what to which studio, when, and why — across all studios."""

from __future__ import annotations

from collections.abc import Sequence

from psycopg import Cursor
from psycopg.rows import DictRow

from casework.timeline import summary
from projections.base import Builder, Item, Projection, Sink, copy_lines, table
from projections.copytext import text

COLUMNS = (
    "position", "studio_id", "version", "type", "actor", "role", "recorded_at",
    "effective_on", "correlation_id", "request_id", "summary",
)  # fmt: skip


class AuditTrail(Projection):
    name = "audit"
    tables = ("audit_trail",)

    def apply(self, curs: Cursor[DictRow], items: Sequence[Item], generation: int) -> None:
        # Pure appends: COPY is the fastest way in.
        copy_lines(curs, table("audit_trail", generation), COLUMNS, [audit_line(item) for item in items])

    def builder(self, generation: int) -> Builder:
        return AuditBuilder(table("audit_trail", generation))


class AuditBuilder(Builder):
    def __init__(self, name: str) -> None:
        self.name = name

    def feed(self, items: Sequence[Item], sink: Sink) -> None:
        sink.rows(self.name, COLUMNS, [audit_line(item) for item in items])


def audit_line(item: Item) -> str:
    """The audit row of an event in COPY text format (COLUMNS order)."""
    meta = item.meta
    return (
        f"{item.position}\t{item.sid}\t{item.version}\t{type(item.event).__name__}\t"
        f"{text(meta.actor)}\t{text(meta.role)}\t{meta.recorded_at.isoformat()}\t"
        f"{meta.effective_on.isoformat()}\t{text(meta.correlation_id)}\t{text(meta.request_id)}\t"
        f"{text(summary(item.event))}\n"
    )
