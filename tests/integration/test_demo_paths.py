"""The demo's table of paths: each, walked through the application, ends where it says."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from msgspec.structs import replace

from casework import builders as b
from casework.application import Casework
from casework.demo import CITY_OFFICE, PATHS, Demo, Walk, example_standards, life, paths, walk
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


def test_a_studio_awarded_lately_is_not_paid_before_today(database_url: str, tmp_path: Path) -> None:
    """The construction subsidy follows the award by weeks: for an award days before the demo's
    today it is not yet paid (a payment dated after today would be refused, date_in_future)."""
    with Casework(database_url) as app:
        demo = Demo(app=app, vault=Vault.from_setting(None, tmp_path), today=TODAY, rng=random.Random(5))
        demo.standards, _ = example_standards(app)
        awarded = next(p for p in PATHS if p.name == "assessed")
        studio = walk(demo, "鹿城区", awarded).studio
        award = Walk(demo=demo, studio=studio, on=TODAY - dt.timedelta(days=3))
        award.run(replace(b.award(studio.id), published_on=award.on), CITY_OFFICE)
        before = award.studio.version
        for _ in range(20):  # whatever the draws, no payment dated after today
            life.construction_subsidy(award)
        assert award.studio.version == before
        assert app.load(studio.id) == award.studio
