"""GET a studio and run commands over HTTP, each against its direct baseline in the same run.

- get: GET /api/v1/studios/{id} against the same register query made with asyncpg; beside
  it, the framework's floor (``benchmarks.floor``: a bare Litestar handler, same statement).
- command: POST .../inspections over HTTP against calling Casework.execute directly.
Both at 1, 8 and 32 concurrent clients; prints ``get ratio:`` and ``command ratio:``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import anyio.to_thread
import asyncpg
import httpx

from api.auth import issue_token, jwt_secret
from api.database import create_pool
from api.queries.studios import SELECT_ONE
from benchmarks.loadgen import (
    Result,
    baseline,
    get_request,
    have_wrk,
    load,
    peak_rss_mb,
    post_request,
    worker_pids,
    wrk_get,
)
from casework.application import Casework, Context
from casework.demo import load_demo
from casework.domain import commands as c
from casework.domain.permissions import Actor
from casework.embedded import EmbeddedPostgres
from casework.logging import configure_logging
from casework.vault import Vault
from projections.models import all_projections
from projections.runner import Projector


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def figures(result: Result) -> str:
    return f"{result.rate:8.0f}/s p50 {result.p50_ms:6.2f}ms p99 {result.p99_ms:6.2f}ms"


def line(name: str, concurrency: int, http: Result, direct: Result) -> str:
    ratio = http.rate / direct.rate
    return f"{name:8} c={concurrency:<3} http {figures(http)} | direct {figures(direct)} | ratio {ratio:.2f}"


def start(command: list[str], database_url: str, folder: Path, port: int) -> subprocess.Popen[bytes]:
    """A ``casework`` command of ours (serve, project) over the benchmark's store, quiet."""
    env = {
        **os.environ,
        "CASEWORK_DATABASE_URL": database_url,
        "CASEWORK_DATA_DIR": str(folder),
        "CASEWORK_PORT": str(port),
        "CASEWORK_LOG_LEVEL": "warning",
    }
    return subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "casework.cli", *command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start_floor(database_url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    """``benchmarks.floor`` on the API's uvicorn settings and number of workers."""
    command = [sys.executable, "-m", "uvicorn", "--factory", "benchmarks.floor:create", "--port", str(port)]
    command += ["--loop", "uvloop", "--http", "httptools", "--no-access-log", "--no-proxy-headers"]
    command += ["--log-level", "warning", "--workers", str(workers)]
    return subprocess.Popen(  # noqa: S603 - our own command
        command,
        env={**os.environ, "CASEWORK_DATABASE_URL": database_url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def ready(port: int) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the service did not become ready"
        await asyncio.sleep(0.2)


def best(results: list[Result]) -> Result:
    """The fastest of several rounds: on a shared, noisy machine the best round is the one
    least disturbed by neighbours (taken alike for the API and for its baseline)."""
    return max(results, key=lambda r: r.rate)


async def measure_get(
    ports: tuple[int, int],
    token: str,
    pool: asyncpg.Pool,
    ids: list[uuid.UUID],
    total: int,
    seconds: int,
    rounds: int,
) -> tuple[float, float]:
    """The API's GET, and the framework floor's (``benchmarks.floor``), against asyncpg."""
    paths = [f"/api/v1/studios/{i}" for i in ids]

    async def over_http(port: int, concurrency: int) -> Result:
        if have_wrk():
            result = wrk_get(port, paths, token, concurrency=concurrency, seconds=seconds)
        else:
            result = await load(
                "127.0.0.1",
                port,
                lambda n: get_request(paths[n % len(paths)], token),
                concurrency=concurrency,
                total=total,
            )
        assert set(result.statuses) == {200}, result.statuses
        return result

    ratios, floors = [], []
    for concurrency in (1, 8, 32):
        https, bares, directs = [], [], []
        for _ in range(rounds):  # interleaved, so that a noisy spell hits all three alike
            https.append(await over_http(ports[0], concurrency))
            bares.append(await over_http(ports[1], concurrency))
            direct = await baseline(
                lambda n: pool.fetchrow(SELECT_ONE, ids[n % len(ids)]), concurrency=concurrency, total=total
            )
            directs.append(direct)
        http, bare, direct = best(https), best(bares), best(directs)
        print(line("get", concurrency, http, direct))
        print(line("floor", concurrency, bare, direct))
        ratios.append(http.rate / direct.rate)
        floors.append(bare.rate / direct.rate)
    return min(ratios), min(floors)


INSPECTION = json.dumps({"inspector": "市局", "findings": "正常", "inspected_on": "2026-11-01"}).encode()


async def measure_commands(
    port: int, token: str, app: Casework, awarded: list[uuid.UUID], total: int, rounds: int
) -> float:
    actor = Actor(subject="bench", role="city_office")

    def direct_command(n: int) -> object:
        command = c.Inspect(
            studio_id=awarded[n % len(awarded)],
            inspector="市局",
            findings="正常",
            inspected_on=dt.date(2026, 11, 1),
        )
        return app.execute(
            command, Context(actor=actor, correlation_id=str(uuid.uuid4()), request_id="bench")
        )

    async def direct_call(n: int) -> object:
        return await anyio.to_thread.run_sync(direct_command, n)

    ratios = []
    for concurrency in (1, 8, 32):
        https, directs = [], []
        for _ in range(rounds):
            https.append(
                await load(
                    "127.0.0.1",
                    port,
                    lambda n: post_request(
                        f"/api/v1/studios/{awarded[n % len(awarded)]}/inspections", token, INSPECTION
                    ),
                    concurrency=concurrency,
                    total=total,
                )
            )
            directs.append(await baseline(direct_call, concurrency=concurrency, total=total))
        http, direct = best(https), best(directs)
        ok = http.statuses.get(200, 0)
        print(line("command", concurrency, http, direct) + f" (http ok {ok}/{http.requests})")
        ratios.append(http.rate / direct.rate)
    return min(ratios)


async def run(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="casework-bench-api-"))
    server = EmbeddedPostgres(folder / "db", throwaway=True)
    app = Casework(server.url)
    try:
        loaded = load_demo(
            app=app,
            vault=Vault.from_setting(None, folder),
            today=dt.date(2026, 11, 26),
            studios=args.studios,
            seed=1,
        )
        projector = Projector(app, server.url)
        for projection in all_projections():
            projector.ensure(projection)
            projector.catch_up(projection)
        projector.close()
        # The API's own pool (size, codecs, reset): only the HTTP layer differs from the baseline.
        pool = await create_pool(server.url)
        rows = await pool.fetch("SELECT id, status FROM register_studios ORDER BY id")
        ids = [r["id"] for r in rows]
        awarded = [r["id"] for r in rows if r["status"] == "awarded"]
        assert loaded.counts["awarded"] == len(awarded)
        port = free_port()
        # As deployed (deploy/): the API leaves the projections to a worker process of their own.
        serve = start(["serve", "--no-projections", "--workers", str(args.workers)], server.url, folder, port)
        worker = start(["project"], server.url, folder, port)
        floor_port = free_port()
        floor = start_floor(server.url, floor_port, args.workers)
        try:
            await ready(port)
            await ready(floor_port)
            token = issue_token(jwt_secret(None, folder), role="city_office", subject="bench")
            print(
                f"date: {dt.date.today()}  studios: {len(ids)}  events: {app.recorder.max_notification_id()}"
            )
            get_ratio, floor_ratio = await measure_get(
                (port, floor_port), token, pool, ids, args.requests, args.seconds, args.rounds
            )
            command_ratio = await measure_commands(port, token, app, awarded, args.commands, args.rounds)
            print(f"get ratio: {get_ratio:.2f}")
            print(f"get floor ratio: {floor_ratio:.2f} (a bare Litestar handler, same statement and server)")
            print(f"command ratio: {command_ratio:.2f}")
            workers = worker_pids(serve.pid)
            print(
                f"api peak rss: {max(peak_rss_mb(w) for w in workers):.0f} MB per process, "
                f"{len(workers)} processes (after every figure above)"
            )
        finally:
            for process in (serve, worker, floor):
                process.terminate()
                process.wait(30)
            await pool.close()
    finally:
        app.close()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--studios", type=int, default=300)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--commands", type=int, default=600)
    parser.add_argument("--seconds", type=int, default=5, help="per figure, when wrk is the client")
    parser.add_argument("--rounds", type=int, default=3, help="of each figure; the best is kept")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="API processes (serve --workers): one per core",
    )
    args = parser.parse_args()
    configure_logging("console", "warning")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
