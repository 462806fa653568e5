"""The stored log and its signed tree heads: signing, checking, and a studio's bundle.

The chain projection keeps each event's hash (``chain_links``) and every complete subtree of
the log's Merkle tree (``merkle_nodes``) as events arrive; the projection worker signs tree
heads. What the API serves from them reads the studio's events and O(log² n) stored nodes,
never the whole log; ``verify`` (the auditor holding the database) recomputes everything.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from casework.application import Casework
from casework.bundles import Bundle, BundleEvent, EarlierHead
from casework.integrity import Signer, StoredEvent, StudioChains, TreeHead, Verdict, verify_store
from casework.legacy_checkpoints import LegacyCheckpoint, legacy_problem
from casework.merkle import Frontier, Node, NodeSource, consistency_proof, inclusion_proof, leaf_hash, needed
from casework.merkle import subtree_root as tree_root
from casework.store import CHECKPOINTS_TABLE, HEAD_REQUESTS_TABLE, TREE_HEADS_TABLE

# The chain projection's views (projections.chain), read by name.
LINKS_VIEW = "chain_links"
NODES_VIEW = "merkle_nodes"
_HEAD_COLUMNS = "position, tree_size, root_hash, signed_at, signature, public_key"


class NotYetSigned(Exception):
    """No signed tree head covers the studio's last event yet (the worker signs it soon)."""

    def __init__(self, position: int) -> None:
        super().__init__(f"the event at position {position} is not yet under a signed tree head")
        self.position = position


def stored_events(conn: psycopg.Connection[Any], app: Casework) -> list[StoredEvent]:
    query = SQL(
        "SELECT notification_id, originator_id, originator_version, topic, state FROM {events} "
        "ORDER BY notification_id"
    ).format(events=Identifier(app.store.events_table_name))
    with conn.cursor(row_factory=tuple_row) as curs:
        rows = curs.execute(query).fetchall()
    return [StoredEvent(r[0], r[1], r[2], r[3], bytes(r[4])) for r in rows]


def _heads(conn: psycopg.Connection[Any], where: str = "", params: Sequence[Any] = ()) -> list[TreeHead]:
    with conn.cursor(row_factory=tuple_row) as curs:
        rows = curs.execute(
            SQL(f"SELECT {_HEAD_COLUMNS} FROM {{t}} {where} ORDER BY tree_size").format(  # noqa: S608
                t=Identifier(TREE_HEADS_TABLE)
            ),
            params,
        ).fetchall()
    return [TreeHead(*r) for r in rows]


def tree_heads(conn: psycopg.Connection[Any]) -> list[TreeHead]:
    return _heads(conn)


def record_tree_head(conn: psycopg.Connection[Any] | psycopg.Cursor[Any], head: TreeHead) -> None:
    """Keep a signed tree head (on a connection, or a cursor inside a projection's batch)."""
    conn.execute(
        SQL(
            f"INSERT INTO {{t}} ({_HEAD_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s) "  # noqa: S608
            "ON CONFLICT (tree_size) DO NOTHING"
        ).format(t=Identifier(TREE_HEADS_TABLE)),
        (head.position, head.tree_size, head.root_hash, head.signed_at, head.signature, head.public_key),
    )


def sign_now(app: Casework, database_url: str, signer: Signer, now: dt.datetime) -> TreeHead | None:
    """Sign the tree of the whole log as it stands, computed from the event table (None if empty)."""
    with psycopg.connect(database_url) as conn:
        events = stored_events(conn, app)
        if not events:
            return None
        tree = Frontier()
        for event in events:
            tree.append(leaf_hash(event.hash))
        head = signer.sign(events[-1].position, tree.size, tree.root(), now)
        record_tree_head(conn, head)
        return head


def request_head(conn: psycopg.Connection[Any], position: int) -> None:
    """Ask the projection worker to sign a head covering ``position`` (it holds the key)."""
    conn.execute(
        SQL("INSERT INTO {t} (position) VALUES (%s) ON CONFLICT DO NOTHING").format(
            t=Identifier(HEAD_REQUESTS_TABLE)
        ),
        (position,),
    )


def ask_to_sign(database_url: str, position: int) -> None:
    with psycopg.connect(database_url) as conn:
        request_head(conn, position)


def _view_exists(conn: psycopg.Connection[Any], name: str) -> bool:
    found = conn.execute("SELECT to_regclass(%s)", (name,)).fetchone()
    return found is not None and found[0] is not None


def recorded_hashes(conn: psycopg.Connection[Any]) -> dict[int, tuple[UUID, bytes]]:
    """Each chained event's hash as the chain projection recorded it on arrival."""
    if not _view_exists(conn, LINKS_VIEW):
        return {}
    with conn.cursor(row_factory=tuple_row) as curs:
        rows = curs.execute(
            SQL("SELECT position, studio_id, event_hash FROM {v}").format(v=Identifier(LINKS_VIEW))
        ).fetchall()
    return {r[0]: (r[1], bytes(r[2])) for r in rows}


def legacy_checkpoints(conn: psycopg.Connection[Any]) -> list[LegacyCheckpoint]:
    with conn.cursor(row_factory=tuple_row) as curs:
        rows = curs.execute(
            SQL(
                "SELECT position, count, head, signed_at, signature, public_key FROM {t} ORDER BY position"
            ).format(t=Identifier(CHECKPOINTS_TABLE))
        ).fetchall()
    return [LegacyCheckpoint(*r) for r in rows]


def verify(app: Casework, database_url: str, trusted_key: str) -> Verdict:
    """Recompute every hash and root from the event table and check every signed tree head,
    and the checkpoints of earlier releases."""
    with psycopg.connect(database_url) as conn:
        events = stored_events(conn, app)
        verdict = verify_store(events, tree_heads(conn), recorded_hashes(conn), trusted_key)
        legacy = legacy_checkpoints(conn)
    if not verdict.ok or not legacy:
        return verdict
    signed = verdict.checkpoints + len(legacy)
    problem = legacy_problem(events, legacy, trusted_key)
    if problem is not None:
        return Verdict(False, verdict.events, signed, *problem)
    return Verdict(True, verdict.events, signed)


def _stored_nodes(conn: psycopg.Connection[Any], keys: set[Node]) -> NodeSource:
    """The stored complete subtrees a computation needs, fetched in one query."""
    levels, indexes = [k[0] for k in keys], [k[1] for k in keys]
    with conn.cursor(row_factory=tuple_row) as curs:
        rows = curs.execute(
            SQL(
                "SELECT n.level, n.index, n.hash FROM {v} n "
                "JOIN unnest(%s::smallint[], %s::bigint[]) AS k(level, index) USING (level, index)"
            ).format(v=Identifier(NODES_VIEW)),
            (levels, indexes),
        ).fetchall()
    found = {(r[0], r[1]): bytes(r[2]) for r in rows}
    return found.__getitem__


def _computed(conn: psycopg.Connection[Any], compute: Callable[[NodeSource], Any]) -> Any:
    return compute(_stored_nodes(conn, needed(compute)))


def _chained_size(conn: psycopg.Connection[Any]) -> int:
    """How many leaves the stored tree has (the chain projection's progress)."""
    row = conn.execute(
        SQL("SELECT leaf_index FROM {v} ORDER BY position DESC LIMIT 1").format(v=Identifier(LINKS_VIEW))
    ).fetchone()
    return 0 if row is None else int(row[0]) + 1


def check_heads(database_url: str, trusted_key: str) -> Verdict:
    """The stored signed tree heads against the key and the stored tree (the API's check: it
    reads the heads and O(log n) nodes each, not the log; ``verify`` rereads the log)."""
    with psycopg.connect(database_url) as conn:
        size = _chained_size(conn)
        heads = tree_heads(conn)
        if not heads:
            return Verdict(False, size, 0, "no signed tree head vouches for this log")
        for head in heads:
            if not head.signature_valid(trusted_key):
                problem = f"the signature of the signed tree head at position {head.position} is not valid"
                return Verdict(False, size, len(heads), problem, head.position)
        # Heads the operator signed ahead of the projection are checked once it gets there.
        covered = [h for h in heads if h.tree_size <= size]
        roots = _computed(conn, lambda node: [tree_root(0, h.tree_size, node) for h in covered])
    for head, root in zip(covered, roots, strict=True):
        if root != head.root:
            problem = (
                f"the signed tree head of {head.tree_size} events (position {head.position}) is not the "
                "stored tree's: the log was forked or rewritten"
            )
            return Verdict(False, size, len(heads), problem, head.position)
    return Verdict(True, size, len(heads))


def studio_events(conn: psycopg.Connection[Any], app: Casework, studio_id: UUID) -> list[StoredEvent]:
    """One studio's events as stored, in version order."""
    query = SQL(
        "SELECT notification_id, originator_version, topic, state FROM {events} "
        "WHERE originator_id = %s ORDER BY originator_version"
    ).format(events=Identifier(app.store.events_table_name))
    with conn.cursor(row_factory=tuple_row) as curs:
        rows = curs.execute(query, (studio_id,)).fetchall()
    return [StoredEvent(r[0], studio_id, r[1], r[2], bytes(r[3])) for r in rows]


def make_bundle(app: Casework, database_url: str, studio_id: UUID, since: int | None = None) -> Bundle | None:
    """A studio's history under the latest signed tree head (None: no such studio).

    Raises NotYetSigned while its last event is under no head, and LookupError when
    ``since`` names no signed head. Reads the studio's events, its rows of the chain, the
    heads that first covered them, and the nodes of the proofs: never the rest of the log.
    """
    with psycopg.connect(database_url) as conn:
        # One snapshot: the heads, the chain and the nodes as of the same moment.
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        events = studio_events(conn, app, studio_id)
        if not events:
            return None
        leaves: dict[int, int] = dict(
            conn.execute(
                SQL("SELECT position, leaf_index FROM {v} WHERE studio_id = %s").format(
                    v=Identifier(LINKS_VIEW)
                ),
                (studio_id,),
            ).fetchall()
        )
        if events[-1].position not in leaves:
            raise NotYetSigned(events[-1].position)
        indexes = [leaves[e.position] for e in events]
        # The latest head of the stored tree (one the operator signed ahead of the chain
        # projection has no nodes yet).
        found = _heads(
            conn,
            "WHERE tree_size = (SELECT max(tree_size) FROM {t} WHERE tree_size <= %s)",
            (_chained_size(conn),),
        )
        if not found or found[0].tree_size <= indexes[-1]:
            raise NotYetSigned(events[-1].position)
        head = found[0]
        earlier = _earlier_heads(conn, indexes, head, since)
        proofs = _computed(
            conn,
            lambda node: (
                [inclusion_proof(i, head.tree_size, node) for i in indexes],
                [consistency_proof(e.tree_size, head.tree_size, node) for e in earlier],
            ),
        )
    return Bundle(
        studio_id=studio_id,
        events=_bundle_events(events, indexes, proofs[0]),
        tree_head=head,
        earlier=[
            EarlierHead(head=e, consistency=[p.hex() for p in path])
            for e, path in zip(earlier, proofs[1], strict=True)
        ],
    )


def _bundle_events(
    events: list[StoredEvent], indexes: list[int], paths: list[list[bytes]]
) -> list[BundleEvent]:
    chains, items = StudioChains(), []
    for event, index, path in zip(events, indexes, paths, strict=True):
        event_hash, studio_hash = chains.add(
            event.position, event.studio_id, event.version, event.topic, event.state
        )
        items.append(
            BundleEvent(
                position=event.position,
                version=event.version,
                topic=event.topic,
                state=base64.b64encode(event.state).decode(),
                event_hash=event_hash.hex(),
                studio_hash=studio_hash.hex(),
                leaf_index=index,
                inclusion=[p.hex() for p in path],
            )
        )
    return items


def _earlier_heads(
    conn: psycopg.Connection[Any], indexes: list[int], head: TreeHead, since: int | None
) -> list[TreeHead]:
    """The heads that first covered each of the studio's events, and the head of ``since`` leaves."""
    with conn.cursor(row_factory=tuple_row) as curs:
        rows = curs.execute(
            SQL(
                f"SELECT DISTINCT h.* FROM unnest(%s::bigint[]) AS i(leaf_index) "  # noqa: S608
                f"CROSS JOIN LATERAL (SELECT {_HEAD_COLUMNS} FROM {{t}} WHERE tree_size > i.leaf_index "
                "AND tree_size < %s ORDER BY tree_size LIMIT 1) AS h"
            ).format(t=Identifier(TREE_HEADS_TABLE)),
            (indexes, head.tree_size),
        ).fetchall()
    chosen = {r[1]: TreeHead(*r) for r in rows}
    if since is not None and since != head.tree_size:
        asked = _heads(conn, "WHERE tree_size = %s AND tree_size < %s", (since, head.tree_size))
        if not asked:
            msg = f"since: no signed tree head of {since} events before the latest ({head.tree_size})"
            raise LookupError(msg)
        chosen[since] = asked[0]
    return [chosen[size] for size in sorted(chosen)]
