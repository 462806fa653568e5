"""Request logs carry ids, route, status and duration — and never an ID number, token or secret."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.state import ApiState
from casework.logging import configure_logging
from tests import builders as b
from tests.api import bodies
from tests.api.conftest import Tokens
from tests.api.helpers import studio_at


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    configure_logging("json", "info")
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(root.handlers[0].formatter)
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


async def test_a_full_scenario_logs_no_personal_data_or_credentials(
    client: AsyncTestClient[Litestar], tokens: Tokens, api_state: ApiState, captured: io.StringIO
) -> None:
    applicant = tokens.headers("applicant", **{"X-Request-ID": "req-from-client"})
    created = await client.post("/api/v1/studios", json=bodies.submission(), headers=applicant)
    assert created.headers["x-request-id"] == "req-from-client"
    studio = await studio_at(client, tokens, "paid", serial=2)
    bad = bodies.submission("李四", serial=3)
    bad["master"]["id_number"] = b.resident_id(3)[:17] + "0"  # refused: must not be logged either
    await client.post("/api/v1/studios", json=bad, headers=tokens.headers("applicant"))
    await client.get(f"/api/v1/studios/{studio['id']}/history", headers=tokens.headers("auditor"))
    await client.get("/api/v1/studios", headers={"Authorization": "Bearer not.a.token"})

    text = captured.getvalue()
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("event") == "request"]
    assert len(requests) >= 8
    first = next(r for r in requests if r["request_id"] == "req-from-client")
    assert (first["method"], first["status"]) == ("POST", 201)
    assert first["route"] == "/api/v1/studios"
    assert "duration_ms" in first
    assert first["correlation_id"] == "req-from-client"
    secrets = [b.resident_id(n) for n in (1, 2, 3, 501, 502)] + [bad["master"]["id_number"]]
    secrets += [api_state.jwt_secret, "not.a.token"]
    secrets += [h["Authorization"].removeprefix("Bearer ") for h in (applicant, tokens.headers("auditor"))]
    for secret in secrets:
        assert secret not in text


async def test_every_answer_carries_its_ids_and_is_logged_even_for_a_path_no_route_serves(
    client: AsyncTestClient[Litestar], captured: io.StringIO
) -> None:
    # An unknown path never reaches a route: the ids and the log line wrap the whole application.
    lost = await client.get("/api/v1/nowhere", headers={"X-Correlation-ID": "case-7"})
    assert lost.status_code == 404
    assert lost.headers["content-type"].startswith("application/problem+json")
    assert lost.headers["x-correlation-id"] == "case-7"
    generated = lost.headers["x-request-id"]
    assert uuid.UUID(generated).version == 4
    assert str(uuid.UUID(generated)) == generated
    # A refusal inside a route too (no token: 401 from the dependency).
    refused = await client.get("/api/v1/studios")
    assert refused.status_code == 401
    assert refused.headers["x-request-id"] not in (generated, "")
    assert refused.headers["x-correlation-id"] == refused.headers["x-request-id"]

    lines = [json.loads(line) for line in captured.getvalue().splitlines() if line.startswith("{")]
    logged = {line["request_id"]: line for line in lines if line.get("event") == "request"}
    assert (logged[generated]["route"], logged[generated]["status"]) == ("unmatched", 404)
    assert logged[generated]["correlation_id"] == "case-7"
    assert logged[refused.headers["x-request-id"]]["status"] == 401
