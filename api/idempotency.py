"""Idempotency-Key: the same key and body get the first answer again, whatever crashed when.

The table is the event store's (casework.store.IDEMPOTENCY_DDL). A request holding a key
holds a PostgreSQL advisory lock on it for as long as it answers: the lock dies with its
connection, so a process killed midway never leaves the key stuck. The command's events name
the key's row in their own transaction (its outcome: stream and versions), so a retry that
finds the key free knows, from the store alone, whether the command was recorded:

- recorded (an answer was given, or the process died after the commit): the answer is given
  again, rebuilt from the recorded events when it was not kept;
- not recorded (refused, or the process died before the commit): a refusal's answer is kept
  and given again; otherwise the retry runs the command afresh, now as the key's owner. The
  old owner's transaction, if it were somehow still running, fails on the owner check and
  records nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeAlias
from uuid import UUID

import asyncpg
from litestar import Request, Response

from api.errors import ProblemError
from casework.domain.permissions import Actor
from casework.store import IDEMPOTENCY_DDL, IDEMPOTENCY_TABLE, RequestKey

CREATE = IDEMPOTENCY_DDL
TABLE = IDEMPOTENCY_TABLE

if TYPE_CHECKING:
    # The stubs make the proxy generic; the class itself is not subscriptable at run time.
    Connection: TypeAlias = asyncpg.pool.PoolConnectionProxy[Any]
Answer = Callable[[RequestKey | None], Awaitable[Response[bytes]]]
# Rebuild the answer of a command recorded as (stream, first version, last version), on the
# business date it was answered on.
Replay = Callable[[UUID, int, int, dt.date], Awaitable[Response[bytes]]]
_KEPT_HEADERS = ("location", "etag", "content-type", "casework-position")
# How long a retry waits for a live first request with the same key before a 409.
WAIT_SECONDS = 10.0
# The first key of the advisory locks on Idempotency-Keys ("CW" and a tag; see projections).
_LOCKS = 0x43570003


def key_scope(actor: Actor) -> str:
    """Whose keys a key is among: the subject in its role and county. A token of the same
    subject in another county, or another role, never replays an answer it may not see."""
    return f"{actor.role}:{actor.county or '-'}:{actor.subject}"


async def answer_once(
    pool: asyncpg.Pool[Any],
    request: Request[Any, Any, Any],
    subject: str,
    today: dt.date,
    answer: Answer,
    replay: Replay | None = None,
    ttl_hours: float = 24.0,
) -> Response[bytes]:
    """Answer the request, or the answer already given (or recorded) for the same key and body
    within ``ttl_hours``; ``subject`` is the key's scope (``key_scope``)."""
    key = request.headers.get("idempotency-key")
    if not key:
        return await answer(None)
    if len(key) > 200:
        raise ProblemError(422, "validation_failed", "Idempotency-Key: at most 200 characters")
    body = await request.body()
    digest = hashlib.sha256(
        b"\n".join([request.method.encode(), request.url.path.encode(), body])
    ).hexdigest()
    lock = int.from_bytes(hashlib.sha256(f"{subject}\n{key}".encode()).digest()[:4], "big", signed=True)
    async with pool.acquire() as conn:
        if not await _take(conn, lock):
            raise ProblemError(
                409, "idempotency_key_in_flux", "a request with this key is still being answered"
            )
        try:
            return await _answer_holding(conn, subject, key, digest, today, answer, replay, ttl_hours)
        finally:
            await _release(conn, lock)


async def _answer_holding(
    conn: Connection,
    subject: str,
    key: str,
    digest: str,
    today: dt.date,
    answer: Answer,
    replay: Replay | None,
    ttl_hours: float,
) -> Response[bytes]:
    row = await conn.fetchrow(
        _LOOKUP,
        subject,
        key,
        ttl_hours * 3600,
    )
    if row is not None and row["expired"]:
        # A key is kept for its time only (CASEWORK_IDEMPOTENCY_TTL_HOURS): then it is new again.
        await conn.execute(f"DELETE FROM {TABLE} WHERE subject = $1 AND key = $2", subject, key)  # noqa: S608
        row = None
    if row is not None:
        if row["request_hash"] != digest:
            raise ProblemError(
                422, "idempotency_key_reused", "this Idempotency-Key was used with another request body"
            )
        if row["status"] is not None:
            return _replayed(row["status"], dict(row["headers"] or {}), bytes(row["body"]))
        if row["stream"] is not None and replay is not None:
            # Recorded, but the process that recorded it died before it answered.
            response = await replay(
                row["stream"], row["first_version"], row["last_version"], row["business_date"]
            )
            await _keep(conn, subject, key, response)
            return _replayed(response.status_code or 200, _headers(response), bytes(response.content))
    owner = uuid.uuid4()
    await conn.execute(
        f"INSERT INTO {TABLE} (subject, key, request_hash, owner) VALUES ($1, $2, $3, $4) "  # noqa: S608
        "ON CONFLICT (subject, key) DO UPDATE SET owner = EXCLUDED.owner, created_at = now()",
        subject,
        key,
        digest,
        owner,
    )
    response = await answer(RequestKey(subject=subject, key=key, owner=owner, business_date=today))
    await _keep(conn, subject, key, response)
    return response


_LOOKUP = (
    "SELECT request_hash, status, headers, body, stream, first_version, last_version, business_date, "  # noqa: S608
    f"created_at < now() - make_interval(secs => $3) AS expired FROM {TABLE} WHERE subject = $1 AND key = $2"
)


async def _take(conn: Connection, lock: int) -> bool:
    deadline = time.monotonic() + WAIT_SECONDS
    while not await conn.fetchval("SELECT pg_try_advisory_lock($1, $2)", _LOCKS, lock):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def _release(conn: Connection, lock: int) -> None:
    try:
        await conn.execute("SELECT pg_advisory_unlock($1, $2)", _LOCKS, lock)
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
        # A pooled connection must never keep the lock: close it, and the server lets go.
        conn.terminate()


async def _keep(conn: Connection, subject: str, key: str, response: Response[bytes]) -> None:
    """Keep an answer to give again; never a 5xx, which says nothing about the command."""
    if (response.status_code or 200) >= 500:
        return
    await conn.execute(
        f"UPDATE {TABLE} SET status = $3, headers = $4, body = $5 WHERE subject = $1 AND key = $2",  # noqa: S608
        subject,
        key,
        response.status_code,
        _headers(response),
        bytes(response.content),
    )


def _headers(response: Response[bytes]) -> dict[str, str]:
    headers = {k.lower(): v for k, v in response.headers.items() if k.lower() in _KEPT_HEADERS}
    if response.media_type:
        headers["content-type"] = str(response.media_type)
    return headers


def _replayed(status: int, headers: dict[str, str], body: bytes) -> Response[bytes]:
    media_type = headers.pop("content-type", "application/json")
    headers["Idempotent-Replayed"] = "true"
    return Response(content=body, status_code=status, headers=headers, media_type=media_type)
