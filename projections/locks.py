"""The projections' advisory locks: one live runner per projection across processes, one
rebuild of a projection at a time. Each is held by a session: its connection's death frees it."""

from __future__ import annotations

import zlib

from psycopg import Connection, Cursor
from psycopg.rows import DictRow, TupleRow

# The first key of every advisory lock casework takes ("CW" and a tag); the second is the
# projection's name, hashed.
LIVE = 0x43570001
REBUILD = 0x43570002


def key(name: str) -> int:
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def take(conn: Connection[TupleRow], namespace: int, name: str) -> bool:
    """Take the lock for this connection's session if no other session holds it."""
    row = conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (namespace, key(name))).fetchone()
    return bool(row and row[0])


def held(curs: Cursor[DictRow], namespace: int, name: str) -> bool:
    """Whether some session holds the lock."""
    curs.execute(
        "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' "
        "AND classid = %s AND objid = %s AND granted",
        (namespace, key(name)),
    )
    found = curs.fetchone()
    return bool(found and found["n"])
