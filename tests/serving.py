"""A real ``casework serve`` process for the tests that need one, on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

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
