"""The OpenAPI document: served, browsable, and the committed copy matches it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import msgspec
from httpx import Response
from litestar import Litestar
from litestar.testing import AsyncTestClient

import api
from api import answers as a
from api import schemas as s
from api.access import ROLES_BY_OPERATION
from casework.bundles import Bundle
from casework.domain.events import Evaluated, Submitted
from tests import builders as b
from tests.api import bodies
from tests.api.conftest import Tokens
from tests.api.helpers import settled, studio_at

COMMITTED = Path(api.__file__).parent / "openapi.json"
T = TypeVar("T")


async def test_the_served_document_is_the_committed_one(client: AsyncTestClient[Litestar]) -> None:
    served = await client.get("/schema/openapi.json")
    assert served.status_code == 200
    document = served.json()
    assert document["openapi"].startswith("3.1")
    assert document == json.loads(COMMITTED.read_text()), "run `make openapi` and commit api/openapi.json"


async def test_every_operation_is_documented_and_browsable(client: AsyncTestClient[Litestar]) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    operations = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert set(ROLES_BY_OPERATION) <= operations
    ui = await client.get("/schema/scalar")
    assert ui.status_code == 200
    assert "text/html" in ui.headers["content-type"]


# The handlers below encode rows and reports, not Structs: the document names a Struct for each.
DOCUMENTED = {
    "list_audit": a.AuditPage,
    "list_ledger_entries": a.LedgerPage,
    "get_ledger_balances": a.Balances,
    "get_due_report": a.DueReport,
    "get_summary_report": a.SummaryReport,
    "get_history": a.History,
    "get_state": a.PastState,
    "get_integrity": a.IntegrityVerdict,
    "get_bundle": Bundle,
    "reconcile_statement": a.Reconciliation,
    "get_reconciliation": a.Reconciliation,
}
UNDESCRIBED = ("/health/", "/metrics")  # liveness, readiness and Prometheus text: no client types


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].removeprefix("#/components/schemas/")]
    return schema


def _success_schemas(document: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(operation, status, media type, schema) of every 2xx answer but a file's."""
    for path, operations in document["paths"].items():
        if path.startswith(UNDESCRIBED):
            continue
        for operation in operations.values():
            for status, response in operation["responses"].items():
                if not status.startswith("2"):
                    continue
                content = response.get("content", {})
                assert content, f"{operation['operationId']} {status}: no content documented"
                for media_type, spec in content.items():
                    if "json" not in media_type:
                        continue  # a file (CSV, a workbook, ...): its bytes have no schema
                    yield operation["operationId"], status, media_type, spec.get("schema", {})


async def test_every_success_answer_documents_its_json_schema(client: AsyncTestClient[Litestar]) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    seen = set()
    for operation, status, media_type, schema in _success_schemas(document):
        seen.add(operation)
        assert media_type == "application/json", (operation, status, media_type)
        resolved = _resolve(document, schema)
        assert resolved.get("type") == "object", (operation, status, schema)
        assert resolved.get("properties"), f"{operation} {status}: the answer's schema has no properties"
        if operation in DOCUMENTED:
            assert schema == {"$ref": f"#/components/schemas/{DOCUMENTED[operation].__name__}"}
    assert set(ROLES_BY_OPERATION) <= seen, set(ROLES_BY_OPERATION) - seen
    for operation, path, method in (
        ("reconcile_statement", "/api/v1/reconciliations", "post"),
        ("get_integrity", "/api/v1/integrity", "get"),
    ):
        responses = document["paths"][path][method]["responses"]
        assert responses["403"]["content"] == {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        }, operation


def conforming(answer: Response, documented: type[T]) -> T:
    """The answer decoded as the document describes it; nothing in it is left undescribed."""
    assert answer.status_code in (200, 201), answer.text
    assert answer.headers["content-type"].startswith("application/json")
    decoded = msgspec.json.decode(answer.content, type=documented)
    assert json.loads(msgspec.json.encode(decoded)) == answer.json(), "a field the Struct does not describe"
    return decoded


async def test_the_answers_are_what_the_document_describes(
    client: AsyncTestClient[Litestar], tokens: Tokens
) -> None:
    studios = [await studio_at(client, tokens, "paid", serial=n) for n in range(1, 6)]
    office, finance, auditor = (tokens.headers(r) for r in ("city_office", "finance", "auditor"))
    first, last = studios[0]["id"], studios[-1]["id"]
    for path, body in (
        ("evaluations", bodies.evaluation(55)),
        (
            "rectification-orders",
            {"reason": "failed_evaluation", "findings": "带徒台账缺失", "ordered_on": "2026-11-21",
             "deadline": "2026-12-20"},
        ),
    ):  # fmt: skip
        done = await client.post(f"/api/v1/studios/{first}/{path}", json=body, headers=office)
        assert done.status_code in (200, 201), done.text
    reversal = {"voucher_no": "GK-5", "reason": "错付"}
    reversed_ = await client.post(f"/api/v1/studios/{last}/subsidy-reversals", json=reversal, headers=finance)
    assert reversed_.status_code == 200, reversed_.text
    await settled(client)

    audit = conforming(await client.get("/api/v1/audit", params={"limit": 3}, headers=auditor), a.AuditPage)
    assert [e.position for e in audit.items] == sorted(e.position for e in audit.items)
    assert audit.items[0].type == "Submitted"
    assert audit.next_cursor is not None
    after = await client.get("/api/v1/audit", params={"cursor": audit.next_cursor}, headers=auditor)
    assert conforming(after, a.AuditPage).items[0].position > audit.items[-1].position

    entries = conforming(await client.get("/api/v1/ledger/entries", headers=finance), a.LedgerPage)
    assert {e.entry for e in entries.items} == {"commitment", "payment", "reversal"}
    assert {e.amount for e in entries.items} == {"30000.00", "-30000.00"}
    for group_by, key in (("studio", "studio_id"), ("host", "host_name"), ("county", "county")):
        answer = await client.get("/api/v1/ledger/balances", params={"group_by": group_by}, headers=finance)
        balances = conforming(answer, a.Balances)
        assert balances.group_by == group_by
        assert all(getattr(b, key) is not msgspec.UNSET for b in balances.items)
    assert {b.outstanding for b in balances.items} == {"30000.00"}

    due = conforming(await client.get("/api/v1/reports/due?within_days=3660", headers=office), a.DueReport)
    assert len(due.evaluations_due) == 5
    assert [r.rectification_reason for r in due.rectification_deadlines] == ["failed_evaluation"]
    summary = conforming(await client.get("/api/v1/reports/summary", headers=auditor), a.SummaryReport)
    assert [t.kind for t in summary.subsidy_totals] == ["construction"]

    history = conforming(await client.get(f"/api/v1/studios/{first}/history", headers=auditor), a.History)
    assert all(e.type == type(e.data).__name__ for e in history.items)
    assert isinstance(history.items[0].data, Submitted)
    assert isinstance(history.items[-2].data, Evaluated)
    assert all(len(e.hash) == 64 for e in history.items)
    then = await client.get(f"/api/v1/studios/{first}/state", params={"version": 4}, headers=auditor)
    assert conforming(then, a.PastState).studio.status == "awarded"
    recorded_at = history.items[1].recorded_at.isoformat()
    then = await client.get(f"/api/v1/studios/{first}/state", params={"as_of": recorded_at}, headers=auditor)
    assert conforming(then, a.PastState).as_of is not None
    assert conforming(await client.get("/api/v1/integrity", headers=auditor), a.IntegrityVerdict).ok
    bundle = await client.get(f"/api/v1/studios/{first}/history/bundle", headers=auditor)
    assert len(conforming(bundle, Bundle).events) == len(history.items)

    statement = (
        "voucher_no,payee_credit_code,amount,paid_on\n"
        f"GK-1,{b.credit_code(1)},30000.00,2026-06-01\n"  # matched
        f"GK-2,{b.credit_code(2)},3000.00,2026-06-01\n"  # amount_mismatch
        f"GK-3,{b.credit_code(1)},30000.00,2026-06-01\n"  # payee_mismatch
        f"GK-9,{b.credit_code(9)},100.00,2026-06-02\n"  # missing_in_ledger (GK-4: missing_in_statement)
        f"GK-1,{b.credit_code(1)},30000.00,2026-06-01\n"  # duplicate_in_statement
    ).encode()
    made = await client.post(
        "/api/v1/reconciliations", content=statement, headers={**finance, "Content-Type": "text/csv"}
    )
    report = conforming(made, a.Reconciliation)
    categories = report.items.__struct_fields__
    assert all(len(getattr(report.items, c)) == 1 for c in categories), report.items
    assert all(getattr(report.summary, c) == 1 for c in categories)
    assert report.items.missing_in_statement[0].voucher_no == "GK-4"
    assert report.summary.totals.amount_mismatch == a.CategoryTotal(statement="3000.00", ledger="30000.00")
    stored = await client.get(f"/api/v1/reconciliations/{report.id}", headers=auditor)
    assert conforming(stored, a.Reconciliation).items == report.items


async def test_the_policy_honour_and_review_answers_are_what_the_document_describes(
    client: AsyncTestClient[Litestar], tokens: Tokens
) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    for path, method, status, struct in (
        ("/api/v1/policy", "get", "200", s.PolicyView),
        ("/api/v1/policy/subsidy-standards", "post", "201", s.SubsidyStandardView),
        ("/api/v1/studios/{studio_id}/honours", "post", "201", s.HonourAnswer),
        ("/api/v1/studios/{studio_id}/rectification-reviews", "post", "200", s.StudioView),
    ):
        content = document["paths"][path][method]["responses"][status]["content"]
        assert content["application/json"]["schema"] == {"$ref": f"#/components/schemas/{struct.__name__}"}
    office = tokens.headers("city_office")
    standard = await client.post("/api/v1/policy/subsidy-standards", json=bodies.standard(), headers=office)
    assert conforming(standard, s.SubsidyStandardView).rates == bodies.RATES
    policy = conforming(await client.get("/api/v1/policy", headers=office), s.PolicyView)
    assert policy.subsidy_standard_in_force is not None
    sid = (await studio_at(client, tokens, "awarded"))["id"]
    honour = await client.post(f"/api/v1/studios/{sid}/honours", json=bodies.honour(), headers=office)
    assert conforming(honour, s.HonourAnswer).honours[0].person == "master"
    for path, body in (("evaluations", bodies.evaluation(55)), ("rectification-orders", bodies.order())):
        assert (
            await client.post(f"/api/v1/studios/{sid}/{path}", json=body, headers=office)
        ).status_code < 300
    reviewed = await client.post(
        f"/api/v1/studios/{sid}/rectification-reviews", json=bodies.review(False), headers=office
    )
    view = conforming(reviewed, s.StudioView)
    assert view.open_rectification is not None
    assert view.open_rectification.last_review_passed is False
    assert view.last_evaluation is not None
    assert [h.honour for h in view.last_evaluation.award_evidence] == ["温州市首席技师"]


def test_every_query_documents_the_consistency_header() -> None:
    document = json.loads(COMMITTED.read_text())
    for path, operations in document["paths"].items():
        if not path.startswith("/api/v1") or "get" not in operations:
            continue
        headers = [p["name"] for p in operations["get"].get("parameters", []) if p["in"] == "header"]
        assert "Casework-Position" in headers, path
