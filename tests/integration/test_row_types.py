"""Each projection table is declared once, as a row type: its fields are the table's columns
in the table's order, and what is derived from it (COPY text, the answer, the export's
header) agrees with the table and with the answers the API gives."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec
import psycopg
import pytest
from psycopg.types.json import Jsonb

from api import answers
from projections import rows
from projections.audit import AuditRow
from projections.base import table
from projections.ledger import LedgerRow, LedgerStudioRow
from projections.register import RegisterRow
from projections.runner import Projector

ROW_TYPES = {
    "audit_trail": AuditRow,
    "ledger_lines": LedgerRow,
    "ledger_studios": LedgerStudioRow,
    "register_studios": RegisterRow,
}


@pytest.mark.parametrize(("view", "row"), ROW_TYPES.items())
def test_a_row_type_is_its_tables_columns_in_order(
    projector: Projector, database_url: str, view: str, row: type[msgspec.Struct]
) -> None:
    del projector  # it made the tables
    with psycopg.connect(database_url) as conn:
        found = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "ORDER BY ordinal_position",
            (view,),
        ).fetchall()
    assert tuple(name for (name,) in found) == rows.columns(row)


def test_a_ledger_line_goes_in_by_copy_text_and_comes_back_the_same(
    projector: Projector, database_url: str
) -> None:
    del projector
    line = LedgerRow(
        position=7, line=1, studio_id=uuid.uuid4(), county="鹿城区", host_credit_code="91330300MA2000000X",
        host_name="温州\t某某\\机械", kind="construction", entry="payment", account="treasury",
        amount_fen=-3_000_000, voucher_no=None, effective_on=dt.date(2026, 11, 26),
        recorded_at=dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC),
    )  # fmt: skip
    studio = LedgerStudioRow(
        studio_id=line.studio_id, level="city", county="鹿城区", host_credit_code="X", host_name="某某",
        construction_outstanding=0, vouchers=Jsonb({"GK-1": "construction"}), revoked=False,
    )  # fmt: skip
    with psycopg.connect(database_url) as conn:
        # As the projection writes them: COPY text and an upsert, into the generation's tables.
        names = ", ".join(rows.columns(LedgerRow))
        with conn.cursor().copy(f"COPY {table('ledger_lines', 1)} ({names}) FROM STDIN") as copy:
            copy.write(rows.line(line))
        conn.execute(rows.upsert(table("ledger_studios", 1), LedgerStudioRow), rows.values(studio))
        back = conn.execute("SELECT * FROM ledger_lines WHERE position = 7").fetchone()
        vouchers = conn.execute("SELECT vouchers FROM ledger_studios").fetchone()
    assert back == rows.values(line)
    assert vouchers == ({"GK-1": "construction"},)


def test_the_answers_are_made_from_the_rows() -> None:
    # Money kept in fen is answered in yuan under its plain name; every other field as kept.
    assert answers.LedgerLine.__struct_fields__ == rows.shown(LedgerRow)
    assert "amount" in answers.LedgerLine.__struct_fields__
    assert rows.in_yuan(LedgerRow) == ("amount",)
    assert answers.AuditEntry.__struct_fields__ == rows.columns(AuditRow)
    assert answers.LedgerLine.__doc__ == "One line of a double entry: debit positive, credit negative."
