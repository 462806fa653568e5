"""Idempotency-Key: the same key and body get the first answer again; kept in PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from litestar import Request, Response

from api.errors import ProblemError

TABLE = "casework_idempotency"
CREATE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    subject      text NOT NULL,
    key          text NOT NULL,
    request_hash text NOT NULL,
    status       integer,          -- NULL while the first request is still being answered
    headers      jsonb,
    body         bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subject, key)
)"""

Answer = Callable[[], Awaitable[Response[bytes]]]
_KEPT_HEADERS = ("location", "etag", "content-type")


async def answer_once(
    pool: asyncpg.Pool[Any], request: Request[Any, Any, Any], subject: str, answer: Answer
) -> Response[bytes]:
    """Answer the request, or replay the answer already given to the same key and body."""
    key = request.headers.get("idempotency-key")
    if not key:
        return await answer()
    if len(key) > 200:
        raise ProblemError(422, "validation_failed", "Idempotency-Key: at most 200 characters")
    body = await request.body()
    digest = hashlib.sha256(
        b"\n".join([request.method.encode(), request.url.path.encode(), body])
    ).hexdigest()
    reserved = await pool.fetchval(
        f"INSERT INTO {TABLE} (subject, key, request_hash) VALUES ($1, $2, $3) "  # noqa: S608
        "ON CONFLICT DO NOTHING RETURNING key",
        subject,
        key,
        digest,
    )
    if reserved is None:
        return await _replay(pool, subject, key, digest)
    try:
        response = await answer()
    except BaseException:
        await pool.execute(f"DELETE FROM {TABLE} WHERE subject = $1 AND key = $2", subject, key)  # noqa: S608
        raise
    headers = {k: v for k, v in response.headers.items() if k.lower() in _KEPT_HEADERS}
    if response.media_type:
        headers["content-type"] = str(response.media_type)
    await pool.execute(
        f"UPDATE {TABLE} SET status = $3, headers = $4, body = $5 WHERE subject = $1 AND key = $2",  # noqa: S608
        subject,
        key,
        response.status_code,
        headers,
        response.content,
    )
    return response


async def _replay(pool: asyncpg.Pool[Any], subject: str, key: str, digest: str) -> Response[bytes]:
    deadline = time.monotonic() + 10
    while True:
        row = await pool.fetchrow(
            f"SELECT request_hash, status, headers, body FROM {TABLE} WHERE subject = $1 AND key = $2",  # noqa: S608
            subject,
            key,
        )
        if row is None:  # the first attempt failed and let go of the key: answer afresh is not ours
            raise ProblemError(
                409, "idempotency_key_in_flux", "retry: the first request with this key failed"
            )
        if row["request_hash"] != digest:
            raise ProblemError(
                422, "idempotency_key_reused", "this Idempotency-Key was used with another request body"
            )
        if row["status"] is not None:
            headers: dict[str, str] = dict(row["headers"] or {})
            media_type = headers.pop("content-type", "application/json")
            headers["Idempotent-Replayed"] = "true"
            return Response(
                content=bytes(row["body"]), status_code=row["status"], headers=headers, media_type=media_type
            )
        if time.monotonic() > deadline:
            raise ProblemError(
                409, "idempotency_key_in_flux", "a request with this key is still being answered"
            )
        await asyncio.sleep(0.05)
