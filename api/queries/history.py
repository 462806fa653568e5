"""A studio's history (履历) as the event store holds it, and the studio as it stood at a past point.

Both read the studio's stream once: its stored rows give the events, their positions in the
log and the studio's hash chain together, and a past state is the fold of the events chosen."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import msgspec

from casework.application import Casework, project
from casework.checkpoints import studio_events
from casework.domain.state import Studio
from casework.integrity import StudioChains
from casework.store import Envelope, decode_state


@dataclass(frozen=True)
class StoredHistory:
    """A studio's events in order, with each one's position in the log and the studio's chain
    hash after it (hex), by version."""

    envelopes: list[Envelope]
    positions: dict[int, int]
    hashes: dict[int, str]


def stored_history(app: Casework, studio_id: uuid.UUID) -> StoredHistory:
    """The studio's events as stored, in one read (empty when there is no such stream)."""
    with app.store.datastore.get_connection() as conn:
        stored = studio_events(conn, app, studio_id)
    envelopes, positions, hashes = [], {}, {}
    chains = StudioChains()
    for e in stored:
        meta, event = decode_state(e.state)
        envelopes.append(
            Envelope(originator_id=studio_id, originator_version=e.version, meta=meta, event=event)
        )
        positions[e.version] = e.position
        hashes[e.version] = chains.add(e.position, studio_id, e.version, e.topic, e.state)[1].hex()
    return StoredHistory(envelopes, positions, hashes)


def history_items(history: StoredHistory) -> list[dict[str, Any]]:
    """The entries of GET /studios/{id}/history."""
    return [
        {
            "position": history.positions.get(e.originator_version),
            "version": e.originator_version,
            "type": type(e.event).__name__,
            "recorded_at": e.meta.recorded_at,
            "effective_on": e.meta.effective_on,
            "actor": e.meta.actor,
            "role": e.meta.role,
            "correlation_id": e.meta.correlation_id,
            "request_id": e.meta.request_id,
            "data": msgspec.to_builtins(e.event),
            "hash": history.hashes.get(e.originator_version),
        }
        for e in history.envelopes
    ]


def state_then(
    history: StoredHistory, as_of: dt.datetime | None, version: int | None
) -> tuple[Studio, Envelope] | None:
    """The studio after the events recorded by ``as_of`` (or up to ``version``), and the last of
    them; None when there were none then."""
    chosen = [
        e
        for e in history.envelopes
        if (e.meta.recorded_at <= as_of if as_of else e.originator_version <= (version or 0))
    ]
    studio = project(None, chosen) if chosen else None
    return None if studio is None else (studio, chosen[-1])


def events_of(app: Casework, studio_id: uuid.UUID) -> list[Envelope]:
    """The studio's events as the application reads them (upcast, in order): a timeline's source."""
    return app.history(studio_id)
