"""Two API processes and two projection workers on one PostgreSQL, under a load of commands:
afterwards every read model equals a fresh rebuild of the same log."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from api.auth import issue_token, jwt_secret
from casework.application import Casework
from projections.models import all_projections
from projections.runner import Projector
from tests.api import bodies
from tests.integration.snapshots import snapshot
from tests.serving import start_serving


async def load_commands(bases: list[str], tokens: dict[str, str], studios: int) -> int:
    """Every studio's life, each step through whichever API the round-robin gives."""
    async with httpx.AsyncClient(timeout=30) as client:

        async def life(n: int) -> int:
            done = 0
            base = bases[n % len(bases)]

            def headers(role: str) -> dict[str, str]:
                return {"Authorization": f"Bearer {tokens[role]}"}

            made = await client.post(
                f"{base}/api/v1/studios",
                json=bodies.submission(f"张{n}", serial=n),
                headers=headers("applicant"),
            )
            assert made.status_code == 201, made.text
            sid = made.json()["id"]
            steps = [
                ("county-review", bodies.APPROVE, "county_reviewer"),
                ("assessment", bodies.ASSESS, "city_office"),
                ("award", bodies.AWARD, "city_office"),
                ("subsidy-payments", bodies.payment(f"GK-{n}"), "finance"),
                (
                    "inspections",
                    {"inspector": "市局", "findings": "正常", "inspected_on": "2026-11-01"},
                    "city_office",
                ),
            ]
            for i, (path, body, role) in enumerate(steps):
                other = bases[(n + i + 1) % len(bases)]  # the next step through the other replica
                answer = await client.post(
                    f"{other}/api/v1/studios/{sid}/{path}", json=body, headers=headers(role)
                )
                assert answer.status_code == 200, answer.text
                done += 1
            return done + 1

        results = await asyncio.gather(*(life(n) for n in range(1, studios + 1)))
        return sum(results)


def test_two_apis_and_two_workers_leave_read_models_equal_to_a_rebuild(
    database_url: str, tmp_path: Path
) -> None:
    shared = {"CASEWORK_DATABASE_URL": database_url, "CASEWORK_DATA_DIR": str(tmp_path / ".casework")}
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "casework.cli", "project", "--report-every", "1"],
            env={**os.environ, **shared, "CASEWORK_LOG_LEVEL": "warning"},
            stdout=(tmp_path / f"worker{i}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for i in range(2)
    ]
    apis = [
        start_serving(tmp_path, None, "--no-projections", env=shared, log=f"api{i}.log") for i in range(2)
    ]
    try:
        secret = jwt_secret(None, tmp_path / ".casework")
        tokens = {
            role: issue_token(
                secret,
                role=role,
                subject=f"{role}.load",
                county="鹿城区" if role in ("applicant", "county_reviewer") else None,
            )
            for role in ("applicant", "county_reviewer", "city_office", "finance")
        }
        commands = asyncio.run(load_commands([base for _, base, _ in apis], tokens, studios=12))
        assert commands == 12 * 6
        with Casework(database_url) as app:
            projector = Projector(app, database_url)
            deadline = time.monotonic() + 30
            while not all(s.lag == 0 for s in projector.status(all_projections())):
                assert time.monotonic() < deadline, "the workers did not catch up"
                time.sleep(0.1)
            assert all(s.active_runner for s in projector.status(all_projections()))
            assert projector.head() == 12 * 6
            live = snapshot(database_url)
            projector.rebuild(all_projections())
            assert snapshot(database_url) == live
            projector.close()
    finally:
        for process, _, _ in apis:
            process.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for process in [p for p, _, _ in apis] + workers:
            assert process.wait(30) == 0, "SIGTERM stops every process cleanly"
