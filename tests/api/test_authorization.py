"""Every role × every endpoint × a city-level and a county-level studio → the status the
contract implies, generated from the one role table (api.access, from casework.domain.permissions)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.access import COMMANDS, ROLES_BY_OPERATION
from casework.domain.permissions import ALLOWED, STUDIO_OFFICE
from casework.domain.rules import ROLES
from tests.api import bodies
from tests.api.conftest import Tokens
from tests.api.helpers import office, studio_at

Client = AsyncTestClient[Litestar]
LEVELS = ("city", "county")
A = str(uuid.UUID(int=1))
# operation -> (method, path with {id}, body). Bodies are well-formed, so that a refusal is
# the role's and not the body's.
ENDPOINTS: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "submit_application": ("POST", "/api/v1/studios", bodies.submission("王五", serial=9)),
    "amend_application": ("POST", "/api/v1/studios/{id}/amendment", {"plan": "修订"}),
    "withdraw_application": ("POST", "/api/v1/studios/{id}/withdrawal", {"reason": "x"}),
    "review_at_county": (
        "POST",
        "/api/v1/studios/{id}/county-review",
        {**bodies.APPROVE, "originals_verified": False},
    ),
    "record_assessment": ("POST", "/api/v1/studios/{id}/assessment", bodies.ASSESS),
    "award_studio": ("POST", "/api/v1/studios/{id}/award", bodies.AWARD),
    "record_subsidy_payment": ("POST", "/api/v1/studios/{id}/subsidy-payments", bodies.payment()),
    "reverse_subsidy_payment": (
        "POST",
        "/api/v1/studios/{id}/subsidy-reversals",
        {"voucher_no": "x", "reason": "x"},
    ),
    "enrol_apprentice": ("POST", "/api/v1/studios/{id}/apprentices", bodies.apprentice()),
    "record_qualification": (
        "POST",
        f"/api/v1/studios/{{id}}/apprentices/{A}/qualification",
        bodies.qualification(),
    ),
    "record_inspection": (
        "POST",
        "/api/v1/studios/{id}/inspections",
        {"inspector": "x", "findings": "x", "inspected_on": "2026-01-01"},
    ),
    "record_evaluation": ("POST", "/api/v1/studios/{id}/evaluations", bodies.evaluation()),
    "order_rectification": ("POST", "/api/v1/studios/{id}/rectification-orders", bodies.order("fraud")),
    "review_rectification": ("POST", "/api/v1/studios/{id}/rectification-reviews", bodies.review(False)),
    "record_honour": ("POST", "/api/v1/studios/{id}/honours", bodies.honour()),
    "revoke_studio": ("POST", "/api/v1/studios/{id}/revocation", bodies.revocation()),
    "recommend_to_province": ("POST", "/api/v1/studios/{id}/province-recommendation", {"year": 2026}),
    "set_subsidy_standard": ("POST", "/api/v1/policy/subsidy-standards", bodies.standard()),
    "get_policy": ("GET", "/api/v1/policy", None),
    "list_studios": ("GET", "/api/v1/studios", None),
    "get_studio": ("GET", "/api/v1/studios/{id}", None),
    "get_history": ("GET", "/api/v1/studios/{id}/history", None),
    "get_state": ("GET", "/api/v1/studios/{id}/state?version=1", None),
    "get_bundle": ("GET", "/api/v1/studios/{id}/history/bundle", None),
    "get_integrity": ("GET", "/api/v1/integrity", None),
    "reconcile_statement": ("POST", "/api/v1/reconciliations", None),
    "get_reconciliation": ("GET", f"/api/v1/reconciliations/{A}", None),
    "list_audit": ("GET", "/api/v1/audit", None),
    "list_ledger_entries": ("GET", "/api/v1/ledger/entries", None),
    "get_ledger_balances": ("GET", "/api/v1/ledger/balances", None),
    "get_due_report": ("GET", "/api/v1/reports/due?within_days=30", None),
    "get_summary_report": ("GET", "/api/v1/reports/summary", None),
}

# The acts of "the studio's office" (docs/measures.md, 第七条(一)), as the one table marks them.
OFFICE_ACTS = frozenset(op for op, command in COMMANDS.items() if ALLOWED[command][1] is STUDIO_OFFICE)
# Whose office a studio is, by its level (docs/measures.md; 第七条(一)).
OFFICE_OF_LEVEL = {"city": "city_office", "county": "county_reviewer"}


def refused(role: str, level: str) -> set[str]:
    """The operations the contract refuses ``role`` (403) on a studio of ``level``."""
    return {
        op
        for op, roles in ROLES_BY_OPERATION.items()
        if role not in roles or (op in OFFICE_ACTS and role != OFFICE_OF_LEVEL[level])
    }


async def call(client: Client, operation: str, studio_id: str, headers: dict[str, Any]) -> Any:
    method, path, body = ENDPOINTS[operation]
    url = path.replace("{id}", studio_id)
    if method == "GET":
        return await client.get(url, headers=headers)
    if body is None:  # a treasury statement, not JSON
        statement = b"voucher_no,payee_credit_code,amount,paid_on\n"
        return await client.post(url, content=statement, headers={**headers, "Content-Type": "text/csv"})
    return await client.post(url, json=body, headers=headers)


def test_the_table_covers_every_operation() -> None:
    assert set(ENDPOINTS) == set(ROLES_BY_OPERATION)


def test_the_office_acts_are_those_the_contract_gives_the_studios_office() -> None:
    contract = {
        "record_assessment", "award_studio", "enrol_apprentice", "record_qualification",
        "record_evaluation", "order_rectification", "review_rectification", "record_honour",
        "revoke_studio",
    }  # fmt: skip
    assert contract == OFFICE_ACTS
    # Inspections stay with every office whatever the level (第七条(二) 各级…不定期检查).
    assert ROLES_BY_OPERATION["record_inspection"] == {"city_office", "county_reviewer"}


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("role", ROLES)
async def test_every_endpoint_answers_each_role_as_the_contract_says(
    client: Client, tokens: Tokens, role: str, level: str
) -> None:
    studio = await studio_at(client, tokens, "submitted", level=level)
    headers = tokens.headers(role)
    seen: dict[str, int] = {}
    for operation in ENDPOINTS:
        answer = await call(client, operation, studio["id"], headers)
        seen[operation] = answer.status_code
        if answer.status_code == 403:
            assert answer.json()["code"] == "not_permitted", answer.text
    assert {op for op, status in seen.items() if status == 403} == refused(role, level), seen
    assert all(status < 500 for status in seen.values()), seen
    assert all(status != 401 for status in seen.values()), seen


class TestTheStudiosOffice:
    @pytest.mark.parametrize("operation", sorted(OFFICE_ACTS))
    async def test_the_city_office_on_a_county_level_studio_is_403_not_permitted(
        self, client: Client, tokens: Tokens, operation: str
    ) -> None:
        studio = await studio_at(client, tokens, "awarded", level="county")
        answer = await call(client, operation, studio["id"], tokens.headers("city_office"))
        assert answer.status_code == 403, answer.text
        assert answer.json()["code"] == "not_permitted"
        assert "county-level studio" in answer.json()["detail"]

    @pytest.mark.parametrize("operation", sorted(OFFICE_ACTS))
    async def test_a_county_reviewer_on_a_city_level_studio_of_its_county_is_403_not_permitted(
        self, client: Client, tokens: Tokens, operation: str
    ) -> None:
        studio = await studio_at(client, tokens, "awarded", level="city")
        answer = await call(client, operation, studio["id"], tokens.headers("county_reviewer", "鹿城区"))
        assert answer.status_code == 403, answer.text
        assert answer.json()["code"] == "not_permitted"
        assert "city-level studio" in answer.json()["detail"]

    async def test_a_county_reviewer_of_another_county_is_404_before_any_403(
        self, client: Client, tokens: Tokens
    ) -> None:
        studio = await studio_at(client, tokens, "awarded", level="county")
        for operation in sorted(OFFICE_ACTS):
            answer = await call(client, operation, studio["id"], tokens.headers("county_reviewer", "瑞安市"))
            assert answer.status_code == 404, (operation, answer.text)

    async def test_a_city_direct_reviewer_only_reviews_applications(
        self, client: Client, tokens: Tokens
    ) -> None:
        studio = await studio_at(client, tokens, "awarded", county="市直")
        for operation in sorted(OFFICE_ACTS | {"record_inspection"}):
            answer = await call(client, operation, studio["id"], tokens.headers("county_reviewer", "市直"))
            assert answer.status_code == 403, (operation, answer.text)

    async def test_the_county_reviewer_manages_a_county_level_studio_from_award_to_revocation(
        self, client: Client, tokens: Tokens
    ) -> None:
        studio = await studio_at(client, tokens, "awarded", level="county")
        sid, reviewer = studio["id"], office(tokens, "county")
        # A county-level studio of 鹿城区: its office is 鹿城区's reviewer, whose token ``reviewer`` is.
        assert (studio["level"], studio["host"]["county"]) == ("county", "鹿城区")
        assert studio["status"] == "awarded"
        assert studio["next_evaluation_due"] is None, "a county decides when it evaluates its studios"

        async def act(path: str, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
            answer = await client.post(f"/api/v1/studios/{sid}/{path}", json=body, headers=reviewer)
            assert answer.status_code == status, answer.text
            result: dict[str, Any] = answer.json()
            return result

        apprentice = (await act("apprentices", bodies.apprentice(), 201))["apprentice_id"]
        await act(f"apprentices/{apprentice}/qualification", bodies.qualification())
        await act(
            "inspections", {"inspector": "鹿城区人力社保局", "findings": "正常", "inspected_on": "2026-10-02"}
        )
        assert (await act("honours", bodies.honour(), 201))["honours"][0]["honour"] == "温州市首席技师"
        assert (await act("evaluations", bodies.evaluation(55), 201))["grade"] == "fail"
        assert (await act("rectification-orders", bodies.order()))["status"] == "rectifying"
        reviewed = await act("rectification-reviews", bodies.review(False))
        assert reviewed["open_rectification"]["last_review_passed"] is False
        assert (await act("revocation", bodies.revocation()))["status"] == "revoked"
