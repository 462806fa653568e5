"""The policy table (one row per revision of the measures) and business dates.

An act is judged by the rules in force on its own date; no business date of an act lies
after today in Asia/Shanghai (a deadline may)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from msgspec.structs import replace

from casework.domain import commands as c
from casework.domain.decide.circumstances import not_in_future
from casework.domain.errors import InvalidRequest
from casework.domain.events import ApprenticeQualified, Awarded, Evaluated
from casework.domain.policy import MEASURES, MEASURES_2013, NOTES, Policy, PolicyTable
from tests import builders as b
from tests.unit.scenario import TODAY, assessed, awarded, given, recorded_award
from tests.unit.test_apprentices_and_inspections import enrol, qualify

# A made-up revision, for these tests only: from 2016, 40 is young, 89.5 is excellent and the
# construction subsidy is 50,000 yuan.
REVISED = replace(
    MEASURES_2013,
    in_force_from=b.D(2016, 1, 1),
    document="温人社发〔2016〕试行号",
    young_under_age=40,
    grade_bands=((Decimal("89.5"), "excellent"), (Decimal(80), "good"), (Decimal(60), "pass")),
    construction_subsidy_fen=5_000_000,
)
REVISED_TABLE = PolicyTable(revisions=(MEASURES_2013, REVISED))


class TestThePolicyTable:
    def test_every_value_names_the_article_it_interprets(self) -> None:
        fields = {f for f in Policy.__struct_fields__ if f not in ("in_force_from", "document")}
        assert set(NOTES) == fields
        assert all(note.article.startswith(("第", "附件")) for note in NOTES.values())

    def test_the_policy_choices_of_domain_md_are_marked_as_ours(self) -> None:
        chosen = {name for name, note in NOTES.items() if note.choice}
        assert chosen == {
            "young_under_age",
            "county_evaluation_due",
            "score_step",
            "bonus_counts_toward_grade",
            "grade_bands",
            "recommendable_grades",
            "one_active_studio_per_master",
            "city_office_may_submit",
        }

    def test_a_revision_is_in_force_from_its_date(self) -> None:
        assert REVISED_TABLE.on(b.D(2015, 12, 31)) is MEASURES_2013
        assert REVISED_TABLE.on(b.D(2016, 1, 1)) is REVISED
        assert MEASURES.on(b.D(2030, 1, 1)) is MEASURES_2013

    def test_the_bands_read_89_5_as_good(self) -> None:
        assert MEASURES_2013.grade_for(Decimal("89.5")) == "good"
        assert MEASURES_2013.grade_for(Decimal(90)) == "excellent"
        assert MEASURES_2013.grade_for(Decimal("59.5")) == "fail"


class TestActsAreJudgedByTheRulesOfTheirDate:
    def test_an_evaluation_is_graded_by_the_bands_of_its_date(self) -> None:
        sid = uuid.uuid4()
        past = given(*awarded(sid)).under(policies=REVISED_TABLE)
        before = b.evaluate(sid, "89.5", period="2014-2015", on=b.D(2015, 12, 31))
        after = replace(before, evaluated_on=b.D(2016, 1, 1))
        (old,) = past.when(before).events()
        (new,) = past.when(after).events()
        assert isinstance(old, Evaluated)
        assert isinstance(new, Evaluated)
        assert (old.grade, new.grade) == ("good", "excellent")

    def test_youth_is_judged_by_the_age_of_the_qualification_date(self) -> None:
        sid = uuid.uuid4()
        history = [*awarded(sid), *given(*awarded(sid)).when(enrol(sid, 1, born="19790101")).events()]
        revised = given(*history).under(policies=REVISED_TABLE)
        (before,) = revised.when(qualify(sid, 1, "中级工", b.D(2015, 6, 1))).events()
        (after,) = revised.when(qualify(sid, 1, "中级工", b.D(2016, 6, 1))).events()
        assert isinstance(before, ApprenticeQualified)
        assert isinstance(after, ApprenticeQualified)
        assert (before.young, after.young) == (False, True)

    def test_an_award_commits_the_subsidy_of_its_publication_date(self) -> None:
        sid = uuid.uuid4()
        revised = given(*assessed(sid)).under(policies=REVISED_TABLE)
        (old,) = revised.when(b.award(sid)).events()
        (new,) = revised.when(replace(b.award(sid), published_on=b.D(2016, 2, 1))).events()
        assert isinstance(old, Awarded)
        assert isinstance(new, Awarded)
        assert (old.construction_subsidy_fen, new.construction_subsidy_fen) == (3_000_000, 5_000_000)

    def test_a_county_level_award_commits_no_construction_subsidy(self) -> None:
        sid = uuid.uuid4()
        (event,) = given(*assessed(sid, level="county")).when(b.award(sid)).events()
        assert isinstance(event, Awarded)
        assert event.construction_subsidy_fen == 0


class TestBusinessDates:
    def test_an_act_dated_today_is_accepted(self) -> None:
        sid = uuid.uuid4()
        given(*recorded_award(sid)).today(b.D(2014, 5, 8)).when(b.award(sid)).then_raises(
            "transition_not_allowed"
        )
        given(*assessed(sid)).today(b.D(2014, 5, 8)).when(b.award(sid)).then_status("awarded")

    def test_an_act_dated_tomorrow_is_refused_naming_the_date(self) -> None:
        sid = uuid.uuid4()
        error = (
            given(*assessed(sid))
            .today(b.D(2014, 5, 7))
            .when(b.award(sid))
            .then_raises("date_in_future", "invalid")
        )
        assert error.errors[0].field == "published_on"

    @pytest.mark.parametrize(
        "make",
        [
            b.construction_payment,
            b.evaluate,
            lambda sid: qualify(sid, 1, "中级工", b.D(2015, 1, 1)),
            lambda sid: b.review(sid, True),
            lambda sid: c.Revoke(studio_id=sid, ground="misconduct", note="x", decided_on=b.D(2016, 1, 1)),
        ],
    )
    def test_no_business_date_lies_in_the_future(self, make: Callable[[uuid.UUID], c.StudioCommand]) -> None:
        command = make(uuid.uuid4())
        dated = {f: v for f in command.__struct_fields__ if isinstance(v := getattr(command, f), dt.date)}
        field, day = min(dated.items(), key=lambda item: item[1])
        with pytest.raises(InvalidRequest) as refused:
            not_in_future(command, day - dt.timedelta(days=1))
        assert refused.value.code == "date_in_future"
        assert refused.value.errors[0].field == field
        not_in_future(command, max(dated.values()))

    def test_no_act_is_dated_before_the_measures_took_effect(self) -> None:
        # 第八条 自发布之日起施行: 8 May 2013.
        sid = uuid.uuid4()
        early = replace(b.construction_payment(sid), paid_on=b.D(2013, 5, 7))
        error = given(*awarded(sid)).when(early).then_raises("validation_failed", "invalid")
        assert error.errors[0].field == "paid_on"

    def test_a_deadline_may_lie_in_the_future(self) -> None:
        sid = uuid.uuid4()
        command = b.order(sid, reason="fraud", ordered_on=TODAY, deadline=TODAY + dt.timedelta(days=90))
        given(*awarded(sid)).when(command).then_status("rectifying")


def test_the_readme_lists_every_policy_value_with_its_article() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    table = readme.split("### Policy choices, in one table", 1)[1]
    for name, note in NOTES.items():
        line = next((row for row in table.splitlines() if row.startswith(f"| `{name}` |")), None)
        assert line is not None, name
        assert f"| {note.article} |" in line
        assert ("| ours |" in line) == note.choice
