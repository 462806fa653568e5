"""A read that cannot be as fresh as asked says so; readiness sees a read side that stopped.

With no projection worker running, a GET that must show a write just made used to wait 5 s and
answer 404 for the studio just created, while /health/ready said 200 (the lag was under 1,000).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.auth import issue_token
from api.database import HEALTH_PROBE, create_pool
from api.state import ApiState
from casework.application import Casework
from casework.settings import Settings
from casework.vault import Vault
from projections.readside import ReadSideWatch
from projections.runner import Projector
from tests.api import bodies

Client = AsyncTestClient[Litestar]


@pytest.fixture
def without_projections(database_url: str, tmp_path: Path, app: Casework, projector: Projector) -> ApiState:
    # The tables exist (casework prepare made them), but no worker applies events to them.
    return ApiState(
        settings=Settings.from_env({"CASEWORK_DATA_DIR": str(tmp_path)}),
        database_url=database_url,
        app=app,
        vault=Vault.from_setting(None, tmp_path),
        jwt_secret=secrets.token_urlsafe(32),
        run_projections=False,
        read_wait=0.3,
        stall_after=0.5,
        health_fresh_for=0.0,
    )


@pytest.fixture
async def client(without_projections: ApiState) -> AsyncIterator[Client]:
    async with AsyncTestClient(app=create_app(without_projections)) as client:
        yield client


def bearer(state: ApiState, role: str, subject: str) -> dict[str, str]:
    county = "鹿城区" if role == "applicant" else None
    return {
        "Authorization": f"Bearer {issue_token(state.jwt_secret, role=role, subject=subject, county=county)}"
    }


async def test_a_read_the_read_side_cannot_reach_in_time_is_a_503_not_a_404(
    client: Client, without_projections: ApiState
) -> None:
    made = await client.post(
        "/api/v1/studios", json=bodies.submission(), headers=bearer(without_projections, "applicant", "clerk")
    )
    assert made.status_code == 201, made.text
    position = made.headers["Casework-Position"]
    studio = f"/api/v1/studios/{made.json()['id']}"

    # The writer itself (read-your-writes), and another user who passes the position on.
    for headers in (
        bearer(without_projections, "applicant", "clerk"),
        {**bearer(without_projections, "city_office", "officer"), "Casework-Position": position},
    ):
        answer = await client.get(studio, headers=headers)
        assert answer.status_code == 503, answer.text
        assert answer.json()["code"] == "read_side_behind"
        assert answer.headers["Retry-After"] == "2"


async def test_a_position_past_the_head_is_read_as_the_head(
    client: Client, without_projections: ApiState
) -> None:
    # An empty log: a made-up position asks for nothing the read side lacks.
    headers = {**bearer(without_projections, "city_office", "officer"), "Casework-Position": "999999999"}
    answer = await client.get("/api/v1/studios", headers=headers)
    assert answer.status_code == 200, answer.text


async def test_readiness_reports_a_read_side_that_stopped_while_the_log_grows(
    client: Client, without_projections: ApiState
) -> None:
    ready = await client.get("/health/ready")
    assert ready.status_code == 200, ready.text
    made = await client.post(
        "/api/v1/studios", json=bodies.submission(), headers=bearer(without_projections, "applicant", "clerk")
    )
    assert made.status_code == 201
    behind = (await client.get("/health/ready")).json()
    assert behind["status"] == "ready"  # one event behind, for a moment: no alarm yet
    await asyncio.sleep(without_projections.stall_after + 0.1)
    stopped = await client.get("/health/ready")
    assert stopped.status_code == 503
    assert stopped.json()["status"] == "stalled"
    assert all(p["stalled"] for p in stopped.json()["projections"])
    metrics = (await client.get("/metrics")).text
    line = next(line for line in metrics.splitlines() if 'stalled_seconds{projection="register"}' in line)
    assert float(line.split()[-1]) >= without_projections.stall_after


async def test_readiness_has_a_connection_of_its_own_and_reads_at_most_once_a_second(
    without_projections: ApiState, database_url: str
) -> None:
    without_projections.health_fresh_for = 1.0
    async with AsyncTestClient(app=create_app(without_projections)) as client:
        assert (await client.get("/health/ready")).status_code == 200
        # Its own connection, not one of the API's pool (which requests may all be holding).
        with psycopg.connect(database_url) as conn:
            found = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name = %s",
                (HEALTH_PROBE,),
            ).fetchone()
        assert found == (1,)
        probe = without_projections.health
        assert probe is not None
        read = probe.queries
        for _ in range(5):
            assert (await client.get("/health/ready")).status_code == 200
            assert (await client.get("/metrics")).status_code == 200
        assert probe.queries == read  # all within the second: answered from the last read
        await asyncio.sleep(1.1)
        await client.get("/health/ready")
        assert probe.queries == read + 1


async def test_many_waiting_queries_share_one_poll_of_the_read_side(
    database_url: str, projector: Projector
) -> None:
    pool = await create_pool(database_url, size=4)
    watch = ReadSideWatch()
    try:
        # Twenty requests wait at once for a position no worker will reach.
        reached = await asyncio.gather(*(watch.reach(pool, 10, 0.3) for _ in range(20)))
        assert reached == [False] * 20
        # One poll loop for the burst, one query at a time: not twenty pollers of the pool.
        assert watch.pollers == 1
        assert watch.queries <= 0.3 / watch.interval + 5
    finally:
        await pool.close()
