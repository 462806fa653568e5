"""``casework serve --workers N``: several API processes on one port, one set of projections,
and read-your-writes whichever worker a request lands on."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
import time
from pathlib import Path

import httpx
import pytest
from uvicorn.config import STARTUP_FAILURE

from api.auth import issue_token, jwt_secret
from api.cli import worker_app
from api.writes import LastWrites, NoFreeRow
from benchmarks.loadgen import worker_pids
from casework.settings import Settings
from tests.api import bodies
from tests.serving import casework, free_port, start_serving


def until(check: object, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def token_headers(folder: Path) -> dict[str, str]:
    secret = jwt_secret(None, folder / ".casework")
    token = issue_token(secret, role="applicant", subject="applicant.workers", county="鹿城区")
    return {"Authorization": f"Bearer {token}"}


def writes_then_reads(base: str, headers: dict[str, str], serials: range) -> None:
    """Submit studios, each read back at once; no keep-alive, so every request is a new
    connection, accepted by whichever worker is first: often a write through one worker is
    followed by a read through another."""
    fresh = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(base_url=base, limits=fresh, timeout=30) as client:
        for n in serials:
            made = client.post("/api/v1/studios", json=bodies.submission(f"张{n}", serial=n), headers=headers)
            assert made.status_code == 201, made.text
            studio = client.get(f"/api/v1/studios/{made.json()['id']}", headers=headers)
            assert studio.status_code == 200, studio.text
            assert studio.json()["version"] == made.json()["version"]
            mine = client.get("/api/v1/studios", params={"limit": 500}, headers=headers)
            assert len(mine.json()["items"]) == n, "the register shows every studio just submitted"


def test_two_workers_serve_one_port_and_each_user_reads_their_own_writes(
    database_url: str, tmp_path: Path
) -> None:
    env = {"CASEWORK_DATABASE_URL": database_url}
    process, base, _ = start_serving(tmp_path, None, "--workers", "2", env=env)
    try:
        assert len(worker_pids(process.pid)) == 2
        writes_then_reads(base, token_headers(tmp_path), range(1, 21))
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0, "SIGTERM stops the workers and the supervisor cleanly"


def test_a_worker_that_dies_is_replaced_and_shares_what_users_wrote(
    database_url: str, tmp_path: Path
) -> None:
    env = {"CASEWORK_DATABASE_URL": database_url}
    process, base, _ = start_serving(tmp_path, None, "--workers", "2", env=env)
    headers = token_headers(tmp_path)
    try:
        writes_then_reads(base, headers, range(1, 6))
        first, second = worker_pids(process.pid)
        os.kill(first, signal.SIGKILL)
        until(lambda: first not in worker_pids(process.pid) and len(worker_pids(process.pid)) == 2)
        assert second in worker_pids(process.pid)
        (replacement,) = set(worker_pids(process.pid)) - {second}
        # With the survivor paused, only the replacement accepts: it serves, and a user's
        # reads through it show their writes (made through the others, or through itself).
        os.kill(second, signal.SIGSTOP)
        try:
            writes_then_reads(base, headers, range(6, 9))
        finally:
            os.kill(second, signal.SIGCONT)
        writes_then_reads(base, headers, range(9, 15))
        assert replacement in worker_pids(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0


def test_workers_that_cannot_start_stop_the_service_with_a_failure(database_url: str, tmp_path: Path) -> None:
    # keepalives is a libpq parameter: the supervisor (psycopg) connects, the workers'
    # asyncpg pool refuses it, so every worker fails its start.
    env = {
        "CASEWORK_DATABASE_URL": database_url + ("&" if "?" in database_url else "?") + "keepalives=1",
        "CASEWORK_DATA_DIR": str(tmp_path),
        "CASEWORK_PORT": str(free_port()),
    }
    done = casework("serve", "--workers", "2", env=env)
    assert done.returncode == STARTUP_FAILURE, done.stderr[-2000:]
    assert "could not start" in done.stderr
    assert "keepalives is a libpq parameter" in done.stderr


def test_a_worker_without_a_row_of_its_own_does_not_start(tmp_path: Path) -> None:
    taken = LastWrites(rows=1, claims=tmp_path)
    taken.claim()
    settings = dataclasses.replace(Settings.from_env({}), database_url="postgresql://unused")
    with pytest.raises(SystemExit) as stopped:
        worker_app(settings, LastWrites(rows=1, claims=tmp_path))
    assert stopped.value.code == STARTUP_FAILURE


def test_workers_must_be_at_least_one(database_url: str, tmp_path: Path) -> None:
    done = casework(
        "serve",
        "--workers",
        "0",
        env={"CASEWORK_DATABASE_URL": database_url, "CASEWORK_DATA_DIR": str(tmp_path)},
    )
    assert done.returncode == 2
    assert "--workers" in done.stderr


def _worker(written: LastWrites, position: int) -> None:
    written.claim()
    written.record("finance.wang", position)


def _run(written: LastWrites, position: int) -> None:
    child = multiprocessing.get_context("spawn").Process(target=_worker, args=(written, position))
    child.start()
    child.join(30)
    assert child.exitcode == 0


def test_last_writes_are_shared_by_the_workers_and_only_ever_rise(tmp_path: Path) -> None:
    written = LastWrites(rows=2, claims=tmp_path)
    written.claim()  # this process is one worker, the spawned ones the others
    assert written.of("finance.wang") == 0
    written.record("finance.wang", 50)
    written.record("finance.wang", 7)  # an older position never lowers what a user waits for
    assert written.of("finance.wang") == 50
    _run(written, 42)
    assert written.of("finance.wang") == 50, "the highest of every worker's positions"
    _run(written, 99)  # a worker that ended: its replacement takes its row, positions and all
    assert written.of("finance.wang") == 99, "a worker's write is seen by the others"
    assert written.of("city.office.li") == 0
    another = LastWrites(rows=2, claims=tmp_path)
    another.claim()  # the row the spawned workers had: free again once they ended
    with pytest.raises(NoFreeRow):  # both rows held now
        LastWrites(rows=2, claims=tmp_path).claim()
