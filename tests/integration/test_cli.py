"""The casework command as an officer runs it: a demo data set, then a studio's timeline."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest

from casework.application import Casework
from casework.demo import load_demo
from casework.domain import rules
from casework.vault import Vault
from tests.serving import casework


def test_demo_then_replay_shows_a_studio_s_whole_life(tmp_path: Path) -> None:
    env = {"CASEWORK_DATA_DIR": str(tmp_path / "data"), "CASEWORK_LOG_LEVEL": "warning"}
    demo = casework("demo", "--studios", "30", "--seed", "7", env=env)
    assert demo.returncode == 0, demo.stderr
    assert "30 studios loaded" in demo.stdout
    revoked = next(line for line in demo.stdout.splitlines() if "revoked" in line)
    studio_id = next(word for word in revoked.replace("│", " ").split() if word.count("-") == 4)
    replay = casework("replay", studio_id, env=env)
    assert replay.returncode == 0, replay.stderr
    for expected in ("Submitted", "CountyApproved", "Assessed", "Awarded", "SubsidyPaid", "Revoked"):
        assert expected in replay.stdout
    assert "awarded → revoked" in replay.stdout or "rectifying → revoked" in replay.stdout
    missing = casework("replay", str(uuid.uuid4()), env=env)
    assert missing.returncode == 1
    assert "no studio" in missing.stdout


@pytest.mark.parametrize("studios", [240])
def test_the_demo_covers_every_county_and_every_stage(
    database_url: str, tmp_path: Path, studios: int
) -> None:
    with Casework(database_url) as app:
        loaded = load_demo(
            app=app, vault=Vault.from_setting(None, tmp_path), today=rules_today(), studios=studios, seed=11
        )
        assert sum(loaded.counts.values()) == studios
        assert set(loaded.counts) == {
            "submitted", "returned", "county_approved", "assessed", "awarded",
            "rectifying", "declined", "withdrawn", "revoked",
        }  # fmt: skip
        counties = set()
        kinds = set()
        for studio_id in loaded.versions:
            studio = app.load(studio_id)
            assert studio is not None
            counties.add(studio.county)
        for n in app.recorder.select_notifications(start=1, limit=100_000):
            kinds.add(n.topic.rsplit(":", 1)[1])
        assert counties >= set(rules.COUNTIES)
        assert {"Evaluated", "SubsidyReversed", "RectificationOrdered", "RecommendedToProvince",
                "ApprenticeQualified", "Inspected", "Amended", "Withdrawn"} <= kinds  # fmt: skip


def rules_today() -> dt.date:
    return dt.date(2026, 11, 26)
