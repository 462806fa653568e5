"""Business dates over HTTP: Wenzhou's date (Asia/Shanghai) from the application's one clock,
and no act dated after it (422 date_in_future naming the field); a deadline may lie ahead."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.api import bodies
from tests.api.conftest import TODAY, Tokens
from tests.api.helpers import settled, studio_at
from tests.clocks import wenzhou

Client = AsyncTestClient[Litestar]
TOMORROW = (TODAY + dt.timedelta(days=1)).isoformat()

# (path under the studio, body, the business date field set to tomorrow). Each is an act the
# studio (awarded and under a rectification order) would otherwise take.
DATED: list[tuple[str, dict[str, Any], str]] = [
    ("subsidy-payments", bodies.payment(), "paid_on"),
    ("apprentices", bodies.apprentice(), "agreement_signed_on"),  # enrolled_on defaults to it
    ("apprentices", bodies.apprentice(agreement=None), "enrolled_on"),
    ("inspections", {"inspector": "市局", "findings": "正常", "inspected_on": "2026-11-01"}, "inspected_on"),
    ("evaluations", bodies.evaluation(55), "evaluated_on"),
    ("rectification-reviews", bodies.review(False), "reviewed_on"),
    ("honours", bodies.honour(), "conferred_on"),
    ("revocation", bodies.revocation("misconduct"), "decided_on"),
]


@pytest.fixture
async def rectifying(client: Client, tokens: Tokens) -> str:
    studio = await studio_at(client, tokens, "awarded")
    office = tokens.headers("city_office")
    for path, body in (("evaluations", bodies.evaluation(55)), ("rectification-orders", bodies.order())):
        answer = await client.post(f"/api/v1/studios/{studio['id']}/{path}", json=body, headers=office)
        assert answer.status_code in (200, 201), answer.text
    # Read by the tests as "before": the read side must show the order (on a busy machine it
    # lagged, and the refusal's "after" read then saw a version the "before" had missed).
    await settled(client)
    sid: str = studio["id"]
    return sid


@pytest.mark.parametrize(("path", "body", "field"), DATED, ids=[field for _, _, field in DATED])
async def test_an_act_dated_tomorrow_is_422_date_in_future_naming_the_field(
    client: Client, tokens: Tokens, rectifying: str, path: str, body: dict[str, Any], field: str
) -> None:
    role = "finance" if path == "subsidy-payments" else "city_office"
    before = (await client.get(f"/api/v1/studios/{rectifying}", headers=tokens.headers(role))).json()
    answer = await client.post(
        f"/api/v1/studios/{rectifying}/{path}", json={**body, field: TOMORROW}, headers=tokens.headers(role)
    )
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert (problem["code"], problem["errors"][0]["field"]) == ("date_in_future", field)
    assert TOMORROW in problem["detail"]
    after = (await client.get(f"/api/v1/studios/{rectifying}", headers=tokens.headers(role))).json()
    assert after["version"] == before["version"], "nothing is recorded"


async def test_an_award_published_tomorrow_is_422_naming_published_on(client: Client, tokens: Tokens) -> None:
    studio = await studio_at(client, tokens, "assessed")
    answer = await client.post(
        f"/api/v1/studios/{studio['id']}/award",
        json={**bodies.AWARD, "published_on": TOMORROW},
        headers=tokens.headers("city_office"),
    )
    assert answer.status_code == 422, answer.text
    assert (answer.json()["code"], answer.json()["errors"][0]["field"]) == ("date_in_future", "published_on")


async def test_a_deadline_may_lie_ahead_but_not_the_order(client: Client, tokens: Tokens) -> None:
    studio = await studio_at(client, tokens, "awarded")
    office = tokens.headers("city_office")
    path = f"/api/v1/studios/{studio['id']}/rectification-orders"
    ahead = await client.post(
        path, json=bodies.order("fraud", on=TOMORROW, deadline="2027-05-26"), headers=office
    )
    assert ahead.status_code == 422, ahead.text
    assert ahead.json()["errors"][0]["field"] == "ordered_on"
    ordered = await client.post(
        path, json=bodies.order("fraud", on=TODAY.isoformat(), deadline="2027-05-26"), headers=office
    )
    assert ordered.status_code == 200, ordered.text
    assert ordered.json()["open_rectification"]["deadline"] == "2027-05-26"
    assert ordered.json()["open_rectification"]["overdue"] is False


# 07:30 in Wenzhou on 1 March 2027 is still 28 February in UTC.
MORNING = wenzhou(2027, 3, 1, 7, 30)


@pytest.mark.parametrize("starts_at", [MORNING])
async def test_at_half_past_seven_in_wenzhou_the_api_dates_acts_on_wenzhous_date(
    client: Client, tokens: Tokens, starts_at: dt.datetime
) -> None:
    studio = await studio_at(client, tokens, "submitted")
    assert studio["case_no"].startswith("WZJDS-2027-")
    await settled(client)
    history = await client.get(f"/api/v1/studios/{studio['id']}/history", headers=tokens.headers("auditor"))
    assert history.json()["items"][0]["effective_on"] == "2027-03-01"
    policy = await client.get("/api/v1/policy", headers=tokens.headers("auditor"))
    assert policy.json()["on"] == "2027-03-01"
    awarded = await studio_at(
        client, tokens, "awarded", serial=2, award={**bodies.AWARD, "published_on": "2027-03-01"}
    )
    assert awarded["award"]["published_on"] == "2027-03-01"
    ordered = await client.post(
        f"/api/v1/studios/{awarded['id']}/rectification-orders",
        json=bodies.order("fraud", on="2027-02-20", deadline="2027-02-28"),
        headers=tokens.headers("city_office"),
    )
    assert ordered.json()["open_rectification"]["overdue"] is True, "28 February has passed in Wenzhou"
    tomorrow = await client.post(
        f"/api/v1/studios/{awarded['id']}/inspections",
        json={"inspector": "市局", "findings": "正常", "inspected_on": "2027-03-02"},
        headers=tokens.headers("city_office"),
    )
    assert tomorrow.status_code == 422, tomorrow.text
    assert tomorrow.json()["code"] == "date_in_future"
