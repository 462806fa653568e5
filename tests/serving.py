"""A real ``casework serve`` process for the tests that need one, on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

Serving = tuple[subprocess.Popen[bytes], str, dict[str, str]]


def casework(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a ``casework`` command to its end, as an operator would (``env`` on top of ours)."""
    return subprocess.run(
        [sys.executable, "-m", "casework.cli", *args],
        env={**os.environ, **env, "COLUMNS": "240"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_serving(
    folder: Path,
    cwd: Path | None = None,
    *args: str,
    env: dict[str, str] | None = None,
    log: str = "serve.log",
) -> Serving:
    """Start the service (its data in ``folder``); returns the process, its base URL and its env."""
    port = free_port()
    environment = {
        **os.environ,
        "CASEWORK_DATA_DIR": str(folder / ".casework"),
        "CASEWORK_PORT": str(port),
        "CASEWORK_LOG_LEVEL": "warning",
        **(env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "casework.cli", "serve", *args],
        cwd=cwd,
        env=environment,
        stdout=(folder / log).open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/health/ready", timeout=2).status_code == 200:
                return process, base, environment
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the service did not become ready"
        assert process.poll() is None, (folder / log).read_text()
        time.sleep(0.2)


def stop_serving(process: subprocess.Popen[bytes], timeout: float = 60) -> int:
    """Stop the service as systemd or Ctrl-C does (SIGTERM); its exit code."""
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout)


def postmaster_pid(pgdata: Path) -> int:
    """The pid the embedded server's ``postmaster.pid`` names (the file must be there)."""
    return int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])


def alive(pid: int) -> bool:
    """Whether the process runs: a zombie (ended, not yet reaped by whoever adopted it;
    a container's first process may never reap) has ended."""
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


def postgres_in(pgdata: Path) -> list[int]:
    """The live PostgreSQL processes working in a data folder (a server's postmaster and its
    backends all run there), found by looking at every process rather than at the pid file."""
    return [
        process.pid
        for process in psutil.process_iter(["name", "cwd", "status"])
        if process.info["name"] == "postgres"
        and process.info["status"] != psutil.STATUS_ZOMBIE
        and process.info["cwd"]
        and Path(process.info["cwd"]).resolve() == pgdata.resolve()
    ]
