"""A real ``casework serve`` process for the tests that need one, on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_serving(
    folder: Path, cwd: Path | None = None
) -> tuple[subprocess.Popen[bytes], str, dict[str, str]]:
    """Start the service on its own data folder; returns the process, its base URL and env."""
    port = free_port()
    env = {
        **os.environ,
        "CASEWORK_DATA_DIR": str(folder / ".casework"),
        "CASEWORK_PORT": str(port),
        "CASEWORK_LOG_LEVEL": "warning",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "casework.cli", "serve"],
        cwd=cwd,
        env=env,
        stdout=(folder / "serve.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/health/ready", timeout=2).status_code == 200:
                return process, base, env
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the service did not become ready"
        assert process.poll() is None, (folder / "serve.log").read_text()
        time.sleep(0.2)
