"""Reconciling a 100,000-row statement against 100,000 payments, beside merely parsing it.

The payments are written straight into the ledger's table (two lines each, as the ledger
projection writes them): the subject here is the reconciliation, not the loading.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

from casework.application import Casework
from casework.embedded import EmbeddedPostgres
from projections.ledger import Ledger
from projections.reconciliation import parse_statement, store_reconciliation
from projections.runner import Projector


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="casework-bench-reconcile-"))
    server = EmbeddedPostgres(folder / "db", throwaway=True)
    app = Casework(server.url)
    try:
        projector = Projector(app, server.url)
        projector.ensure(Ledger())
        projector.close()
        paid_on = dt.date(2025, 6, 1)
        now = dt.datetime.now(dt.UTC)
        _load_payments(server.url, args.rows, paid_on, now)
        data = _statement(args.rows)
        started = time.perf_counter()
        statement = parse_statement(data)
        parse_seconds = time.perf_counter() - started
        with psycopg.connect(server.url) as conn:
            started = time.perf_counter()
            report = store_reconciliation(conn, data, filename="bench.csv", created_by="bench", now=now)
            reconcile_seconds = time.perf_counter() - started
        assert report["summary"]["amount_mismatch"] == args.rows // 100
        parse_rate = len(statement.rows) / parse_seconds
        rate = len(statement.rows) / reconcile_seconds
        print(f"date: {dt.date.today()}  rows: {len(statement.rows)}  payments: {args.rows}")
        print(f"parse the statement:               {parse_rate:>10,.0f} rows/s ({parse_seconds:.2f}s)")
        print(f"parse, reconcile and store report: {rate:>10,.0f} rows/s ({reconcile_seconds:.2f}s)")
        print(f"reconcile ratio: {rate / parse_rate:.2f}")
    finally:
        app.close()
        server.stop()


def _load_payments(url: str, count: int, paid_on: dt.date, now: dt.datetime) -> None:
    """``count`` construction payments of 30,000.00, two ledger lines each, copied straight in."""
    columns = (
        "position, line, studio_id, county, host_credit_code, host_name, kind, entry, "
        "account, amount_fen, voucher_no, effective_on, recorded_at"
    )
    with (
        psycopg.connect(url) as conn,
        conn.cursor() as curs,
        curs.copy(f"COPY ledger_lines_g1 ({columns}) FROM STDIN") as copy,
    ):
        for n in range(count):
            studio = uuid.UUID(int=n + 1)
            for line, (account, amount) in enumerate((("payable", 3_000_000), ("treasury", -3_000_000))):
                copy.write_row(
                    (
                        n + 1,
                        line,
                        studio,
                        "鹿城区",
                        f"PAYEE{n:013d}",
                        "某公司",
                        "construction",
                        "payment",
                        account,
                        amount,
                        f"V{n:08d}",
                        paid_on,
                        now,
                    )
                )


def _statement(count: int) -> bytes:
    """The bank's statement of those payments, in GBK; one in a hundred amounts differs."""
    lines = ["voucher_no,payee_credit_code,amount,paid_on"]
    for n in range(count):
        amount = "30000.00" if n % 100 else "29999.00"  # one in a hundred differs
        lines.append(f"V{n:08d},PAYEE{n:013d},{amount},2025-06-01")
    return ("\n".join(lines) + "\n").encode("gbk")


if __name__ == "__main__":
    main()
