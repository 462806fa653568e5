"""Idempotency-Keys are scoped by subject, role and county, and kept for a day (by default)."""

from __future__ import annotations

import asyncio
import dataclasses

import psycopg
from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.state import ApiState
from casework.store import IDEMPOTENCY_TABLE
from projections.purge import purge_expired_keys
from tests.api import bodies
from tests.api.conftest import Tokens

Client = AsyncTestClient[Litestar]


async def test_the_same_subject_in_another_county_replays_nothing(client: Client, tokens: Tokens) -> None:
    key = {"Idempotency-Key": "apply-once"}
    first = await client.post(
        "/api/v1/studios",
        json=bodies.submission(),
        headers=tokens.headers("applicant", "鹿城区", subject="clerk", **key),
    )
    assert first.status_code == 201
    elsewhere = await client.post(
        "/api/v1/studios",
        json=bodies.submission(),
        headers=tokens.headers("applicant", "瑞安市", subject="clerk", **key),
    )
    # Not the first answer (a studio of 鹿城区, out of this token's scope): its own, a refusal.
    assert "Idempotent-Replayed" not in elsewhere.headers
    assert elsewhere.status_code == 403, elsewhere.text
    again = await client.post(
        "/api/v1/studios",
        json=bodies.submission(),
        headers=tokens.headers("applicant", "鹿城区", subject="clerk", **key),
    )
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]


async def test_a_reused_key_with_another_body_names_the_error(client: Client, tokens: Tokens) -> None:
    headers = tokens.headers("applicant", **{"Idempotency-Key": "k"})
    assert (
        await client.post("/api/v1/studios", json=bodies.submission(), headers=headers)
    ).status_code == 201
    other = await client.post("/api/v1/studios", json=bodies.submission("李四", serial=2), headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert other.json()["errors"]


async def test_a_key_older_than_its_time_is_new_again_and_purged(
    client: Client, tokens: Tokens, api_state: ApiState
) -> None:
    api_state.settings = dataclasses.replace(api_state.settings, idempotency_ttl_hours=0.5 / 3600)
    headers = tokens.headers("applicant", **{"Idempotency-Key": "k"})
    assert (
        await client.post("/api/v1/studios", json=bodies.submission(), headers=headers)
    ).status_code == 201
    await asyncio.sleep(0.7)
    # A day later (here: half a second), the key is free for another request.
    other = await client.post("/api/v1/studios", json=bodies.submission("李四", serial=2), headers=headers)
    assert other.status_code == 201, other.text
    await asyncio.sleep(0.7)
    assert purge_expired_keys(api_state.database_url, 0.5 / 3600) == 1
    with psycopg.connect(api_state.database_url) as conn:
        assert conn.execute(f"SELECT count(*) FROM {IDEMPOTENCY_TABLE}").fetchone() == (0,)  # noqa: S608
