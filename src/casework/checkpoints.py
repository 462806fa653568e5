"""Reading the stored log and its checkpoints, signing new checkpoints, verifying the store."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import psycopg
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from casework.application import Casework
from casework.integrity import (
    GENESIS,
    Bundle,
    BundleEvent,
    Checkpoint,
    Signer,
    StoredEvent,
    Verdict,
    chain,
    link,
    verify_store,
)
from casework.store import CHECKPOINTS_TABLE

# The chain projection's table, read by name when present: it names the first altered event.
CHAIN_VIEW = "chain_links"


def stored_events(conn: psycopg.Connection[Any], app: Casework, upto: int | None = None) -> list[StoredEvent]:
    query = SQL(
        "SELECT notification_id, originator_id, originator_version, topic, state FROM {events}"  # noqa: S608
        + (" WHERE notification_id <= %s" if upto is not None else "")
        + " ORDER BY notification_id"
    ).format(events=Identifier(app.store.events_table_name))
    with conn.cursor(row_factory=tuple_row) as curs:
        rows = curs.execute(query, (upto,) if upto is not None else ()).fetchall()
    return [StoredEvent(r[0], r[1], r[2], r[3], bytes(r[4])) for r in rows]


def checkpoints(conn: psycopg.Connection[Any]) -> list[Checkpoint]:
    with conn.cursor(row_factory=tuple_row) as curs:
        rows = curs.execute(
            SQL(
                "SELECT position, count, head, signed_at, signature, public_key FROM {t} ORDER BY position"
            ).format(t=Identifier(CHECKPOINTS_TABLE))
        ).fetchall()
    return [
        Checkpoint(position=r[0], count=r[1], head=r[2], signed_at=r[3], signature=r[4], public_key=r[5])
        for r in rows
    ]


def record_checkpoint(conn: psycopg.Connection[Any] | psycopg.Cursor[Any], checkpoint: Checkpoint) -> None:
    """Keep a signed checkpoint (on a connection, or a cursor inside a projection's batch)."""
    conn.execute(
        SQL(
            "INSERT INTO {t} (position, count, head, signed_at, signature, public_key) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (position) DO NOTHING"
        ).format(t=Identifier(CHECKPOINTS_TABLE)),
        (
            checkpoint.position,
            checkpoint.count,
            checkpoint.head,
            checkpoint.signed_at,
            checkpoint.signature,
            checkpoint.public_key,
        ),
    )


def checkpoint_now(app: Casework, database_url: str, signer: Signer, now: dt.datetime) -> Checkpoint | None:
    """Sign the head of the whole log as it stands (None for an empty log)."""
    with psycopg.connect(database_url) as conn:
        events = stored_events(conn, app)
        if not events:
            return None
        checkpoint = signer.sign(events[-1].position, len(events), chain(e.leaf for e in events), now)
        record_checkpoint(conn, checkpoint)
        return checkpoint


def recorded_leaves(conn: psycopg.Connection[Any]) -> dict[int, tuple[Any, bytes]]:
    exists = conn.execute("SELECT to_regclass(%s)", (CHAIN_VIEW,)).fetchone()
    if not exists or exists[0] is None:
        return {}
    with conn.cursor(row_factory=tuple_row) as curs:
        rows = curs.execute(
            SQL("SELECT position, studio_id, leaf FROM {v}").format(v=Identifier(CHAIN_VIEW))
        ).fetchall()
    return {r[0]: (r[1], bytes(r[2])) for r in rows}


def verify(app: Casework, database_url: str, trusted_key: str) -> Verdict:
    """Recompute the chains from the event table and check them against every checkpoint."""
    with psycopg.connect(database_url) as conn:
        return verify_store(stored_events(conn, app), checkpoints(conn), recorded_leaves(conn), trusted_key)


def covering_checkpoint(conn: psycopg.Connection[Any], position: int) -> Checkpoint | None:
    """The latest checkpoint, if it covers ``position``."""
    found = checkpoints(conn)
    if found and found[-1].position >= position:
        return found[-1]
    return None


def make_bundle(
    app: Casework, database_url: str, studio_id: Any, signer: Signer, now: dt.datetime
) -> Bundle | None:
    """A studio's history with the checkpoint that covers it (signed now if none does yet)."""
    with psycopg.connect(database_url) as conn:
        events = stored_events(conn, app)
        own = [e for e in events if e.studio_id == studio_id]
        if not own:
            return None
        checkpoint = covering_checkpoint(conn, own[-1].position)
        if checkpoint is None:
            checkpoint = signer.sign(events[-1].position, len(events), chain(e.leaf for e in events), now)
            record_checkpoint(conn, checkpoint)
    covered = [e for e in events if e.position <= checkpoint.position]
    studio_head = GENESIS
    items = []
    for event in sorted(own, key=lambda e: e.version):
        studio_head = link(studio_head, event.leaf)
        items.append(
            BundleEvent(
                position=event.position,
                version=event.version,
                topic=event.topic,
                state=base64.b64encode(event.state).decode(),
                leaf=event.leaf.hex(),
                studio_hash=studio_head.hex(),
            )
        )
    return Bundle(
        studio_id=studio_id,
        events=items,
        checkpoint=checkpoint,
        log_positions=[e.position for e in covered],
        log_leaves=[e.leaf.hex() for e in covered],
    )
