"""Input edges: a cursor of the wrong types, decimals in odd spellings, and any JSON value in
any decimal or date field: a 422 naming the field, never a 500."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.api import bodies
from tests.api.conftest import Tokens
from tests.api.helpers import studio_at

Client = AsyncTestClient[Litestar]


def cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


@pytest.mark.parametrize(
    ("path", "made_up"),
    [
        ("/api/v1/studios", ["WZJDS-2026-000001", "not-a-uuid"]),
        ("/api/v1/studios", ["WZJDS-2026-000001"]),
        ("/api/v1/studios", "not base64 at all"),
        ("/api/v1/audit", ["x"]),
        ("/api/v1/audit", [str(2**70)]),
        ("/api/v1/ledger/entries", ["1", "two"]),
    ],
)
async def test_a_cursor_of_the_wrong_types_is_a_422(
    client: Client, tokens: Tokens, path: str, made_up: list[Any] | str
) -> None:
    sent = made_up if isinstance(made_up, str) else cursor(made_up)
    answer = await client.get(path, params={"cursor": sent}, headers=tokens.headers("city_office"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("spelling", ["-0", "5E+1", "3.5e1", "1e-7", "NaN", "Infinity"])
async def test_a_decimal_in_an_odd_spelling_is_a_422(client: Client, tokens: Tokens, spelling: str) -> None:
    body = bodies.submission()
    body["host"]["education_fund_share_pct"] = spelling
    answer = await client.post("/api/v1/studios", json=body, headers=tokens.headers("applicant"))
    assert answer.status_code == 422, answer.text


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
ODD_TEXT = st.sampled_from(
    ["NaN", "-0", "1E5", "2026-02-30", "2026-13-01", "9999-12-31", "0001-01-01", "", " 35"]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=JSON | ODD_TEXT, field=st.sampled_from(["decimal", "date"]))
async def test_any_json_value_in_a_decimal_or_date_field_is_never_a_500(
    client: Client, tokens: Tokens, value: Any, field: str
) -> None:
    if field == "decimal":
        body = bodies.submission()
        body["host"]["education_fund_share_pct"] = value
        answer = await client.post("/api/v1/studios", json=body, headers=tokens.headers("applicant"))
    else:
        answer = await client.post(
            "/api/v1/studios/00000000-0000-0000-0000-000000000001/award",
            json={**bodies.AWARD, "published_on": value},
            headers=tokens.headers("city_office"),
        )
    assert answer.status_code < 500, answer.text
    if answer.status_code == 422:
        assert answer.json()["errors"]


async def test_decimal_and_date_fields_of_every_kind_refuse_odd_values(
    client: Client, tokens: Tokens
) -> None:
    studio = await studio_at(client, tokens, "awarded")
    office = tokens.headers("city_office")
    scores = bodies.evaluation()
    scores["scores"]["S1"]["assessed"] = "-0"
    for path, body in (
        ("evaluations", scores),
        ("evaluations", {**bodies.evaluation(), "evaluated_on": "2026-02-30"}),
        (
            "rectification-orders",
            {"reason": "fraud", "findings": "x", "ordered_on": 20260101, "deadline": "x"},
        ),
    ):
        answer = await client.post(f"/api/v1/studios/{studio['id']}/{path}", json=body, headers=office)
        assert answer.status_code == 422, (path, answer.text)
