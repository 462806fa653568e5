"""The demo's paths: each a way a studio goes through the application after its submission, as
the sequence of commands officers enter, built with the same builders as the tests.

A step moves the business date on and runs its command; a step that would fall on or after
today ends the walk early (NotYet), and the studio stays where the last step left it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from msgspec.structs import replace

from casework import builders as b
from casework.domain import rules
from casework.domain.policy import MEASURES_2013

from .life import evaluate, working_years
from .walk import CITY_OFFICE, NotYet, Walk

Step = Callable[[Walk], None]

# The demo's deadline for a rectification: the measures leave it to the order (限期整改).
RECTIFICATION_DAYS = 180
EXPERTS = ("陈国华", "林建平", "黄志刚", "周晓东", "吴海燕", "郑明辉", "徐立新", "潘永强")


def send_back(walk: Walk) -> None:
    walk.run(replace(b.send_back(walk.id, walk.go(10, 30)), reviewer_unit=walk.unit), walk.reviewer)


def amend(walk: Walk) -> None:
    plan = walk.studio.proposal.plan + "；补充成员简介与三年工作计划"
    walk.run(b.amend(walk.id, plan, walk.go(5, 20)), walk.applicant)


def withdraw(walk: Walk) -> None:
    walk.run(b.withdraw(walk.id, walk.go(5, 30)), walk.applicant)


def decline(walk: Walk) -> None:
    walk.run(replace(b.decline(walk.id, walk.go(10, 30)), reviewer_unit=walk.unit), walk.reviewer)


def approve(walk: Walk) -> None:
    approval = replace(
        b.approve(walk.id),
        reviewer_unit=walk.unit,
        reviewed_on=walk.go(10, 30),
        opinion="经审核，原件与复印件一致",
    )
    walk.run(approval, walk.reviewer)


def assessment(recommended: bool) -> Step:
    def assess(walk: Walk) -> None:
        assessed = replace(
            b.assess(walk.id, recommended),
            panel=tuple(walk.rng.sample(EXPERTS, 3)),
            opinion="同意推荐" if recommended else "技术攻关成果不足，不予推荐",
            assessed_on=walk.go(20, 60),
            score=Decimal(walk.rng.randint(70, 95)),
        )
        walk.run(assessed, walk.office)

    return assess


def award(walk: Walk) -> None:
    on = walk.go(15, 45)
    awarded = replace(
        b.award(walk.id),
        decision_no=f"温人社发〔{on.year}〕{walk.rng.randint(20, 300)}号",
        published_on=on,
        plaque_no=f"WZJDS-{on.year}-{walk.rng.randrange(10**4):04d}",
    )
    walk.run(awarded, walk.office)


def last_evaluation(low: int, high: int) -> Step:
    """The latest period's evaluation, scoring about ``low`` to ``high`` (NotYet if none is due)."""

    def evaluate_last(walk: Walk) -> None:
        if not walk.periods:
            raise NotYet
        period, on = walk.periods[-1]
        evaluate(walk, period, on, walk.rng.randint(low, high))
        walk.on = on

    return evaluate_last


def to_province(walk: Walk) -> None:
    """Recommended by the city (a city-level studio whose latest grade allows it)."""
    latest = walk.studio.latest_evaluation
    if (
        walk.studio.level != "city"
        or latest is None
        or latest.grade not in MEASURES_2013.recommendable_grades
    ):
        return
    walk.run(b.recommend_to_province(walk.id, walk.go(10, 60)), CITY_OFFICE)


def order_rectification(walk: Walk) -> None:
    ordered = walk.go(5, 20)
    walk.run(
        b.order(walk.id, ordered_on=ordered, deadline=ordered + dt.timedelta(days=RECTIFICATION_DAYS)),
        walk.office,
    )


def rectification_review(passed: bool) -> Step:
    """Checked again ten days past the deadline (经限期整改后)."""

    def review(walk: Walk) -> None:
        walk.go(RECTIFICATION_DAYS + 10, RECTIFICATION_DAYS + 10)
        reviewed = replace(
            b.review(walk.id, passed, walk.on),
            findings="整改到位，复查合格" if passed else "复查仍不合格，带徒台账未补齐",
        )
        walk.run(reviewed, walk.office)

    return review


def revoke_after_rectification(walk: Walk) -> None:
    revoked = replace(b.revoke(walk.id, on=walk.go(20, 20)), note="限期整改后仍达不到合格标准，收回牌匾")
    walk.run(revoked, walk.office)


def revoke_on_another_ground(walk: Walk) -> None:
    ground: rules.RevocationGround = walk.rng.choice(("master_left_host", "host_dissolved", "misconduct"))
    walk.run(b.revoke(walk.id, ground, walk.go(30, 180)), walk.office)


@dataclass(frozen=True)
class Path:
    name: str
    weight: int
    # The status a studio walked the whole path stands in.
    ends_in: rules.Status
    steps: tuple[Step, ...] = ()
    # Years the path needs behind it (evaluations every two years, then a rectification).
    years: int = 0


# A sheet drawn for 58 rounds its items up to a total of 60, a pass: 57 is the most that fails.
FAILED = last_evaluation(40, 57)
AWARDED = (approve, assessment(recommended=True), award, working_years)
RECTIFICATION = (*AWARDED, FAILED, order_rectification)
PATHS = (
    Path("submitted", 10, "submitted"),
    Path("returned", 6, "returned", (send_back,)),
    Path("amended", 5, "submitted", (send_back, amend)),
    Path("withdrawn", 6, "withdrawn", (send_back, amend, withdraw)),
    Path("declined at the county", 5, "declined", (decline,)),
    Path("approved at the county", 6, "county_approved", (approve,)),
    Path("declined by the panel", 5, "declined", (approve, assessment(recommended=False))),
    Path("assessed", 5, "assessed", (approve, assessment(recommended=True))),
    Path("awarded", 70, "awarded", (*AWARDED, last_evaluation(62, 97))),
    Path(
        "recommended to the province",
        12,
        "awarded",
        (*AWARDED, last_evaluation(85, 99), to_province),
        years=5,
    ),
    Path("rectifying", 7, "rectifying", (*RECTIFICATION, rectification_review(passed=False)), years=5),
    Path("rectified", 3, "awarded", (*RECTIFICATION, rectification_review(passed=True)), years=5),
    Path(
        "revoked after rectification",
        10,
        "revoked",
        (*RECTIFICATION, rectification_review(passed=False), revoke_after_rectification),
        years=5,
    ),
    Path(
        "revoked on another ground",
        4,
        "revoked",
        (*AWARDED, last_evaluation(62, 97), revoke_on_another_ground),
        years=5,
    ),
)
BY_NAME = {path.name: path for path in PATHS}
