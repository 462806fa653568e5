"""schemathesis against the served OpenAPI document: no input a client can send makes a 5xx."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

ROLES = ("city_office", "finance", "auditor")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("schemathesis")
    port = free_port()
    env = {
        **os.environ,
        "CASEWORK_DATA_DIR": str(folder / ".casework"),
        "CASEWORK_PORT": str(port),
        "CASEWORK_LOG_LEVEL": "warning",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "casework.cli", "serve"],
        env=env,
        stdout=(folder / "serve.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/health/ready", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline
        time.sleep(0.2)
    tokens = {}
    for role in ROLES:
        made = subprocess.run(
            [sys.executable, "-m", "casework.cli", "token", "--role", role, "--subject", "fuzz"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        tokens[role] = made.stdout.strip()
    yield base, tokens
    server.terminate()
    server.wait(30)
    log = (folder / "serve.log").read_text()
    assert "unexpected_error" not in log, log[-4000:]


def test_no_request_makes_a_server_error(served: tuple[str, dict[str, str]]) -> None:
    base, tokens = served
    schema = schemathesis.openapi.from_url(f"{base}/schema/openapi.json")
    failures: list[str] = []
    statuses: list[int] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def exercise(case: schemathesis.Case) -> None:
            for role in ROLES:
                response = case.call(headers={"Authorization": f"Bearer {tokens[role]}"}, timeout=30)
                statuses.append(response.status_code)
                if response.status_code >= 500:
                    failures.append(
                        f"{role} {case.method} {case.formatted_path}: {response.status_code} {response.text}"
                    )

        exercise()
    assert operations >= 25
    assert len(statuses) >= operations * len(ROLES) * 3, "the fuzzer must really have called the API"
    assert {200, 404, 422} <= set(statuses)
    assert failures == []
