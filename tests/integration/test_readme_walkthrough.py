"""The README's walkthrough works as written against a running ``casework serve``."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import httpx

from casework.clock import business_date, utc_now
from casework.domain.state import anniversary
from tests.serving import start_serving

ROOT = Path(__file__).resolve().parents[2]


def next_evaluation_due() -> str:
    """Two years after the walkthrough's award, dated 90 days before today in Wenzhou."""
    awarded = business_date(utc_now()) - dt.timedelta(days=90)
    return anniversary(awarded, 2).isoformat()


def test_the_walkthrough_runs_as_written(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- walkthrough -->\n```sh\n(.*?)```\n<!-- /walkthrough -->", readme, re.DOTALL)
    assert block is not None
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parents[1])
    server, base, env = start_serving(tmp_path, cwd=tmp_path)
    try:
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
            next_evaluation_due(),
            "construction_subsidy_already_paid",
            "'apprenticeship_paid': '1000.00'",
            "50.0 3.0 53.0 fail",
            "revocation_precondition",
            "'last_review_passed': False",
            "revoked",
            "RectificationReviewed",
            "Revoked",
            "温州市张三数控车工技能大师工作室",
            "position,studio_id",
        ):
            assert expected in out, f"{expected!r} not in:\n{out}"
        # The service's own runner signed the chain as the events came in.
        auditor = subprocess.run(
            [sys.executable, "-m", "casework.cli", "token", "--role", "auditor", "--subject", "check"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        integrity = httpx.get(
            f"{base}/api/v1/integrity", headers={"Authorization": f"Bearer {auditor}"}, timeout=30
        )
        assert integrity.json()["ok"] is True
        assert integrity.json()["checkpoints"] >= 1
    finally:
        server.terminate()
        server.wait(30)
    assert server.returncode == 0, "SIGTERM stops the service cleanly"
