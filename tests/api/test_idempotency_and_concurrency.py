"""Idempotency keys (kept in PostgreSQL) and many clients at once."""

from __future__ import annotations

import asyncio

from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.state import ApiState
from tests.api import bodies
from tests.api.conftest import Tokens
from tests.api.helpers import settled, studio_at

Client = AsyncTestClient[Litestar]


async def events(client: Client, tokens: Tokens) -> int:
    await settled(client)
    return len(
        (await client.get("/api/v1/audit?limit=500", headers=tokens.headers("auditor"))).json()["items"]
    )


async def test_the_same_key_and_body_get_the_first_answer_again(client: Client, tokens: Tokens) -> None:
    headers = tokens.headers("applicant", **{"Idempotency-Key": "submit-1"})
    first = await client.post("/api/v1/studios", json=bodies.submission(), headers=headers)
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    again = await client.post("/api/v1/studios", json=bodies.submission(), headers=headers)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert await events(client, tokens) == 1


async def test_the_same_key_with_another_body_is_422(client: Client, tokens: Tokens) -> None:
    headers = tokens.headers("applicant", **{"Idempotency-Key": "submit-2"})
    assert (
        await client.post("/api/v1/studios", json=bodies.submission(), headers=headers)
    ).status_code == 201
    other = bodies.submission("李四", serial=2)
    answer = await client.post("/api/v1/studios", json=other, headers=headers)
    assert answer.status_code == 422
    assert answer.json()["code"] == "idempotency_key_reused"
    assert await events(client, tokens) == 1


async def test_a_refusal_is_replayed_too(client: Client, tokens: Tokens) -> None:
    studio = await studio_at(client, tokens, "submitted")
    headers = tokens.headers("city_office", **{"Idempotency-Key": "award-too-early"})
    first = await client.post(f"/api/v1/studios/{studio['id']}/award", json=bodies.AWARD, headers=headers)
    again = await client.post(f"/api/v1/studios/{studio['id']}/award", json=bodies.AWARD, headers=headers)
    assert (first.status_code, again.status_code) == (409, 409)
    assert again.headers["idempotent-replayed"] == "true"


async def test_a_retry_after_a_restart_is_still_recognised(api_state: ApiState, tokens: Tokens) -> None:
    headers = tokens.headers("applicant", **{"Idempotency-Key": "across-restarts"})
    async with AsyncTestClient(app=create_app(api_state)) as client:
        first = await client.post("/api/v1/studios", json=bodies.submission(), headers=headers)
        assert first.status_code == 201
    async with AsyncTestClient(app=create_app(api_state)) as client:
        again = await client.post("/api/v1/studios", json=bodies.submission(), headers=headers)
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json()["id"] == first.json()["id"]
        assert await events(client, tokens) == 1


async def test_twenty_simultaneous_construction_payments_pay_once(client: Client, tokens: Tokens) -> None:
    studio = await studio_at(client, tokens, "awarded")
    finance = tokens.headers("finance")

    async def pay(n: int) -> tuple[int, str]:
        answer = await client.post(
            f"/api/v1/studios/{studio['id']}/subsidy-payments",
            json=bodies.payment(f"GK-{n:02d}"),
            headers=finance,
        )
        return answer.status_code, answer.json().get("code", "")

    results = await asyncio.gather(*(pay(n) for n in range(20)))
    assert sorted(status for status, _ in results) == [200] + [409] * 19, results
    assert {code for status, code in results if status == 409} <= {
        "construction_subsidy_already_paid",
        "edit_conflict",
    }
    now = await client.get(f"/api/v1/studios/{studio['id']}", headers=finance)
    assert now.json()["subsidies"]["construction_paid"] == "30000.00"
    entries = await client.get(f"/api/v1/ledger/entries?studio_id={studio['id']}&limit=500", headers=finance)
    assert len([e for e in entries.json()["items"] if e["entry"] == "payment"]) == 2  # one entry, two lines


async def test_a_client_reads_its_own_writes_even_through_another_replica(
    client: Client, tokens: Tokens, api_state: ApiState
) -> None:
    studio = await studio_at(client, tokens, "submitted")
    reviewer = tokens.headers("county_reviewer")
    answer = await client.post(
        f"/api/v1/studios/{studio['id']}/county-review", json=bodies.APPROVE, headers=reviewer
    )
    position = answer.headers["casework-position"]
    # Another replica knows nothing of this client's writes but the header it sends back.
    async with AsyncTestClient(app=create_app(api_state)) as other:
        read = await other.get(
            f"/api/v1/studios/{studio['id']}",
            headers={**tokens.headers("auditor"), "Casework-Position": position},
        )
        assert read.json()["status"] == "county_approved"


async def test_a_casework_position_that_is_not_a_position_is_ignored(client: Client, tokens: Tokens) -> None:
    studio = await studio_at(client, tokens, "submitted")
    await settled(client)
    # Digits that are not ASCII ("²".isdigit() is true), and more digits than any position.
    for sent in ("²".encode("latin-1"), "１２".encode(), b"9" * 5000, b"-1", b"abc"):
        read = await client.get(
            f"/api/v1/studios/{studio['id']}",
            headers={**tokens.headers("auditor"), "Casework-Position": sent},  # type: ignore[dict-item]
        )
        assert read.status_code == 200, (sent, read.text)
