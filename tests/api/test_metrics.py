"""Prometheus metrics: requests by route and status, latencies, command outcomes, projections, pool."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.api import bodies
from tests.api.conftest import Tokens
from tests.api.helpers import settled


def counters(text: str) -> dict[str, float]:
    """Every sample of the exposition, by its name and labels."""
    found = re.findall(r"^([a-z_]+(?:\{[^}]*\})?) ([0-9.e+-]+)$", text, flags=re.MULTILINE)
    return {name: float(value) for name, value in found}


async def test_metrics_count_what_happened(client: AsyncTestClient[Litestar], tokens: Tokens) -> None:
    # The counters belong to the process: compare before and after.
    before = counters((await client.get("/metrics")).text)
    applicant = tokens.headers("applicant")
    await client.post("/api/v1/studios", json=bodies.submission(), headers=applicant)
    await client.post("/api/v1/studios", json=bodies.submission(), headers=applicant)  # master_already_active
    await settled(client)
    after = counters((await client.get("/metrics")).text)

    def grew(sample: str) -> float:
        return after.get(sample, 0) - before.get(sample, 0)

    assert grew('casework_requests_total{method="POST",route="/api/v1/studios",status="201"}') == 1
    assert grew('casework_requests_total{method="POST",route="/api/v1/studios",status="409"}') == 1
    assert grew('casework_commands_total{operation="submit_application",outcome="ok"}') == 1
    assert (
        grew('casework_commands_total{operation="submit_application",outcome="master_already_active"}') == 1
    )
    assert grew('casework_request_seconds_count{route="/api/v1/studios"}') == 2
    for projection in ("register", "audit", "ledger", "chain"):
        assert after[f'casework_projection_lag{{projection="{projection}"}}'] == 0
        assert after[f'casework_projection_position{{projection="{projection}"}}'] >= 1
    assert after["casework_db_pool_size"] >= 1
