"""Inputs that reached a 500 or were stored as they should not be: each is a 422 naming why.

JSON nested a thousand levels deep, decimals that are no number ("NaN", "sNaN", "Infinity"),
counts far past any sensible range, and names holding characters that hide or reorder text.
Nothing of a refused request is stored.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.api import bodies
from tests.api.conftest import Tokens
from tests.api.helpers import studio_at

Client = AsyncTestClient[Litestar]


async def refused(
    client: Client,
    path: str,
    body: Any,
    headers: dict[str, Any],
    *,
    raw: bytes | None = None,
) -> dict[str, Any]:
    answer = await client.post(
        path,
        content=raw if raw is not None else json.dumps(body).encode(),
        headers={**headers, "Content-Type": "application/json"},
    )
    assert answer.status_code == 422, answer.text
    problem: dict[str, Any] = answer.json()
    assert problem["errors"], problem
    return problem


async def register_size(client: Client, tokens: Tokens) -> int:
    listed = await client.get("/api/v1/studios", headers=tokens.headers("city_office"))
    return len(listed.json()["items"])


async def test_a_body_nested_a_thousand_levels_deep_is_refused(client: Client, tokens: Tokens) -> None:
    deep = b'{"plan": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    problem = await refused(client, "/api/v1/studios", None, tokens.headers("applicant"), raw=deep)
    assert "nests more than" in problem["detail"]


async def test_brackets_inside_text_are_not_nesting(client: Client, tokens: Tokens) -> None:
    body = bodies.submission()
    body["plan"] = "[" * 500 + "三年培养二十名中级工以上技能人才"
    answer = await client.post("/api/v1/studios", json=body, headers=tokens.headers("applicant"))
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize("number", ["NaN", "sNaN", "Infinity", "-Infinity"])
async def test_a_decimal_that_is_no_number_is_refused(client: Client, tokens: Tokens, number: str) -> None:
    body = bodies.submission()
    body["host"]["education_fund_share_pct"] = number
    problem = await refused(client, "/api/v1/studios", body, tokens.headers("applicant"))
    assert "plain decimal" in problem["detail"]
    assert await register_size(client, tokens) == 0

    studio = await studio_at(client, tokens, "county_approved")
    assessment = {**bodies.ASSESS, "score": number}
    await refused(
        client, f"/api/v1/studios/{studio['id']}/assessment", assessment, tokens.headers("city_office")
    )


async def test_an_absurd_number_of_copies_is_refused(client: Client, tokens: Tokens) -> None:
    body = bodies.submission()
    body["materials"][0]["copies"] = 2**64
    await refused(client, "/api/v1/studios", body, tokens.headers("applicant"))
    body["materials"][0]["copies"] = 101
    await refused(client, "/api/v1/studios", body, tokens.headers("applicant"))
    assert await register_size(client, tokens) == 0


@pytest.mark.parametrize("hidden", ["\u202e", "\u200b", "\u200d", "\u2066", "\ufeff"])
async def test_a_name_with_hidden_or_reordering_characters_is_refused(
    client: Client, tokens: Tokens, hidden: str
) -> None:
    body = bodies.submission()
    body["master"]["name"] = f"张{hidden}三"
    problem = await refused(client, "/api/v1/studios", body, tokens.headers("applicant"))
    assert f"U+{ord(hidden):04X}" in problem["detail"]
    body = bodies.submission()
    body["host"]["name"] = f"温州某某{hidden}机械有限公司"
    await refused(client, "/api/v1/studios", body, tokens.headers("applicant"))
    assert await register_size(client, tokens) == 0


async def test_lists_longer_than_any_application_holds_are_refused(client: Client, tokens: Tokens) -> None:
    body = bodies.submission()
    body["members"] = body["members"] * 101
    problem = await refused(client, "/api/v1/studios", body, tokens.headers("applicant"))
    assert problem["errors"][0]["field"].startswith("members")
    assert await register_size(client, tokens) == 0
