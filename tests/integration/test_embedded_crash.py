"""The embedded PostgreSQL after a crash, and who stops it: real ``casework serve`` processes
killed with SIGKILL, a ``postmaster.pid`` naming a pid another program now has, and servers
shared between serve, one-shot commands and this test process."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import psycopg
import pytest

from casework.embedded import EmbeddedPostgres
from tests.serving import alive, casework, postgres_in, postmaster_pid, start_serving, stop_serving

# The runtime says at info what it did with the server; serve logs only warnings in the other tests.
INFO = {"CASEWORK_LOG_LEVEL": "info"}


@pytest.fixture
def folder() -> Iterator[Path]:
    """A folder outside pytest's: as root the server runs as another user, to whom the wheel
    opens the folders above its data, and another pytest session starting meanwhile closes
    pytest's own again."""
    with tempfile.TemporaryDirectory(prefix="casework-crash-") as made:
        yield Path(made)
        # A test that failed may have left a server running: end it (SIGQUIT is PostgreSQL's
        # immediate shutdown) rather than leave it to the machine.
        for pid in postgres_in(pgdata_of(Path(made))):
            with contextlib.suppress(psutil.NoSuchProcess):
                psutil.Process(pid).send_signal(signal.SIGQUIT)


def pgdata_of(folder: Path) -> Path:
    return folder / ".casework" / "pgdata"


def test_a_server_left_by_a_killed_serve_is_adopted_by_the_next_serve_and_stopped_with_it(
    folder: Path,
) -> None:
    first, _, _ = start_serving(folder, env=INFO, log="first.log")
    pgdata = pgdata_of(folder)
    postmaster = postmaster_pid(pgdata)
    first.kill()
    first.wait(10)
    assert alive(postmaster), "the postmaster has a session of its own: it outlives serve"

    second, base, _ = start_serving(folder, env=INFO, log="second.log")
    assert postmaster_pid(pgdata) == postmaster, "the running server was adopted, not doubled"
    assert httpx.get(f"{base}/health/ready", timeout=5).status_code == 200
    assert stop_serving(second) == 0
    logged = (folder / "second.log").read_text()
    assert "embedded_postgres_stopped" in logged
    assert not alive(postmaster), "the line saying the database stopped is true"
    assert postgres_in(pgdata) == []
    assert "embedded_postgres_adopted" in logged


def test_a_one_shot_command_after_a_killed_serve_adopts_its_server_and_stops_it(folder: Path) -> None:
    first, _, env = start_serving(folder, log="first.log")
    pgdata = pgdata_of(folder)
    postmaster = postmaster_pid(pgdata)
    first.kill()
    first.wait(10)
    assert alive(postmaster)

    # A one-shot command logs warnings only: the adoption of a crashed process's server is one.
    checkpoint = casework("checkpoint", env={"CASEWORK_DATA_DIR": env["CASEWORK_DATA_DIR"]})
    assert checkpoint.returncode == 0, checkpoint.stderr
    assert not alive(postmaster)
    assert postgres_in(pgdata) == []
    assert "embedded_postgres_adopted" in checkpoint.stderr


def test_a_pid_file_naming_a_pid_another_program_now_has_does_not_stop_serve(folder: Path) -> None:
    data = folder / ".casework"
    made = EmbeddedPostgres(data)  # the data folder made, as the first run makes it
    record = (data / "pgdata" / "postmaster.pid").read_text().split("\n")
    made.stop()
    # After a reboot, or in a new container, the pid of the old postmaster belongs to another
    # program: the server ended without removing its pid file.
    stranger = subprocess.Popen(["sleep", "300"])
    try:
        (data / "pgdata" / "postmaster.pid").write_text("\n".join([str(stranger.pid), *record[1:]]))
        began = time.monotonic()
        serving, base, _ = start_serving(folder, env=INFO)
        # Without the fix serve waits 30 s for a server that is not there and exits 1.
        assert time.monotonic() - began < 20
        assert httpx.get(f"{base}/health/ready", timeout=5).status_code == 200
        assert stop_serving(serving) == 0
        assert "embedded_postgres_stopped" in (folder / "serve.log").read_text()
        assert stranger.poll() is None, "the program that has the pid now was not signalled"
        assert postgres_in(data / "pgdata") == []
    finally:
        stranger.kill()
        stranger.wait()


def test_serve_leaves_running_a_server_another_process_still_uses(folder: Path) -> None:
    serving, base, env = start_serving(folder, env=INFO)
    pgdata = pgdata_of(folder)
    postmaster = postmaster_pid(pgdata)
    # A one-shot command run while serve is up uses serve's server and leaves it running.
    checkpoint = casework("checkpoint", env={"CASEWORK_DATA_DIR": env["CASEWORK_DATA_DIR"]})
    assert checkpoint.returncode == 0, checkpoint.stderr
    assert checkpoint.stderr == "", "a server serve uses is not adopted"
    assert httpx.get(f"{base}/health/ready", timeout=5).status_code == 200

    # A process that came after serve (this one) still uses the server when serve stops.
    other = EmbeddedPostgres(pgdata.parent)
    assert stop_serving(serving) == 0
    logged = (folder / "serve.log").read_text()
    assert "embedded_postgres_stopped" not in logged, "serve did not stop it, nor say it did"
    assert "embedded_postgres_left_running" in logged
    with psycopg.connect(other.url, connect_timeout=5) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    assert other.how == "attached"
    assert other.stop() is True
    assert not alive(postmaster)
    assert postgres_in(pgdata) == []


def test_a_process_that_started_the_server_leaves_it_to_serve(folder: Path) -> None:
    pgdata = pgdata_of(folder)
    first = EmbeddedPostgres(pgdata.parent)
    assert first.how == "started"
    postmaster = postmaster_pid(pgdata)
    serving, base, _ = start_serving(folder, env=INFO)
    assert "embedded_postgres_attached" in (folder / "serve.log").read_text()
    assert first.stop() is False
    assert alive(postmaster)
    assert httpx.get(f"{base}/health/ready", timeout=5).status_code == 200
    assert stop_serving(serving) == 0
    assert "embedded_postgres_stopped" in (folder / "serve.log").read_text()
    assert not alive(postmaster)
    assert postgres_in(pgdata) == []
