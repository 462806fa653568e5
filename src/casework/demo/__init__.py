"""A realistic data set, loaded through the application as officers would enter it.

Studios across all twelve counties (and 市直 hosts) on every path of the life cycle
(``paths.PATHS``): applications returned and amended, declined and withdrawn; awarded studios
with construction and apprenticeship subsidies (some reversed and paid again), apprentices,
inspections, evaluations every two years with real score sheets, rectification orders,
revocations and recommendations to the province.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from functools import partial

from casework.application import Casework, Context
from casework.domain import commands as c
from casework.domain import rules
from casework.domain.errors import StateConflict
from casework.domain.events import SubsidyStandardSet
from casework.domain.state import Studio
from casework.vault import Vault

from . import paths
from .paths import BY_NAME, PATHS, Path
from .walk import CITY_OFFICE, Demo, NotYet, Walk

__all__ = [
    "BY_NAME",
    "EXAMPLE_STANDARD",
    "PATHS",
    "Demo",
    "Walk",
    "example_standards",
    "load_demo",
    "paths",
    "walk",
]

# The measures give no figures for the apprenticeship subsidy (第六条(一) 现有补助标准): the
# city office records them. These are an EXAMPLE for the demo only, not the bureau's rates.
EXAMPLE_STANDARD = c.SetSubsidyStandard(
    in_force_from=dt.date(2013, 5, 8),
    document_no="示例标准（演示数据，非正式文件）",
    rates_fen={"中级工": 100_000, "高级工": 150_000, "技师": 200_000, "高级技师": 300_000},
)


def example_standards(app: Casework) -> tuple[tuple[SubsidyStandardSet, ...], bool]:
    """The subsidy standards recorded, EXAMPLE_STANDARD first recorded when there are none;
    and whether this call recorded it (loaders in parallel processes may race to)."""
    standards = app.subsidy_standards()
    if standards:
        return standards, False
    context = Context(actor=CITY_OFFICE, correlation_id=str(uuid.uuid4()), request_id=str(uuid.uuid4()))
    try:
        app.set_subsidy_standard(EXAMPLE_STANDARD, context)
    except StateConflict:  # another loader recorded it first
        return app.subsidy_standards(), False
    return app.subsidy_standards(), True


def walk(demo: Demo, county: str, path: Path) -> Walk:
    """A new studio from ``county`` taken along ``path``, as far as today allows."""
    studio = demo.submit(county, path.years)
    try:
        for step in path.steps:
            step(studio)
    except NotYet:
        pass
    return studio


def _with_fresh_master(make: Callable[[], Walk]) -> Walk:
    """Retry with a newly drawn master when a random ID number is already taken."""
    for _attempt in range(2):
        try:
            return make()
        except StateConflict as refused:
            if refused.code != "master_already_active":
                raise
    return make()


def load_demo(
    app: Casework,
    *,
    vault: Vault,
    today: dt.date,
    studios: int = 240,
    seed: int | None = None,
    advance: Callable[[Studio], None] = lambda _: None,
    apprentices_per_studio: tuple[int, int] = (2, 9),
) -> Demo:
    """Load ``studios`` studios; the result counts them by status, with an example of each."""
    demo = Demo(
        app=app,
        vault=vault,
        today=today,
        rng=random.Random(seed),
        apprentices_per_studio=apprentices_per_studio,
    )
    demo.standards, demo.recorded_example = example_standards(app)
    weighted = [path for path in PATHS for _ in range(path.weight)]
    for i in range(studios):
        county = rules.SCOPES[i % len(rules.SCOPES)]
        # Every path is walked early, whatever the size asked for.
        path = PATHS[i % len(PATHS)] if i < len(PATHS) * 2 else demo.rng.choice(weighted)
        state = _with_fresh_master(partial(walk, demo, county, path)).studio
        demo.counts[state.status] = demo.counts.get(state.status, 0) + 1
        # The example is the richest history of its status: the one worth replaying.
        example = demo.examples.get(state.status)
        if example is None or state.version > demo.versions.get(example, 0):
            demo.examples[state.status] = state.id
            demo.versions[state.id] = state.version
        advance(state)
    return demo
