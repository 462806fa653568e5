"""The audit trail: who did what to which studio, when, and why — across all studios."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from uuid import UUID

import msgspec
from psycopg import Cursor
from psycopg.rows import DictRow

from casework.timeline import summary
from projections import rows
from projections.base import Builder, Item, Projection, Sink, copy_lines, table


class AuditRow(msgspec.Struct):
    """A row of audit_trail: one recorded event, across all studios."""

    position: int
    studio_id: UUID
    version: int
    type: str  # the event's name, e.g. Submitted
    actor: str
    role: str
    recorded_at: dt.datetime
    effective_on: dt.date
    correlation_id: str
    request_id: str
    summary: str


COLUMNS = rows.columns(AuditRow)


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


def audit_row(item: Item) -> AuditRow:
    """The audit row of an event."""
    meta = item.meta
    return AuditRow(
        item.position, item.studio_id, item.version, type(item.event).__name__, meta.actor, meta.role,
        meta.recorded_at, meta.effective_on, meta.correlation_id, meta.request_id, summary(item.event),
    )  # fmt: skip


def audit_line(item: Item) -> str:
    """The audit row of an event in COPY text format."""
    return rows.line(audit_row(item))
