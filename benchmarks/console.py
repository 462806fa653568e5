"""The console's pages against the JSON endpoints that read the same rows, side by side.

Two pairs, each measured in alternating rounds on one ``casework serve`` (one client at a
time, as a clerk reads): the register page (50 studios of a filter) against GET /studios with
the same filter, and the timeline page of the data set's longest studio against its JSON
history. The console must render at no less than half the rate of its JSON endpoint.

The data set is the benchmarks' (benchmarks.dataset; --events chooses its size). Prints one
line per pair: ``<pair>: json <rate>/s page <rate>/s ratio <page / json>``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg

from api.auth import issue_token, jwt_secret
from api.console.session import COOKIE, sign_in_link
from benchmarks.api import best, free_port, ready, start
from benchmarks.dataset import ensure, long_studio, projected
from benchmarks.loadgen import Result, get_request, load
from casework.application import Casework
from casework.logging import configure_logging


def page_request(path: str, session: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {COOKIE}={session}\r\n\r\n".encode()


def signed_in(port: int, folder: Path) -> str:
    """A console session of the city office, opened by a one-time link as a clerk would."""
    link = sign_in_link(
        jwt_secret(None, folder), f"http://127.0.0.1:{port}", role="city_office", subject="bench"
    )
    url = urlsplit(link)
    answer = httpx.get(f"http://127.0.0.1:{port}{url.path}?{url.query}", follow_redirects=False, timeout=30)
    assert answer.status_code == 303, answer.text
    return answer.cookies[COOKIE]


async def pair(
    port: int, json_path: str, page_path: str, token: str, session: str, requests: int, rounds: int
) -> tuple[Result, Result]:
    """The best round of each, the two taken in turn so that both see the same machine."""
    json_runs, page_runs = [], []
    for _ in range(rounds):
        for runs, make in (
            (json_runs, lambda _n: get_request(json_path, token)),
            (page_runs, lambda _n: page_request(page_path, session)),
        ):
            result = await load("127.0.0.1", port, make, concurrency=1, total=requests)
            assert set(result.statuses) == {200}, (json_path, page_path, result.statuses)
            runs.append(result)
    return best(json_runs), best(page_runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="per round and endpoint")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    configure_logging("console", "warning")
    server = ensure(args.events)
    longest = long_studio(server)
    folder = Path(tempfile.mkdtemp(prefix="casework-bench-console-"))
    try:
        events = projected(server.url)
        app = Casework(server.url)
        length = len(app.history(longest))
        app.close()
        with psycopg.connect(server.url) as conn:
            found = conn.execute("SELECT count(*) FROM register_studios").fetchone()
        port = free_port()
        serve = start(["serve", "--no-projections"], server.url, folder, port)
        try:
            asyncio.run(ready(port))
            token = issue_token(jwt_secret(None, folder), role="city_office", subject="bench")
            session = signed_in(port, folder)
            print(f"date: {dt.date.today()}  events: {events}  studios: {found[0] if found else 0}")
            pairs = {
                "register (status=awarded, 50 a page)": (
                    "/api/v1/studios?status=awarded&limit=50",
                    "/console/studios?status=awarded&limit=50",
                ),
                f"timeline ({length} events)": (
                    f"/api/v1/studios/{longest}/history",
                    f"/console/studios/{longest}/timeline",
                ),
            }
            for name, (json_path, page_path) in pairs.items():
                requests = args.requests if "register" in name else max(10, args.requests // 10)
                json, page = asyncio.run(
                    pair(port, json_path, page_path, token, session, requests, args.rounds)
                )
                ratio = page.rate / json.rate
                print(f"{name}: json {json.rate:7.1f}/s page {page.rate:7.1f}/s ratio {ratio:.2f}")
        finally:
            serve.terminate()
            serve.wait(30)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
