"""Exports far larger than a batch stream through a server-side cursor: the API never holds
the whole result, and a client that goes away gives the connection back.

The read side is filled by SQL with tens of thousands of lines (what the projections would
write for as many events), and the export is read straight from the ASGI application, chunk
by chunk, each chunk dropped once counted, as a client on a slow line would.
"""

from __future__ import annotations

import asyncio
import io
import os
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, cast

import httpx
import psycopg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from api.state import ApiState
from tests.api.conftest import Tokens
from tests.api.helpers import settled, studio_at

# The app's pool is made in the loop of the fixtures: the tests run in that same loop.
pytestmark = pytest.mark.asyncio(loop_scope="session")
Client = AsyncTestClient[Litestar]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LINES = 30_000
FIRST = 10_000_000  # positions far after the studio's own events


def fill(database_url: str) -> None:
    """LINES audit lines and as many ledger lines, beside those of the real studio."""
    with psycopg.connect(database_url) as conn:
        conn.execute(
            "INSERT INTO audit_trail SELECT %(first)s + n, gen_random_uuid(), 1, 'Submitted', "
            "'applicant.user', 'applicant', now(), current_date, 'c-' || n, 'r-' || n, "
            "'申报 温州某某机械有限公司 第' || n || '号 =SUM(A1)' FROM generate_series(1, %(lines)s) n",
            {"first": FIRST, "lines": LINES},
        )
        conn.execute(
            "INSERT INTO ledger_lines SELECT %(first)s + n, 0, gen_random_uuid(), '鹿城区', "
            "'91330300MA2000000X', '=HYPERLINK(1)', 'construction', 'payment', 'payable', 3000000, "
            "'GK-' || n, current_date, now() FROM generate_series(1, %(lines)s) n",
            {"first": FIRST, "lines": LINES},
        )


Send = Callable[[dict[str, Any]], Awaitable[None]]


@asynccontextmanager
async def serving(app: Litestar, database_url: str, tokens: Tokens) -> AsyncIterator[Client]:
    """The app started in the test's own task, with a paid studio and LINES filled lines (the
    test client runs the app in a thread of its own, where the ASGI calls below could not go)."""
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with app.lifespan(), httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        http = cast(Client, c)
        await studio_at(http, tokens, "paid")
        await settled(http)
        fill(database_url)
        yield http


async def export(
    app: Litestar,
    path: str,
    headers: dict[str, str],
    *,
    leave_after: int | None = None,
    leave_in: float | None = None,
) -> tuple[int, list[int], bytes]:
    """GET ``path`` from the ASGI app: the status, each chunk's size, and the body's first
    64 KiB (what a test reads of it). After ``leave_after`` chunks, or ``leave_in`` seconds,
    the client goes away."""
    gone = asyncio.Event()
    if leave_in is not None:
        asyncio.get_running_loop().call_later(leave_in, gone.set)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode("latin-1")) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await gone.wait()
        return {"type": "http.disconnect"}

    status = 0
    sizes: list[int] = []
    kept = bytearray()

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            if message.get("body"):
                sizes.append(len(message["body"]))
                if len(kept) < 65536:
                    kept.extend(message["body"][:65536])
            # A server tells the app that the client is gone once the answer is complete.
            if not message.get("more_body") or (leave_after is not None and len(sizes) >= leave_after):
                gone.set()

    await app(scope, receive, send)  # type: ignore[arg-type]
    return status, sizes, bytes(kept)


@pytest.mark.parametrize(
    ("path", "role", "accept"),
    [
        ("/api/v1/audit", "auditor", "text/csv"),
        ("/api/v1/audit", "auditor", XLSX),
        ("/api/v1/ledger/entries", "finance", "text/csv"),
        ("/api/v1/ledger/entries", "finance", XLSX),
    ],
)
async def test_an_export_far_larger_than_a_batch_streams_in_bounded_memory(
    litestar_app: Litestar, tokens: Tokens, database_url: str, path: str, role: str, accept: str
) -> None:
    async with serving(litestar_app, database_url, tokens):
        tracemalloc.start()
        try:
            status, sizes, head = await export(litestar_app, path, tokens.headers(role, Accept=accept))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert status == 200
    total = sum(sizes)
    # Sent in pieces (a CSV as the rows come, a workbook once built on disk), never the whole
    # result at once: before exports streamed, the 30,000 audit lines came as one body of
    # 6 MB, and the API held 66 MiB at its peak (the ledger's workbook, 43 MiB).
    pieces = 10 if accept == "text/csv" else 2
    assert len(sizes) >= pieces, (
        f"{len(sizes)} chunks of {total / 2**20:.1f} MiB, peak {peak / 2**20:.1f} MiB"
    )
    assert max(sizes) <= 1024 * 1024
    assert peak < 12 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB for {total / 2**20:.1f} MiB sent"
    if accept == "text/csv":
        assert head.startswith(b"\xef\xbb\xbf")
        assert head.decode("utf-8-sig", errors="ignore").startswith("position,")
    else:
        assert head.startswith(b"PK")


@pytest.mark.parametrize("accept", ["text/csv", XLSX])
async def test_a_client_that_goes_away_gives_the_connection_back(
    litestar_app: Litestar, tokens: Tokens, database_url: str, api_state: ApiState, accept: str
) -> None:
    headers = tokens.headers("auditor", Accept=accept)
    async with serving(litestar_app, database_url, tokens) as http:
        if accept == XLSX:
            # A workbook is sent once built: the client leaves while it is being written.
            status, sizes, _ = await export(litestar_app, "/api/v1/audit", headers, leave_in=0.5)
            assert sizes == []
        else:
            status, sizes, _ = await export(litestar_app, "/api/v1/audit", headers, leave_after=2)
            assert 2 <= len(sizes) < 20
        assert status == 200
        # The export's connection is back in the pool, its transaction ended: no session of
        # the database is left inside a transaction, and the pool lends every connection again.
        with psycopg.connect(database_url) as conn:
            for _ in range(100):
                inside = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state LIKE 'idle in transaction%%' AND pid <> pg_backend_pid()"
                ).fetchone()
                if inside == (0,):
                    break
                await asyncio.sleep(0.05)
        assert inside == (0,)
        pool = api_state.db
        assert pool.get_idle_size() == pool.get_size()
        # Nor is the abandoned workbook left on disk (openpyxl keeps a sheet in a temporary file).
        assert openpyxl_files() == []
        again = await http.get("/api/v1/audit", headers={**headers, "Accept": "text/csv"})
        assert again.status_code == 200
        assert len(again.content.decode("utf-8-sig").splitlines()) == 1 + LINES + 5


def openpyxl_files() -> list[str]:
    """The temporary files openpyxl has made in this process and not yet removed."""
    from openpyxl.worksheet import _writer  # noqa: PLC0415 - its list of them

    return [path for path in _writer.ALL_TEMP_FILES if os.path.exists(path)]


async def test_a_streamed_workbook_holds_every_line(
    litestar_app: Litestar, tokens: Tokens, database_url: str
) -> None:
    async with serving(litestar_app, database_url, tokens) as http:
        answer = await http.get("/api/v1/audit", headers=tokens.headers("auditor", Accept=XLSX))
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == 'attachment; filename="audit.xlsx"'
    sheet = load_workbook(io.BytesIO(answer.content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "position"
    assert len(rows) == 1 + LINES + 5  # the paid studio's five events, then the filled lines
    assert rows[-1][0] == FIRST + LINES
    assert str(rows[-1][-1]).startswith("申报")
    # Formula-like text stays text (issue 15 point 1): a leading apostrophe, never a formula.
    assert all(not str(r[-1]).startswith("=") for r in rows)
