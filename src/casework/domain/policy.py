"""The policy table: every value the rules use, by the date it came into force.

The 2013 measures fix some values (30,000 yuan, five trainees a year, the grade bands) and
leave others open; where they are silent casework makes a *policy choice*. Both kinds live
here, one row per revision of the measures, each with the date it took effect. A later
revision is a new row, never an edit: an act is judged by the row in force on its own date,
so the history recorded under an old row keeps its meaning. docs/measures.md lists them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Final

from msgspec import Struct

from casework.domain.rules import Grade


class Policy(Struct, frozen=True, kw_only=True):
    """The values of one revision of the measures (see NOTES for what each interprets)."""

    in_force_from: dt.date
    document: str
    construction_subsidy_fen: int
    min_education_fund_share_pct: Decimal
    training_duty_per_year: int
    young_under_age: int
    evaluation_interval_years: int
    county_evaluation_due: bool
    score_step: Decimal
    bonus_cap: Decimal
    bonus_counts_toward_grade: bool
    # Lower bounds, checked from the top: a total between two bands falls to the lower one.
    grade_bands: tuple[tuple[Decimal, Grade], ...]
    recommendable_grades: frozenset[Grade]
    one_active_studio_per_master: bool
    city_office_may_submit: bool

    def grade_for(self, total: Decimal) -> Grade:
        """The grade a total earns on this revision's bands."""
        for floor, grade in self.grade_bands:
            if total >= floor:
                return grade
        return "fail"

    @property
    def passing_total(self) -> Decimal:
        """The lowest total that is not a fail."""
        return min(floor for floor, _ in self.grade_bands)


class PolicyNote(Struct, frozen=True):
    """What a policy value interprets, and whether the measures fix it or we chose it."""

    article: str
    choice: bool
    meaning: str


NOTES: Final[dict[str, PolicyNote]] = {
    "construction_subsidy_fen": PolicyNote(
        "第六条(一)",
        False,
        "the construction subsidy of a city-level studio, once (3万元; the code keeps it in fen)",
    ),
    "min_education_fund_share_pct": PolicyNote(
        "第四条(二)",
        False,
        "an enterprise host spends at least this share of its education fund on high skills",
    ),
    "training_duty_per_year": PolicyNote(
        "第三条(二)", False, "young technicians reaching 中级工 or higher per award year, on average"
    ),
    "young_under_age": PolicyNote(
        "第三条(二)",
        True,
        "青年 is not defined: an apprentice counts when under this age on the qualification date",
    ),
    "evaluation_interval_years": PolicyNote(
        "第七条(二)", False, "city-level studios are evaluated every this many years after the award"
    ),
    "county_evaluation_due": PolicyNote(
        "第七条(一)(二)",
        True,
        "whether a due date is computed for county-level studios (their county decides)",
    ),
    "score_step": PolicyNote("附件", True, "scores on the sheet move in steps of this size (half points)"),
    "bonus_cap": PolicyNote("附件", False, "the bonus items add at most this many points"),
    "bonus_counts_toward_grade": PolicyNote(
        "附件 注1", True, "the grade is read from base plus capped bonus, not from the base alone"
    ),
    "grade_bands": PolicyNote(
        "附件 注1",
        True,
        "≥90 优秀, 80–89 良好, 60–79 合格, <60 不合格; the bands read 90分-100分, so 89.5 is good",
    ),
    "recommendable_grades": PolicyNote(
        "第六条(四)", True, "择优推荐: only a studio whose latest grade is one of these is recommended"
    ),
    "one_active_studio_per_master": PolicyNote(
        "第四条", True, "a master leads at most one studio that is not declined, withdrawn or revoked"
    ),
    "city_office_may_submit": PolicyNote(
        "第五条(一)", True, "the city office may submit an application on a host unit's behalf"
    ),
}

MEASURES_2013: Final = Policy(
    in_force_from=dt.date(2013, 5, 8),
    document="温人社发〔2013〕200号",
    construction_subsidy_fen=3_000_000,
    min_education_fund_share_pct=Decimal(30),
    training_duty_per_year=5,
    young_under_age=35,
    evaluation_interval_years=2,
    county_evaluation_due=False,
    score_step=Decimal("0.5"),
    bonus_cap=Decimal(10),
    bonus_counts_toward_grade=True,
    grade_bands=((Decimal(90), "excellent"), (Decimal(80), "good"), (Decimal(60), "pass")),
    recommendable_grades=frozenset({"excellent", "good"}),
    one_active_studio_per_master=True,
    city_office_may_submit=True,
)


class PolicyTable(Struct, frozen=True):
    """Every revision, oldest first."""

    revisions: tuple[Policy, ...]

    def on(self, day: dt.date) -> Policy:
        """The revision in force on ``day`` (the first one for days before any)."""
        current = self.revisions[0]
        for revision in self.revisions:
            if revision.in_force_from <= day:
                current = revision
        return current


MEASURES: Final = PolicyTable(revisions=(MEASURES_2013,))
