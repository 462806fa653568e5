"""Prometheus metrics: requests by route and status, latencies, command outcomes, projections, pool."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.api import bodies
from tests.api.conftest import Tokens
from tests.api.helpers import settled


async def test_metrics_count_what_happened(client: AsyncTestClient[Litestar], tokens: Tokens) -> None:
    applicant = tokens.headers("applicant")
    await client.post("/api/v1/studios", json=bodies.submission(), headers=applicant)
    await client.post("/api/v1/studios", json=bodies.submission(), headers=applicant)  # master_already_active
    await settled(client)
    text = (await client.get("/metrics")).text
    lines = text.splitlines()
    assert 'casework_requests_total{method="POST",route="/api/v1/studios",status="201"} 1' in lines
    assert 'casework_requests_total{method="POST",route="/api/v1/studios",status="409"} 1' in lines
    assert 'casework_commands_total{operation="submit_application",outcome="ok"} 1' in lines
    assert (
        'casework_commands_total{operation="submit_application",outcome="master_already_active"} 1' in lines
    )
    assert any(
        line.startswith('casework_request_seconds_bucket{route="/api/v1/studios",le="+Inf"}')
        for line in lines
    )
    for projection in ("register", "audit", "ledger", "chain"):
        assert f'casework_projection_lag{{projection="{projection}"}} 0' in lines
    assert any(line.startswith("casework_db_pool_size ") for line in lines)
