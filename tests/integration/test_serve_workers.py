"""``casework serve --workers N``: several API processes on one port, one set of projections,
and read-your-writes whichever worker a request lands on."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

import httpx

from api.auth import issue_token, jwt_secret
from api.writes import LastWrites
from benchmarks.loadgen import worker_pids
from tests.api import bodies
from tests.serving import casework, start_serving


def until(check: object, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_two_workers_serve_one_port_and_each_user_reads_their_own_writes(
    database_url: str, tmp_path: Path
) -> None:
    env = {"CASEWORK_DATABASE_URL": database_url}
    process, base, _ = start_serving(tmp_path, None, "--workers", "2", env=env)
    try:
        assert len(worker_pids(process.pid)) == 2
        secret = jwt_secret(None, tmp_path / ".casework")
        applicant = {
            "Authorization": "Bearer "
            + issue_token(secret, role="applicant", subject="applicant.workers", county="鹿城区")
        }
        # No keep-alive: every request is a new connection, accepted by whichever worker is
        # first; a write through one worker is then often followed by a read through the other.
        fresh = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(base_url=base, limits=fresh, timeout=30) as client:
            for n in range(1, 21):
                made = client.post(
                    "/api/v1/studios", json=bodies.submission(f"张{n}", serial=n), headers=applicant
                )
                assert made.status_code == 201, made.text
                studio = client.get(f"/api/v1/studios/{made.json()['id']}", headers=applicant)
                assert studio.status_code == 200, studio.text
                assert studio.json()["version"] == made.json()["version"]
                mine = client.get("/api/v1/studios", params={"limit": 500}, headers=applicant)
                assert len(mine.json()["items"]) == n, "the register shows every studio just submitted"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0, "SIGTERM stops the workers and the supervisor cleanly"


def test_a_worker_that_dies_is_replaced(database_url: str, tmp_path: Path) -> None:
    env = {"CASEWORK_DATABASE_URL": database_url}
    process, base, _ = start_serving(tmp_path, None, "--workers", "2", env=env)
    try:
        first, second = worker_pids(process.pid)
        os.kill(first, signal.SIGKILL)
        until(lambda: first not in worker_pids(process.pid) and len(worker_pids(process.pid)) == 2)
        assert second in worker_pids(process.pid)
        for _ in range(10):  # new connections: the replacement answers as well as the survivor
            with httpx.Client(base_url=base, timeout=30) as client:
                assert client.get("/health/live").status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0


def test_workers_must_be_at_least_one(database_url: str, tmp_path: Path) -> None:
    done = casework(
        "serve",
        "--workers",
        "0",
        env={"CASEWORK_DATABASE_URL": database_url, "CASEWORK_DATA_DIR": str(tmp_path)},
    )
    assert done.returncode == 2
    assert "--workers" in done.stderr


def _record_in_child(written: LastWrites) -> None:
    written.record("finance.wang", 42)


def test_last_writes_are_shared_with_spawned_workers_and_only_ever_rise() -> None:
    written = LastWrites()
    assert written.of("finance.wang") == 0
    written.record("finance.wang", 50)
    written.record("finance.wang", 7)  # an older position never lowers what a user waits for
    assert written.of("finance.wang") == 50
    child = multiprocessing.get_context("spawn").Process(target=_record_in_child, args=(written,))
    child.start()
    child.join(30)
    assert child.exitcode == 0
    assert written.of("finance.wang") == 50
    other = LastWrites()
    other_child = multiprocessing.get_context("spawn").Process(target=_record_in_child, args=(other,))
    other_child.start()
    other_child.join(30)
    assert other.of("finance.wang") == 42, "a worker's write is seen by the others"
    assert other.of("city.office.li") == 0
