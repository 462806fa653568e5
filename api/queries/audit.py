"""The audit trail (审计): who did what to which studio, and when, across studios."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from msgspec import Struct

from api.queries.pages import Listing, listing
from projections import rows
from projections.audit import AuditRow

TABLE = "audit_trail"
KEY = ("position",)
# An export's header is what the JSON answer names: the row's columns.
COLUMNS = rows.shown(AuditRow)


class AuditFilter(Struct, frozen=True):
    """The filters of GET /audit."""

    studio_id: uuid.UUID | None = None
    actor: str | None = None
    role: str | None = None
    type: str | None = None
    since: dt.datetime | None = None  # recorded at or after
    until: dt.datetime | None = None  # recorded before


def audit_listing(wanted: AuditFilter, after: list[Any] | None = None) -> Listing:
    """The entries the filter keeps, in the order of the log."""
    return listing(
        TABLE,
        [
            ("studio_id = ?", wanted.studio_id),
            ("actor = ?", wanted.actor),
            ("role = ?", wanted.role),
            ("type = ?", wanted.type),
            ("recorded_at >= ?", wanted.since),
            ("recorded_at < ?", wanted.until),
        ],
        KEY,
        after,
    )
