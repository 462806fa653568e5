"""Bringing a studio to a stage over HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.api import bodies
from tests.api.conftest import Tokens


async def settled(client: AsyncTestClient[Litestar]) -> None:
    """Wait until every projection has applied every event (so any client reads the state)."""
    for _ in range(500):
        ready = (await client.get("/health/ready")).json()
        if all(p["lag"] == 0 for p in ready.get("projections", [])):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the projections did not catch up")


async def studio_at(
    client: AsyncTestClient[Litestar], tokens: Tokens, stage: str, serial: int = 1, county: str = "鹿城区"
) -> dict[str, Any]:
    """A studio at ``stage`` (submitted, county_approved, assessed, awarded, paid)."""
    headers = tokens.headers("applicant", county)
    answer = await client.post(
        "/api/v1/studios",
        json=bodies.submission(f"张{serial}", county=county, serial=serial),
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    studio: dict[str, Any] = answer.json()
    steps = [
        ("county_approved", "county-review", bodies.APPROVE, tokens.headers("county_reviewer", county)),
        ("assessed", "assessment", bodies.ASSESS, tokens.headers("city_office")),
        ("awarded", "award", bodies.AWARD, tokens.headers("city_office")),
        ("paid", "subsidy-payments", bodies.payment(f"GK-{serial}"), tokens.headers("finance")),
    ]
    for name, path, body, step_headers in steps:
        if studio["status"] == stage or (
            stage == "paid" and studio["subsidies"]["construction_paid"] != "0.00"
        ):
            break
        answer = await client.post(f"/api/v1/studios/{studio['id']}/{path}", json=body, headers=step_headers)
        assert answer.status_code == 200, answer.text
        studio = answer.json()
        if name == stage:
            break
    await settled(client)
    return studio
