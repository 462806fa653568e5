"""Reconciling the treasury's statements: every category, encodings, XLSX, as-of dates, immutability."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from openpyxl import Workbook

from casework.application import Casework, Context
from casework.domain import commands as c
from casework.domain.errors import InvalidRequest
from projections.models import all_projections
from projections.reconciliation import parse_statement, store_reconciliation
from projections.runner import Projector
from tests import builders as b
from tests.serving import casework

NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)


def ctx(actor: Any) -> Context:
    return Context(actor=actor, correlation_id="c", request_id="r")


@pytest.fixture
def ledger(app: Casework, database_url: str) -> dict[str, str]:
    """Six paid studios (V1..V6, V2 reversed on 2014-06-10, V6 paid on 2014-07-15); their payees."""
    payees: dict[str, str] = {}
    for n in range(1, 7):
        sid = uuid.uuid4()
        app.execute(b.submit(sid, serial=n, master_name=f"张{n}"), ctx(b.applicant()))
        app.execute(b.approve(sid), ctx(b.reviewer()))
        app.execute(b.assess(sid), ctx(b.CITY_OFFICE))
        app.execute(b.award(sid), ctx(b.CITY_OFFICE))
        paid_on = b.D(2014, 7, 15) if n == 6 else b.D(2014, 6, 1)
        payment = c.PaySubsidy(studio_id=sid, kind="construction", amount_fen=3_000_000, voucher_no=f"V{n}",
                               paid_on=paid_on)  # fmt: skip
        app.execute(payment, ctx(b.FINANCE))
        payees[f"V{n}"] = b.credit_code(n)
        if n == 2:
            reverse = c.ReverseSubsidy(
                studio_id=sid, voucher_no="V2", reason="退回", reversed_on=b.D(2014, 6, 10)
            )
            app.execute(reverse, ctx(b.FINANCE))
    projector = Projector(app, database_url)
    for projection in all_projections():
        projector.ensure(projection)
        projector.catch_up(projection)
    projector.close()
    return payees


def statement(rows: list[tuple[str, str, str, str]], as_of: str | None = None, bom: bool = False) -> bytes:
    lines = [f"as_of,{as_of}"] if as_of else []
    lines.append("voucher_no,payee_credit_code,amount,paid_on,备注")
    lines += [",".join((*row, "国库集中支付")) for row in rows]
    return (("\ufeff" if bom else "") + "\n".join(lines) + "\n").encode()


def crafted(payees: dict[str, str]) -> list[tuple[str, str, str, str]]:
    return [
        ("V1", payees["V1"], "30000.00", "2014-06-01"),  # matched
        ("V3", payees["V3"], "3000.00", "2014-06-01"),  # amount_mismatch
        ("V4", b.credit_code(99), "30000.00", "2014-06-01"),  # payee_mismatch
        ("V9", payees["V1"], "500.00", "2014-06-02"),  # missing_in_ledger
        ("V1", payees["V1"], "30000.00", "2014-06-01"),  # duplicate_in_statement
        ("V2", payees["V2"], "30000.00", "2014-06-01"),  # reversed in the ledger: missing_in_ledger
        ("V6", payees["V6"], "30000.00", "2014-07-15"),  # matched
    ]  # V5 is missing_in_statement


def vouchers(report: dict[str, Any], category: str) -> list[str]:
    return [item["voucher_no"] for item in report["items"][category]]


def test_each_category_of_the_report(database_url: str, ledger: dict[str, str]) -> None:
    with psycopg.connect(database_url) as conn:
        report = store_reconciliation(
            conn, statement(crafted(ledger)), filename="s.csv", created_by="t", now=NOW
        )
    assert vouchers(report, "matched") == ["V1", "V6"]
    assert vouchers(report, "amount_mismatch") == ["V3"]
    assert vouchers(report, "payee_mismatch") == ["V4"]
    assert vouchers(report, "missing_in_ledger") == ["V9", "V2"]
    assert vouchers(report, "missing_in_statement") == ["V5"]
    assert vouchers(report, "duplicate_in_statement") == ["V1"]
    assert report["items"]["duplicate_in_statement"][0]["row"] == 6
    # Money as the API writes it everywhere: a decimal string with two places.
    mismatch = report["items"]["amount_mismatch"][0]
    assert (mismatch["statement_amount"], mismatch["ledger_amount"]) == ("3000.00", "30000.00")
    assert report["items"]["missing_in_statement"][0]["ledger_amount"] == "30000.00"
    summary = report["summary"]
    assert summary["matched"] == 2
    assert summary["totals"]["amount_mismatch"] == {"statement": "3000.00", "ledger": "30000.00"}
    assert summary["totals"]["missing_in_statement"] == {"statement": "0.00", "ledger": "30000.00"}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk", "gb18030"])
def test_chinese_exports_in_any_encoding(database_url: str, ledger: dict[str, str], encoding: str) -> None:
    text = statement(crafted(ledger)).decode()
    with psycopg.connect(database_url) as conn:
        report = store_reconciliation(conn, text.encode(encoding), filename="s.csv", created_by="t", now=NOW)
    assert report["summary"]["matched"] == 2
    assert report["summary"]["duplicate_in_statement"] == 1


def test_xlsx_statements(database_url: str, ledger: dict[str, str]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["voucher_no", "payee_credit_code", "amount", "paid_on"])
    for voucher, payee, amount, paid_on in crafted(ledger):
        sheet.append([voucher, payee, float(amount), dt.date.fromisoformat(paid_on)])
    out = io.BytesIO()
    book.save(out)
    with psycopg.connect(database_url) as conn:
        report = store_reconciliation(conn, out.getvalue(), filename="s.xlsx", created_by="t", now=NOW)
    assert vouchers(report, "matched") == ["V1", "V6"]
    assert vouchers(report, "amount_mismatch") == ["V3"]


def test_the_ledger_is_compared_as_of_the_statement_date(database_url: str, ledger: dict[str, str]) -> None:
    rows = [("V1", ledger["V1"], "30000.00", "2014-06-01"), ("V2", ledger["V2"], "30000.00", "2014-06-01")]
    with psycopg.connect(database_url) as conn:
        # On 2014-06-05, V2 was not yet reversed and V6 not yet paid.
        early = store_reconciliation(
            conn, statement(rows, as_of="2014-06-05"), filename="s", created_by="t", now=NOW
        )
        late = store_reconciliation(conn, statement(rows), filename="s", created_by="t", now=NOW)
    assert early["as_of"] == dt.date(2014, 6, 5)
    assert vouchers(early, "matched") == ["V1", "V2"]
    assert "V6" not in vouchers(early, "missing_in_statement")
    assert vouchers(late, "missing_in_ledger") == ["V2"]
    assert "V6" in vouchers(late, "missing_in_statement")


def test_reports_never_change_and_reconciling_again_makes_a_new_one(
    database_url: str, ledger: dict[str, str]
) -> None:
    with psycopg.connect(database_url) as conn:
        first = store_reconciliation(conn, statement(crafted(ledger)), filename="s", created_by="t", now=NOW)
        second = store_reconciliation(conn, statement(crafted(ledger)), filename="s", created_by="t", now=NOW)
    assert first["id"] != second["id"]
    for statement_sql in (
        "UPDATE casework_reconciliations SET summary = '{}' WHERE id = %s",
        "DELETE FROM casework_reconciliations WHERE id = %s",
    ):
        with psycopg.connect(database_url) as conn, pytest.raises(psycopg.errors.RaiseException):
            conn.execute(statement_sql, (first["id"],))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "row", "column"),
    [
        (b"voucher_no,amount,paid_on\nV1,1.00,2014-06-01\n", 1, "payee_credit_code"),
        (b"voucher_no,payee_credit_code,amount,paid_on\nV1,X,12.345,2014-06-01\n", 2, "amount"),
        (
            b"voucher_no,payee_credit_code,amount,paid_on\nV1,X,1.00,2014-06-01\nV2,X,abc,2014-06-01\n",
            3,
            "amount",
        ),
        (b"voucher_no,payee_credit_code,amount,paid_on\nV1,X,1.00,01/06/2014\n", 2, "paid_on"),
        (b"as_of,someday\nvoucher_no,payee_credit_code,amount,paid_on\n", 1, "as_of"),
        (b"\xff\xfe\x00\x00binary\x00junk", 1, "file"),
        (b"PK\x03\x04not really a workbook", 1, "file"),
        (b"", 1, "file"),
    ],
)
def test_bad_statements_are_refused_naming_row_and_column_and_nothing_is_stored(
    database_url: str, ledger: dict[str, str], data: bytes, row: int, column: str
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_statement(data)
    assert caught.value.code == "invalid_statement"
    assert caught.value.errors[0].field == f"row {row}, column {column}"
    with psycopg.connect(database_url) as conn:
        with pytest.raises(InvalidRequest):
            store_reconciliation(conn, data, filename="bad", created_by="t", now=NOW)
        exists = conn.execute("SELECT to_regclass('casework_reconciliations')").fetchone()
        if exists and exists[0]:
            assert conn.execute("SELECT count(*) FROM casework_reconciliations").fetchone() == (0,)


def test_casework_reconcile_from_the_command_line(
    database_url: str, ledger: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "国库支付清单.csv"
    path.write_bytes(statement(crafted(ledger)).decode().encode("gbk"))
    env = {"CASEWORK_DATABASE_URL": database_url, "CASEWORK_DATA_DIR": str(tmp_path)}
    run = casework("reconcile", str(path), env=env)
    assert run.returncode == 0, run.stderr
    assert "amount_mismatch" in run.stdout
    assert "missing_in_statement" in run.stdout
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"voucher_no,amount\n")
    refused = casework("reconcile", str(bad), env=env)
    assert refused.returncode == 1
    assert "row 1, column payee_credit_code" in refused.stderr
