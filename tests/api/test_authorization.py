"""Every role × every endpoint → the status the contract implies, from one table."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.access import ROLES_BY_OPERATION
from casework.domain.rules import ROLES
from tests.api import bodies
from tests.api.conftest import Tokens
from tests.api.helpers import studio_at

A = str(uuid.UUID(int=1))
# operation -> (method, path with {id}, body)
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
    "enrol_apprentice": (
        "POST",
        "/api/v1/studios/{id}/apprentices",
        {"name": "x", "id_number": "1", "born_on": "2000-01-01", "agreement_signed_on": "2026-01-01"},
    ),
    "record_qualification": (
        "POST",
        f"/api/v1/studios/{{id}}/apprentices/{A}/qualification",
        {"grade": "中级工", "certificate_no": "x", "qualified_on": "2026-01-01"},
    ),
    "record_inspection": (
        "POST",
        "/api/v1/studios/{id}/inspections",
        {"inspector": "x", "findings": "x", "inspected_on": "2026-01-01"},
    ),
    "record_evaluation": ("POST", "/api/v1/studios/{id}/evaluations", bodies.evaluation()),
    "order_rectification": (
        "POST",
        "/api/v1/studios/{id}/rectification-orders",
        {"reason": "fraud", "findings": "x", "ordered_on": "2026-01-02", "deadline": "2026-01-01"},
    ),
    "revoke_studio": (
        "POST",
        "/api/v1/studios/{id}/revocation",
        {"ground": "failed_after_rectification", "note": "x", "decided_on": "2026-01-01"},
    ),
    "recommend_to_province": ("POST", "/api/v1/studios/{id}/province-recommendation", {"year": 2026}),
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


def test_the_table_covers_every_operation() -> None:
    assert set(ENDPOINTS) == set(ROLES_BY_OPERATION)


@pytest.mark.parametrize("role", ROLES)
async def test_every_endpoint_answers_each_role_as_the_contract_says(
    client: AsyncTestClient[Litestar], tokens: Tokens, role: str
) -> None:
    studio = await studio_at(client, tokens, "submitted")
    headers = tokens.headers(role)
    seen: dict[str, int] = {}
    for operation, (method, path, body) in ENDPOINTS.items():
        url = path.replace("{id}", studio["id"])
        if method == "GET":
            answer = await client.get(url, headers=headers)
        elif body is None:  # a treasury statement, not JSON
            statement = b"voucher_no,payee_credit_code,amount,paid_on\n"
            answer = await client.post(
                url, content=statement, headers={**headers, "Content-Type": "text/csv"}
            )
        else:
            answer = await client.post(url, json=body, headers=headers)
        seen[operation] = answer.status_code
    allowed = {op for op, roles in ROLES_BY_OPERATION.items() if role in roles}
    refused = {op for op, status in seen.items() if status == 403}
    assert refused == set(ENDPOINTS) - allowed, seen
    assert all(status < 500 for status in seen.values()), seen
    assert all(status != 401 for status in seen.values()), seen
