"""Projection workers as separate processes: crashes mid-batch, standbys taking over."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from casework.application import Casework, Context
from casework.demo import load_demo
from casework.vault import Vault
from projections import catalog, rebuild
from projections.models import all_projections
from projections.rebuild import RebuildRunning
from projections.runner import Projector
from projections.status import ProjectionStatus
from tests import builders as b
from tests.integration.snapshots import snapshot


class Worker:
    """A ``casework project`` process whose JSON log lines we can read."""

    def __init__(self, database_url: str, log_path: Path, batch: int) -> None:
        self.log_path = log_path
        self.log_file = log_path.open("w")
        env = {
            **os.environ,
            "CASEWORK_DATABASE_URL": database_url,
            "CASEWORK_LOG_FORMAT": "json",
            "CASEWORK_PROJECTION_BATCH": str(batch),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "casework.cli", "project", "--report-every", "0.5"],
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )

    def events(self, name: str) -> list[dict[str, object]]:
        lines = self.log_path.read_text().splitlines()
        return [e for e in map(_json, lines) if e.get("event") == name]

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        self.log_file.close()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(20)
        self.log_file.close()
        return self.process.returncode


def _json(line: str) -> dict[str, object]:
    try:
        parsed = json.loads(line)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def eventually(check: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def statuses(projector: Projector) -> dict[str, ProjectionStatus]:
    return {s.name: s for s in projector.status(all_projections())}


def test_sigkill_mid_batch_then_restart_applies_every_event_exactly_once(
    app: Casework, projector: Projector, database_url: str, tmp_path: Path
) -> None:
    load_demo(
        app=app, vault=Vault.from_setting(None, tmp_path), today=dt.date(2026, 11, 26), studios=150, seed=5
    )
    head = projector.head()
    assert head > 2000
    # Three crashes at different depths of the log, each while batches are being written.
    for round_, fraction in enumerate((0.15, 0.45, 0.75)):
        worker = Worker(database_url, tmp_path / f"worker{round_}.log", batch=40)
        eventually(
            lambda fraction=fraction: statuses(projector)["audit"].position >= head * fraction,
            what=f"{fraction:.0%} of the log",
        )
        worker.kill()
        assert statuses(projector)["audit"].position < head, "killed before it finished"
    survivor = Worker(database_url, tmp_path / "final.log", batch=40)
    eventually(lambda: all(s.lag == 0 for s in statuses(projector).values()), what="catch-up")
    assert survivor.stop() == 0
    with psycopg.connect(database_url) as conn:
        positions = [r[0] for r in conn.execute("SELECT position FROM audit_trail ORDER BY position")]
        ledger_sum = conn.execute("SELECT coalesce(sum(amount_fen), 0) FROM ledger_lines").fetchone()
    assert positions == list(range(1, head + 1)), "no event skipped, none applied twice"
    assert ledger_sum == (0,)
    # Every row equals what a fresh rebuild of the same log gives.
    crashed = snapshot(database_url)
    projector.rebuild(all_projections(), processes=1)
    assert snapshot(database_url) == crashed
    projector.rebuild(all_projections(), processes=2, limit=97)
    assert snapshot(database_url) == crashed, "two processes build what one does"


def test_a_standby_worker_takes_over_when_the_active_one_is_killed(
    app: Casework, projector: Projector, database_url: str, tmp_path: Path
) -> None:
    context = Context(actor=b.applicant(), correlation_id="c", request_id="r")
    app.execute(b.submit(serial=1), context)
    first = Worker(database_url, tmp_path / "first.log", batch=100)
    eventually(
        lambda: len(first.events("projection_active")) == len(all_projections()),
        what="the first worker to be active",
    )
    second = Worker(database_url, tmp_path / "second.log", batch=100)
    eventually(
        lambda: len(second.events("projection_worker_started")) == 1, what="the second worker to start"
    )
    time.sleep(1.5)
    assert second.events("projection_active") == [], "the standby must not run while the first lives"
    assert all(s.active_runner for s in statuses(projector).values())
    first.kill()
    app.execute(b.submit(serial=2, master_name="李四"), context)
    eventually(
        lambda: len(second.events("projection_active")) == len(all_projections()),
        what="the standby to take over",
    )
    eventually(lambda: all(s.lag == 0 for s in statuses(projector).values()), what="the standby to catch up")
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM register_studios").fetchone() == (2,)
        assert conn.execute("SELECT count(*) FROM audit_trail").fetchone() == (2,)
    assert second.stop() == 0


def test_a_rebuild_drops_the_tables_an_interrupted_rebuild_left_behind(
    app: Casework, projector: Projector, database_url: str
) -> None:
    context = Context(actor=b.applicant(), correlation_id="c", request_id="r")
    for serial in (1, 2):
        app.execute(b.submit(serial=serial), context)
    projections = all_projections()
    for projection in projections:
        projector.catch_up(projection)
    served = snapshot(database_url)
    # What a rebuild killed before its switch leaves: a fresh generation's tables, part-filled
    # and tracked, never served.
    with projector.datastore.transaction(commit=True) as curs:
        for projection in projections:
            left = catalog.new_generation(curs, projection)
            projector.tracking.advance(curs, catalog.tracking_name(projection, left), 1)
    with psycopg.connect(database_url) as conn:
        before = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE '%\\_g2'")}
    assert {"register_studios_g2", "audit_trail_g2", "ledger_lines_g2"} <= before

    generations = projector.rebuild(projections)

    assert set(generations.values()) == {3}
    with psycopg.connect(database_url) as conn:
        tables = {
            r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        }
        query = f"SELECT application_name FROM {catalog.TRACKING}"  # noqa: S608
        tracked = {r[0] for r in conn.execute(query)}
    assert not any(t.endswith(("_g1", "_g2")) for t in tables), (
        "the served and the abandoned generations are gone"
    )
    assert {f"{p.name}:g3" for p in projections} <= tracked
    assert not any(name.endswith((":g1", ":g2")) for name in tracked)
    assert snapshot(database_url) == served


def test_a_rebuild_says_so_when_the_leftovers_are_still_being_written(
    app: Casework, projector: Projector, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.execute(b.submit(serial=1), Context(actor=b.applicant(), correlation_id="c", request_id="r"))
    audit = next(p for p in all_projections() if p.name == "audit")
    projector.catch_up(audit)
    with projector.datastore.transaction(commit=True) as curs:
        left = catalog.new_generation(curs, audit)
    monkeypatch.setattr(rebuild, "ABANDONED_LOCK_TIMEOUT", "200ms")
    # A process of the interrupted rebuild, still writing its table.
    with psycopg.connect(database_url) as writer:
        writer.execute(f"LOCK TABLE audit_trail_g{left} IN ROW EXCLUSIVE MODE")
        with pytest.raises(RebuildRunning, match="still being written"):
            projector.rebuild([audit])
    assert projector.rebuild([audit]) == {"audit": left + 1}, "once it has ended, the rebuild goes on"
