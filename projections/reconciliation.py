"""Reconciling the treasury's payment statement against the subsidy ledger (市财政局).

A statement is CSV (UTF-8 with or without BOM, or GB18030/GBK as Chinese bank exports
often are) or XLSX, with the columns voucher_no, payee_credit_code, amount, paid_on. It may
state the date it is as of (a first row ``as_of,2026-06-30``); the ledger is then compared
as it stood on that date. Rows are matched on the voucher number, then compared on amount
(exactly) and payee. The report is stored once and never changes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from typing import Any

from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from casework.domain.errors import FieldError, InvalidRequest
from casework.domain.values import yuan
from casework.store import SCHEMA_LOCK
from projections.spreadsheet import Workbook

COLUMNS = ("voucher_no", "payee_credit_code", "amount", "paid_on")
CATEGORIES = (
    "matched",
    "amount_mismatch",
    "payee_mismatch",
    "missing_in_ledger",
    "missing_in_statement",
    "duplicate_in_statement",
)
_AMOUNT = re.compile(r"^-?\d{1,12}(\.\d{1,2})?$")
_XLSX_MAGIC = b"PK\x03\x04"

# Bounds of a statement, checked before anything is parsed: a treasury statement has four
# columns and a row per payment. Past them, a file is refused (422 invalid_statement, naming
# the bound): a 1 KB workbook claiming A1:XFD1048576, a compressed part of gigabytes, or a
# line of millions of commas would otherwise be expanded in memory.
MAX_ROWS = 200_000
MAX_COLUMNS = 32
MAX_LINE = 4_096  # characters of one CSV line
MAX_UNPACKED = 256 * 1024 * 1024  # bytes of a workbook's parts, uncompressed, together
MAX_RATIO = 200  # how much any part of a workbook may expand


def sql(name: str | None = None) -> str:
    """The DDL of reconciliation.sql, or one of its named queries."""
    text = resources.files("projections").joinpath("reconciliation.sql").read_text()
    ddl, *queries = re.split(r"^-- name: (\w+)\n", text, flags=re.MULTILINE)
    if name is None:
        return ddl
    named = dict(zip(queries[::2], queries[1::2], strict=True))
    return named[name].strip().rstrip(";")


@dataclass(frozen=True)
class StatementRow:
    row: int  # as a clerk counts rows in the file: the header is row 1
    voucher_no: str
    payee_credit_code: str
    amount_fen: int
    paid_on: dt.date


@dataclass(frozen=True)
class Statement:
    rows: list[StatementRow]
    as_of: dt.date | None = None


def invalid(row: int, column: str, message: str) -> InvalidRequest:
    field = f"row {row}, column {column}"
    return InvalidRequest(
        "invalid_statement", f"{field}: {message}", [FieldError(field=field, message=message)]
    )


def _cells(data: bytes) -> list[list[str]]:
    """The statement's cells as text, whatever the file's format or encoding."""
    if data.startswith(_XLSX_MAGIC):
        return _workbook_cells(data)
    _check_lines(data)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise invalid(1, "file", "the file is neither UTF-8 nor GB18030/GBK text")
    if "\x00" in text:
        raise invalid(1, "file", "the file is binary, not a CSV statement")
    lines = text.splitlines()  # at most MAX_ROWS + 2 of them (_check_lines)
    for n, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE:
            raise invalid(n, "line", f"a line has at most {MAX_LINE} characters")
    rows = []
    for n, row in enumerate(csv.reader(lines), start=1):
        if len(row) > MAX_COLUMNS:
            raise invalid(n, "columns", f"a statement has at most {MAX_COLUMNS} columns")
        rows.append([c.strip() for c in row])
    return rows


def _check_lines(data: bytes) -> None:
    """Lines and their lengths counted on the bytes, before any copy is decoded: a 60 MB line of
    commas is refused without being read twice. (A character is at most 4 bytes here.)"""
    start, n = 0, 0
    while start < len(data):
        n += 1
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        if end - start > 4 * MAX_LINE:
            raise invalid(n, "line", f"a line has at most {MAX_LINE} characters")
        if n > MAX_ROWS + 2:
            raise invalid(n, "file", f"a statement has at most {MAX_ROWS} rows")
        start = end + 1


def _workbook_cells(data: bytes) -> list[list[str]]:
    """The first sheet's cells, once the workbook's size and compression are within bounds."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile:
        raise invalid(1, "file", "not a readable XLSX workbook (not a zip archive)") from None
    if sum(part.file_size for part in parts) > MAX_UNPACKED:
        raise invalid(1, "file", f"the workbook unpacks to more than {MAX_UNPACKED // 2**20} MiB")
    for part in parts:
        if part.file_size > MAX_RATIO * max(part.compress_size, 1) and part.file_size > 2**20:
            raise invalid(
                1, "file", f"{part.filename} expands more than {MAX_RATIO} times: refused as a bomb"
            )
    from openpyxl import load_workbook  # noqa: PLC0415 - only statements in XLSX need it

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        # The sheet's own <dimension> is not believed (A1:XFD1048576 pads every row to
        # 16,384 cells): only the cells there are, in the columns a statement can have.
        sheet.reset_dimensions()
        rows = []
        for n, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            if n > MAX_ROWS + 2:
                raise invalid(n, "file", f"a statement has at most {MAX_ROWS} rows")
            rows.append(["" if v is None else _cell_text(v) for v in row])
    except InvalidRequest:
        raise
    except Exception as error:  # openpyxl raises many kinds on a broken file
        raise invalid(1, "file", f"not a readable XLSX workbook ({type(error).__name__})") from None
    return rows


def _cell_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{Decimal(str(value)):f}"
    return str(value).strip()


def parse_statement(data: bytes) -> Statement:
    """Read a statement, or refuse it naming the row and column (nothing is kept)."""
    cells = [row for row in _cells(data) if any(c for c in row)]
    if not cells:
        raise invalid(1, "file", "the statement is empty")
    as_of: dt.date | None = None
    offset = 1
    if cells[0] and cells[0][0].lower() == "as_of":
        as_of = _date(cells[0][1] if len(cells[0]) > 1 else "", 1, "as_of")
        cells = cells[1:]
        offset = 2
    if not cells:
        raise invalid(offset, "header", "the header row is missing")
    header = [h.strip().lower().lstrip("\ufeff") for h in cells[0]]
    for column in COLUMNS:
        if column not in header:
            raise invalid(offset, column, f"the column {column} is missing from the header")
    where = {column: header.index(column) for column in COLUMNS}
    rows = []
    for n, raw in enumerate(cells[1:], start=offset + 1):
        values = {column: raw[i] if i < len(raw) else "" for column, i in where.items()}
        if not values["voucher_no"]:
            raise invalid(n, "voucher_no", "a voucher number is required")
        if not _AMOUNT.match(values["amount"].replace(",", "")):
            raise invalid(n, "amount", f"{values['amount']!r} is not an amount with at most two decimals")
        rows.append(
            StatementRow(
                row=n,
                voucher_no=values["voucher_no"],
                payee_credit_code=values["payee_credit_code"].upper(),
                amount_fen=int(Decimal(values["amount"].replace(",", "")) * 100),
                paid_on=_date(values["paid_on"], n, "paid_on"),
            )
        )
    return Statement(rows=rows, as_of=as_of)


def _date(text: str, row: int, column: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        raise invalid(row, column, f"{text!r} is not a date (YYYY-MM-DD)") from None


@dataclass
class Report:
    id: uuid.UUID
    as_of: dt.date | None
    items: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {c: [] for c in CATEGORIES})

    def summary(self) -> dict[str, Any]:
        def total(rows: list[dict[str, Any]], key: str) -> str:
            return yuan(sum(_fen(r[key]) for r in rows if key in r))

        summary: dict[str, Any] = {c: len(rows) for c, rows in self.items.items()}
        summary["totals"] = {
            c: {"statement": total(rows, "statement_amount"), "ledger": total(rows, "ledger_amount")}
            for c, rows in self.items.items()
        }
        return summary


def reconcile(
    statement: Statement, ledger: list[dict[str, Any]], report_id: uuid.UUID | None = None
) -> Report:
    """Match statement rows to standing ledger payments by voucher; sort each into its category."""
    report = Report(id=report_id or uuid.uuid4(), as_of=statement.as_of)
    by_voucher = {p["voucher_no"]: p for p in ledger}
    seen: set[str] = set()
    for row in statement.rows:
        entry: dict[str, Any] = {
            "row": row.row,
            "voucher_no": row.voucher_no,
            "statement_payee": row.payee_credit_code,
            "statement_amount": yuan(row.amount_fen),
            "statement_paid_on": row.paid_on.isoformat(),
        }
        if row.voucher_no in seen:
            report.items["duplicate_in_statement"].append(entry)
            continue
        seen.add(row.voucher_no)
        payment = by_voucher.get(row.voucher_no)
        if payment is None:
            report.items["missing_in_ledger"].append(entry)
            continue
        entry |= {
            "studio_id": str(payment["studio_id"]),
            "ledger_payee": payment["host_credit_code"],
            "ledger_amount": yuan(int(payment["amount_fen"])),
            "ledger_paid_on": payment["effective_on"].isoformat(),
            "kind": payment["kind"],
        }
        if int(payment["amount_fen"]) != row.amount_fen:
            report.items["amount_mismatch"].append(entry)
        elif payment["host_credit_code"] != row.payee_credit_code:
            report.items["payee_mismatch"].append(entry)
        else:
            report.items["matched"].append(entry)
    for voucher, payment in sorted(by_voucher.items()):
        if voucher not in seen:
            report.items["missing_in_statement"].append(
                {
                    "voucher_no": voucher,
                    "studio_id": str(payment["studio_id"]),
                    "ledger_payee": payment["host_credit_code"],
                    "ledger_amount": yuan(int(payment["amount_fen"])),
                    "ledger_paid_on": payment["effective_on"].isoformat(),
                    "kind": payment["kind"],
                }
            )
    return report


def _fen(yuan: str) -> int:
    return int(Decimal(yuan) * 100)


def rows_for_export(items: dict[str, list[dict[str, Any]]]) -> tuple[list[str], list[list[Any]]]:
    """One table of every item with its category, amounts in yuan: for CSV and XLSX."""
    columns = ["category", "row", "voucher_no", "studio_id", "kind", "statement_payee", "ledger_payee",
               "statement_amount", "ledger_amount", "statement_paid_on", "ledger_paid_on"]  # fmt: skip
    rows = []
    for category in CATEGORIES:
        for item in items.get(category, []):
            merged = {**item, "category": category}
            rows.append([merged.get(c, "") for c in columns])
    return columns, rows


def xlsx(columns: list[str], rows: list[list[Any]], title: str) -> bytes:
    book = Workbook(columns, title)
    book.append(rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ensure_tables(conn: Any) -> None:
    """Create the reports' table and its guard once (under the schema lock), else nothing."""
    found = conn.execute("SELECT to_regclass('casework_reconciliations')").fetchone()
    if found and found[0] is not None:
        return
    with conn.transaction():
        conn.execute(SCHEMA_LOCK)
        conn.execute(sql())


def store_reconciliation(
    conn: Any, data: bytes, *, filename: str, created_by: str, now: dt.datetime, as_of: dt.date | None = None
) -> dict[str, Any]:
    """Parse, reconcile against the ledger, and store the report in one transaction."""
    statement = parse_statement(data)
    if as_of is not None:
        statement = Statement(rows=statement.rows, as_of=as_of)
    with conn.transaction():
        ensure_tables(conn)
        with conn.cursor(row_factory=dict_row) as curs:
            ledger = curs.execute(sql("standing_payments"), {"as_of": statement.as_of}).fetchall()
        report = reconcile(statement, ledger)
        summary = report.summary()
        conn.execute(
            "INSERT INTO casework_reconciliations "
            "(id, created_at, created_by, filename, as_of, summary, items) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (
                report.id,
                now,
                created_by,
                filename,
                statement.as_of,
                Jsonb(summary),
                Jsonb(report.items),
            ),
        )
    return {
        "id": report.id,
        "created_at": now,
        "created_by": created_by,
        "filename": filename,
        "as_of": statement.as_of,
        "summary": summary,
        "items": report.items,
    }


def load_reconciliation(conn: Any, report_id: uuid.UUID) -> dict[str, Any] | None:
    ensure_tables(conn)
    with conn.cursor(row_factory=dict_row) as curs:
        found: dict[str, Any] | None = curs.execute(
            "SELECT id, created_at, created_by, filename, as_of, summary, items "
            "FROM casework_reconciliations WHERE id = %s",
            (report_id,),
        ).fetchone()
    return found
