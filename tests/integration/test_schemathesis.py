"""schemathesis against the served OpenAPI document: no input a client can send makes a 5xx."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.serving import start_serving

ROLES = ("city_office", "finance", "auditor")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("schemathesis")
    server, base, env = start_serving(folder)
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
