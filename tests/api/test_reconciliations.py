"""Reconciliation over HTTP: a statement in, a stored report out, exports, refusals."""

from __future__ import annotations

import io

from litestar import Litestar
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from tests import builders as b
from tests.api.conftest import Tokens
from tests.api.helpers import studio_at

Client = AsyncTestClient[Litestar]


async def test_a_statement_is_reconciled_stored_and_exported(client: Client, tokens: Tokens) -> None:
    await studio_at(client, tokens, "paid", serial=1)
    await studio_at(client, tokens, "paid", serial=2)
    finance = tokens.headers("finance", **{"Content-Type": "text/csv"})
    body = (
        "voucher_no,payee_credit_code,amount,paid_on\n"
        f"GK-1,{b.credit_code(1)},30000.00,2026-06-01\n"
        f"GK-3,{b.credit_code(1)},100.00,2026-06-01\n"
    ).encode("gbk")
    made = await client.post("/api/v1/reconciliations", content=body, headers=finance)
    assert made.status_code == 201, made.text
    report = made.json()
    assert report["summary"]["matched"] == 1
    assert report["summary"]["missing_in_ledger"] == 1
    assert report["summary"]["missing_in_statement"] == 1
    again = await client.get(f"/api/v1/reconciliations/{report['id']}", headers=tokens.headers("auditor"))
    assert again.json()["summary"] == report["summary"]
    csv = await client.get(
        f"/api/v1/reconciliations/{report['id']}", headers=tokens.headers("finance", Accept="text/csv")
    )
    assert csv.content.startswith(b"\xef\xbb\xbfcategory,")
    xlsx = await client.get(
        f"/api/v1/reconciliations/{report['id']}",
        headers=tokens.headers(
            "finance", Accept="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
    )
    rows = list(load_workbook(io.BytesIO(xlsx.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "category"
    assert {r[0] for r in rows[1:]} == {"matched", "missing_in_ledger", "missing_in_statement"}
    ledger = await client.get(
        "/api/v1/ledger/entries",
        headers=tokens.headers(
            "finance", Accept="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
    )
    assert len(list(load_workbook(io.BytesIO(ledger.content)).worksheets[0].iter_rows())) == 1 + 8


async def test_a_bad_statement_is_422_naming_row_and_column(client: Client, tokens: Tokens) -> None:
    finance = tokens.headers("finance", **{"Content-Type": "text/csv"})
    bad = await client.post(
        "/api/v1/reconciliations",
        content=b"voucher_no,payee_credit_code,amount,paid_on\nV,X,1.234,2026-01-01\n",
        headers=finance,
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_statement"
    assert bad.json()["errors"][0]["field"] == "row 2, column amount"
    auditor = tokens.headers("auditor", **{"Content-Type": "text/csv"})
    refused = await client.post("/api/v1/reconciliations", content=b"x", headers=auditor)
    assert refused.status_code == 403


async def test_a_bomb_upload_is_refused_and_a_keyed_retry_gets_the_first_report(
    client: AsyncTestClient[Litestar], tokens: Tokens
) -> None:
    header = b"voucher_no,payee_credit_code,amount,paid_on\n"
    finance = tokens.headers("finance")
    bomb = await client.post(
        "/api/v1/reconciliations",
        content=header + b"," * 5_000_000,
        headers={**finance, "Content-Type": "text/csv"},
    )
    assert bomb.status_code == 422
    assert bomb.json()["code"] == "invalid_statement"
    assert "characters" in bomb.json()["detail"]
    good = header + b"GK-1,91330300000000001N,30000.00,2026-06-01\n"
    keyed = {**finance, "Content-Type": "text/csv", "Idempotency-Key": "statement-june"}
    first = await client.post("/api/v1/reconciliations", content=good, headers=keyed)
    assert first.status_code == 201, first.text
    again = await client.post("/api/v1/reconciliations", content=good, headers=keyed)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
