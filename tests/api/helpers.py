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


def office(tokens: Tokens, level: str = "city", county: str = "鹿城区") -> dict[str, Any]:
    """The studio's office: the city office for a city-level studio, its county's reviewer
    for a county-level one (docs/measures.md, 第七条(一))."""
    return tokens.headers("city_office") if level == "city" else tokens.headers("county_reviewer", county)


async def studio_at(
    client: AsyncTestClient[Litestar],
    tokens: Tokens,
    stage: str,
    serial: int = 1,
    county: str = "鹿城区",
    level: str = "city",
    award: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A studio at ``stage`` (submitted, county_approved, assessed, awarded, paid)."""
    headers = tokens.headers("applicant", county)
    answer = await client.post(
        "/api/v1/studios",
        json=bodies.submission(f"张{serial}", county=county, serial=serial, level=level),
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    studio: dict[str, Any] = answer.json()
    managing = office(tokens, level, county)
    steps = [
        ("county_approved", "county-review", bodies.APPROVE, tokens.headers("county_reviewer", county)),
        ("assessed", "assessment", bodies.ASSESS, managing),
        ("awarded", "award", award or bodies.AWARD, managing),
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


async def subsidy_standard(
    client: AsyncTestClient[Litestar],
    tokens: Tokens,
    in_force_from: str = "2013-05-08",
    rates: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Record an apprenticeship subsidy standard as the city office (201)."""
    answer = await client.post(
        "/api/v1/policy/subsidy-standards",
        json=bodies.standard(in_force_from, rates),
        headers=tokens.headers("city_office"),
    )
    assert answer.status_code == 201, answer.text
    recorded: dict[str, Any] = answer.json()
    return recorded
