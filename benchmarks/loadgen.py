"""A small asyncio HTTP/1.1 load generator: keep-alive connections, bounded in count and time.

httpx spends more CPU per request than the server under test; this client writes the
request bytes and reads Content-Length bodies, nothing more, so that it measures the server.
Loopback only.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

WRK_SCRIPT = Path(__file__).with_name("wrk.lua")


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    statuses: dict[int, int]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @classmethod
    def of(cls, latencies: list[float], seconds: float, statuses: dict[int, int]) -> Result:
        ordered = sorted(latencies) or [0.0]

        def at(p: float) -> float:
            return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000

        return cls(len(latencies), seconds, at(0.5), at(0.99), statuses)


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    if length:
        await reader.readexactly(length)
    return status


async def load(
    host: str,
    port: int,
    make_request: Callable[[int], bytes],
    *,
    concurrency: int,
    total: int,
    max_seconds: float = 60.0,
) -> Result:
    """Send ``total`` requests over ``concurrency`` connections (stopping at ``max_seconds``)."""
    assert host in ("127.0.0.1", "localhost"), "loopback only"
    counter = iter(range(total))
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.monotonic() + max_seconds

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for n in counter:
                if time.monotonic() > deadline:
                    break
                started = time.perf_counter()
                writer.write(make_request(n))
                status = await _read_response(reader)
                latencies.append(time.perf_counter() - started)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Result.of(latencies, time.perf_counter() - started, statuses)


async def baseline(call: Callable[[int], Awaitable[object]], *, concurrency: int, total: int) -> Result:
    """The same shape of load on a direct call (a query, a use case) instead of HTTP."""
    counter = iter(range(total))
    latencies: list[float] = []

    async def worker() -> None:
        for n in counter:
            started = time.perf_counter()
            await call(n)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Result.of(latencies, time.perf_counter() - started, {200: len(latencies)})


def get_request(path: str, token: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n".encode()


def post_request(path: str, token: str, body: bytes) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def wrk_get(port: int, paths: Sequence[str], token: str, *, concurrency: int, seconds: int) -> Result:
    """GET ``paths`` in turn with wrk (C, from Debian's packages): the client then costs the
    shared two cores far less than the server under test. Bounded in time; loopback only."""
    with tempfile.NamedTemporaryFile("w", suffix=".paths") as listing:
        listing.write("\n".join(paths) + "\n")
        listing.flush()
        threads = min(2, concurrency)
        wrk = shutil.which("wrk")
        assert wrk is not None
        # A generous timeout: a request that waits seconds (two cores shared by the server's
        # processes, PostgreSQL and wrk itself) is a slow request to count, not an error.
        command = [wrk, f"-t{threads}", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "30s"]
        command += ["-s", str(WRK_SCRIPT)]
        command += [f"http://127.0.0.1:{port}", "--", listing.name, token]
        done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 30)  # noqa: S603
        out = done.stdout
    found = re.search(r"WRK (.*)", out)
    assert found, out
    fields = {k: int(v) for k, v in (kv.split("=") for kv in found.group(1).split())}
    assert fields["errors"] == 0, out
    ok = fields["requests"] - fields["non2xx"]
    statuses = {200: ok} | ({0: fields["non2xx"]} if fields["non2xx"] else {})
    seconds_taken = fields["duration_us"] / 1e6
    return Result(fields["requests"], seconds_taken, fields["p50_us"] / 1e3, fields["p99_us"] / 1e3, statuses)


def children(pid: int) -> list[int]:
    """A process's children, as /proc lists them under each of its threads."""
    return [
        int(c)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for c in (task / "children").read_text().split()
    ]


def worker_pids(pid: int) -> list[int]:
    """The worker processes of ``serve --workers N`` (the process itself when it has none)."""
    # Spawn also starts multiprocessing's resource tracker: the workers are the ones serving.
    workers = [c for c in children(pid) if _serving(c)]
    return workers or [pid]


def _serving(pid: int) -> bool:
    try:
        return "resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:  # it ended between the listing and now
        return False


def peak_rss_mb(pid: int) -> float:
    """The highest resident memory a process has had (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    msg = "no VmHWM in /proc"
    raise RuntimeError(msg)
