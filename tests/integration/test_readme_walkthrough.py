"""The README's walkthrough works as written against a running ``casework serve``."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_the_walkthrough_runs_as_written(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- walkthrough -->\n```sh\n(.*?)```\n<!-- /walkthrough -->", readme, re.DOTALL)
    assert block is not None
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parents[1])
    port = free_port()
    env = {**os.environ, "CASEWORK_DATA_DIR": str(tmp_path / ".casework"), "CASEWORK_PORT": str(port)}
    server = subprocess.Popen(
        [sys.executable, "-m", "casework.cli", "serve"],
        cwd=tmp_path,
        env=env,
        stdout=(tmp_path / "serve.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the service did not become ready"
            time.sleep(0.2)
        script = "set -euo pipefail\n" + block.group(1)
        run = subprocess.run(
            ["bash", "-c", script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert run.returncode == 0, run.stderr + run.stdout
        out = run.stdout
        for expected in (
            "county_approved",
            "assessed",
            "2028-05-08",
            "construction_subsidy_already_paid",
            "50.0 3.0 53.0 fail",
            "revoked",
            "Revoked",
            "温州市张三数控车工技能大师工作室",
            "position,studio_id",
        ):
            assert expected in out, f"{expected!r} not in:\n{out}"
    finally:
        server.terminate()
        server.wait(30)
    assert server.returncode == 0, "SIGTERM stops the service cleanly"
