"""The register list over HTTP at the size of the benchmark data set: p50 and p99 of each
filter an administrator uses (county and status, level and grade, name search in Chinese,
training shortfall, a later page), one client at a time; and the API's peak memory.

The data set is the one ``benchmarks.rebuild`` builds (projections are brought up to date
first). Prints ``register list p99: <ms>`` (the worst filter) and ``api peak rss: <MB>``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import tempfile
import urllib.parse
from pathlib import Path

import httpx
import psycopg

from api.auth import issue_token, jwt_secret
from benchmarks.api import free_port, ready, start
from benchmarks.dataset import ensure, projected
from benchmarks.loadgen import get_request, load, peak_rss_mb
from casework.logging import configure_logging


def queries(database_url: str) -> dict[str, str]:
    """One path per filter, with values taken from the data so that each finds rows."""
    with psycopg.connect(database_url) as conn:
        name = conn.execute(
            "SELECT name FROM register_studios WHERE status = 'awarded' ORDER BY id LIMIT 1"
        ).fetchone()
        county = conn.execute(
            "SELECT county FROM register_studios GROUP BY county ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    assert name is not None
    assert county is not None
    # Two characters from the middle of a real name: what an officer types to find a studio.
    middle = len(name[0]) // 2
    part = name[0][middle - 1 : middle + 1]
    shapes = {
        "first page": {},
        "county + status": {"county": county[0], "status": "awarded"},
        "level + grade": {"level": "city", "grade": "excellent"},
        "name search": {"q": part},
        "training shortfall": {"training_shortfall": "true"},
        "county + name search": {"county": county[0], "q": part[:1]},
    }
    return {
        shape: "/api/v1/studios" + ("?" + urllib.parse.urlencode(params) if params else "")
        for shape, params in shapes.items()
    }


async def measure(port: int, token: str, paths: dict[str, str], requests: int) -> float:
    # A later page: the cursor after the first ten studios (a cursor is a place, not a size).
    first = httpx.get(
        f"http://127.0.0.1:{port}/api/v1/studios?limit=10",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ).json()
    cursor = first["next_cursor"]
    assert cursor, "the register has more than one page"
    paths = {**paths, "next page": "/api/v1/studios?" + urllib.parse.urlencode({"cursor": cursor})}
    worst = 0.0
    for shape, path in paths.items():
        result = await load(
            "127.0.0.1", port, lambda _n, path=path: get_request(path, token), concurrency=1, total=requests
        )
        assert set(result.statuses) == {200}, (shape, result.statuses)
        print(f"register list {shape:22} p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms  ({path})")
        worst = max(worst, result.p99_ms)
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="per filter")
    args = parser.parse_args()
    configure_logging("console", "warning")
    server = ensure(args.events)
    folder = Path(tempfile.mkdtemp(prefix="casework-bench-register-"))
    try:
        events = projected(server.url)
        port = free_port()
        serve = start(["serve", "--no-projections"], server.url, folder, port)
        try:
            asyncio.run(ready(port))
            token = issue_token(jwt_secret(None, folder), role="city_office", subject="bench")
            with psycopg.connect(server.url) as conn:
                studios = conn.execute("SELECT count(*) FROM register_studios").fetchone()
            print(f"date: {dt.date.today()}  events: {events}  studios: {studios[0] if studios else 0}")
            worst = asyncio.run(measure(port, token, queries(server.url), args.requests))
            print(f"register list p99: {worst:.1f}")
            print(f"api peak rss: {peak_rss_mb(serve.pid):.0f}")
        finally:
            serve.terminate()
            serve.wait(30)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
