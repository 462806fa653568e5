"""The audit trail of the whole log exported over HTTP (CSV, then XLSX), from the API as
deployed (``casework serve``, one worker): the API process's peak memory against its memory
before, and the export's rows/s against a raw COPY of the same rows in the same run.

The data set is ``benchmarks.clone``'s (a seed of studios loaded through the application,
copied under new ids by SQL); the projections are brought up to date first. Each format is
exported by a fresh API process, so that its peak (VmHWM) is that export's alone. Prints
``export <format> peak rss: <MB>`` and ``export <format> ratio: <x>``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import psutil

from api.auth import issue_token, jwt_secret
from api.exports import XLSX
from benchmarks.api import free_port, ready, start
from benchmarks.clone import ensure_cloned
from benchmarks.loadgen import peak_rss_mb
from casework.application import Casework
from casework.logging import configure_logging
from projections.runner import Projector, all_projections

AUDIT = "SELECT * FROM audit_trail ORDER BY position"


@dataclass(frozen=True)
class Exported:
    rows: int
    size: int
    seconds: float
    before_mb: float
    peak_mb: float


async def raw_copy(database_url: str) -> tuple[int, float]:
    """The same rows in the same order as CSV, by COPY to nowhere: rows and seconds."""
    conn = await asyncpg.connect(database_url)
    lines = 0

    async def count(data: bytes) -> None:
        nonlocal lines
        lines += data.count(b"\n")

    started = time.perf_counter()
    await conn.copy_from_query(AUDIT, output=count, format="csv")
    seconds = time.perf_counter() - started
    await conn.close()
    return lines, seconds


def export(database_url: str, folder: Path, accept: str) -> Exported:
    """One export by a fresh ``casework serve``, the body read and dropped as it comes."""
    port = free_port()
    serve = start(["serve", "--no-projections", "--workers", "1"], database_url, folder, port)
    try:
        asyncio.run(ready(port))
        token = issue_token(jwt_secret(None, folder), role="auditor", subject="bench")
        before = psutil.Process(serve.pid).memory_info().rss / 2**20
        size = lines = 0
        started = time.perf_counter()
        headers = {"Authorization": f"Bearer {token}", "Accept": accept}
        with httpx.stream(
            "GET", f"http://127.0.0.1:{port}/api/v1/audit", headers=headers, timeout=3600
        ) as answer:
            assert answer.status_code == 200, answer.status_code
            for piece in answer.iter_raw(1 << 20):
                size += len(piece)
                lines += piece.count(b"\n")
        seconds = time.perf_counter() - started
        peak = peak_rss_mb(serve.pid)
    finally:
        serve.terminate()
        serve.wait(30)
    rows = asyncio.run(audit_rows(database_url))
    # A CSV has a line per row and the header (more if a text holds a line break); a workbook's
    # lines are not its rows, which were counted by openpyxl as it wrote them.
    assert accept == XLSX or lines > rows, (lines, rows)
    return Exported(rows=rows, size=size, seconds=seconds, before_mb=before, peak_mb=peak)


async def audit_rows(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM audit_trail"))
    finally:
        await conn.close()


def catch_up(database_url: str) -> int:
    app = Casework(database_url)
    projector = Projector(app, database_url)
    for projection in all_projections():
        projector.ensure(projection)
        projector.catch_up(projection, limit=5000)
    head = projector.head()
    projector.close()
    app.close()
    return head


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed-studios", type=int, default=1000)
    parser.add_argument("--formats", default="csv,xlsx")
    args = parser.parse_args()
    configure_logging("console", "warning")
    server = ensure_cloned(args.events, args.seed_studios)
    folder = Path(tempfile.mkdtemp(prefix="casework-bench-export-"))
    try:
        events = catch_up(server.url)
        print(f"date: {dt.date.today()}  events: {events}")
        rows, seconds = asyncio.run(raw_copy(server.url))
        raw_rate = rows / seconds
        print(
            f"raw COPY of audit_trail (CSV to nowhere): {rows} rows in {seconds:.1f}s, {raw_rate:,.0f} rows/s"
        )
        for name in args.formats.split(","):
            got = export(server.url, folder, XLSX if name == "xlsx" else "text/csv")
            rate = got.rows / got.seconds
            print(
                f"export {name}: {got.rows} rows, {got.size / 2**20:.0f} MiB in {got.seconds:.1f}s, "
                f"{rate:,.0f} rows/s; api rss before {got.before_mb:.0f} MB, peak {got.peak_mb:.0f} MB "
                f"(+{got.peak_mb - got.before_mb:.0f} MB)"
            )
            print(f"export {name} peak rss: {got.peak_mb:.0f}")
            print(f"export {name} ratio: {rate / raw_rate:.3f}")
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
