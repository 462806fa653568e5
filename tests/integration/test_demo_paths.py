"""The demo's table of paths: each, walked through the application, ends where it says."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from casework.application import Casework
from casework.demo import PATHS, Demo, example_standards, paths, walk
from casework.domain import rules
from casework.vault import Vault

TODAY = dt.date(2026, 11, 26)


@pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])
def test_every_path_ends_in_its_status(database_url: str, tmp_path: Path, path: paths.Path) -> None:
    with Casework(database_url) as app:
        demo = Demo(app=app, vault=Vault.from_setting(None, tmp_path), today=TODAY, rng=random.Random(3))
        demo.standards, _ = example_standards(app)
        for county in ("鹿城区", rules.CITY_DIRECT, "泰顺县"):
            studio = walk(demo, county, path).studio
            assert studio.status == path.ends_in, (county, studio.version)
            assert app.load(studio.id) == studio


def test_every_status_is_the_end_of_a_path() -> None:
    assert {path.ends_in for path in PATHS} == set(rules.Status.__args__)
    assert PATHS[0].name == "submitted", "the first studio loaded is a lone application"
