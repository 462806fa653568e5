"""第七条(二) and 附件: the score sheet, the bonus cap and the grade bands."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from msgspec.structs import replace

from casework.domain import rules
from casework.domain.events import Evaluated
from casework.domain.policy import MEASURES_2013
from casework.domain.state import fold, next_evaluation_due
from casework.domain.values import Bonus, ItemScore
from tests import builders as b
from tests.unit.scenario import awarded, given, submitted


class TestGradeBands:
    @pytest.mark.parametrize(
        ("total", "grade"),
        [
            ("100", "excellent"),
            ("90", "excellent"),
            ("89.5", "good"),
            ("80", "good"),
            ("79.5", "pass"),
            ("60", "pass"),
            ("59.5", "fail"),
            ("0", "fail"),
        ],
    )
    def test_a_total_earns_its_band(self, total: str, grade: str) -> None:
        sid = uuid.uuid4()
        studio = given(*awarded(sid)).when(b.evaluate(sid, total)).then_status("awarded")
        latest = studio.latest_evaluation
        assert latest is not None
        assert (latest.total, latest.grade) == (Decimal(total), grade)

    def test_the_total_above_100_is_still_excellent(self) -> None:
        assert MEASURES_2013.grade_for(Decimal(110)) == "excellent"


class TestScoreSheet:
    def test_the_event_carries_computed_base_bonus_total_and_grade(self) -> None:
        sid = uuid.uuid4()
        bonus = (Bonus(kind="media_coverage", points=Decimal(3), note="温州日报"),)
        command = b.evaluate(sid, "86", bonus=bonus)
        given(*awarded(sid)).when(command).then(
            Evaluated(
                period="2014-2015",
                scores=command.scores,
                bonus=bonus,
                evaluated_on=command.evaluated_on,
                base=Decimal(86),
                bonus_total=Decimal(3),
                total=Decimal(89),
                grade="good",
                ends_rectification=False,
            )
        )

    def test_the_bonus_is_capped_at_10(self) -> None:
        sid = uuid.uuid4()
        bonus = (
            Bonus(kind="media_coverage", points=Decimal(6)),
            Bonus(kind="provincial_meeting", points=Decimal(5)),
            Bonus(kind="award", points=Decimal(4)),
        )
        event = given(*awarded(sid)).when(b.evaluate(sid, "85", bonus=bonus)).events()[0]
        assert isinstance(event, Evaluated)
        assert (event.bonus_total, event.total, event.grade) == (Decimal(10), Decimal(95), "excellent")

    def test_the_cap_lifts_a_total_to_110_at_most(self) -> None:
        sid = uuid.uuid4()
        bonus = (Bonus(kind="award", points=Decimal(10)), Bonus(kind="media_coverage", points=Decimal(2)))
        event = given(*awarded(sid)).when(b.evaluate(sid, "100", bonus=bonus)).events()[0]
        assert isinstance(event, Evaluated)
        assert event.total == Decimal(110)

    def test_a_bonus_can_lift_a_fail_to_a_pass(self) -> None:
        sid = uuid.uuid4()
        bonus = (Bonus(kind="award", points=Decimal("0.5")),)
        event = given(*awarded(sid)).when(b.evaluate(sid, "59.5", bonus=bonus)).events()[0]
        assert isinstance(event, Evaluated)
        assert (event.total, event.grade) == (Decimal(60), "pass")

    def test_only_the_assessed_score_counts(self) -> None:
        sid = uuid.uuid4()
        command = b.evaluate(sid, "70")
        low_self = {k: replace(v, self_score=Decimal(0)) for k, v in command.scores.items()}
        event = given(*awarded(sid)).when(replace(command, scores=low_self)).events()[0]
        assert isinstance(event, Evaluated)
        assert event.base == Decimal(70)

    @pytest.mark.parametrize("item", [i.code for i in rules.SCORING_SHEET])
    def test_every_item_must_be_present(self, item: str) -> None:
        sid = uuid.uuid4()
        command = b.evaluate(sid, "80")
        scores = {k: v for k, v in command.scores.items() if k != item}
        error = (
            given(*awarded(sid))
            .when(replace(command, scores=scores))
            .then_raises("invalid_scores", "invalid")
        )
        assert error.errors[0].field == f"scores.{item}"

    @pytest.mark.parametrize("item", [i for i in rules.SCORING_SHEET])
    def test_no_item_exceeds_its_maximum(self, item: rules.ScoringItem) -> None:
        sid = uuid.uuid4()
        command = b.evaluate(sid, "0")
        over = ItemScore(self_score=Decimal(0), assessed=item.maximum + Decimal("0.5"))
        scores = {**command.scores, item.code: over}
        error = given(*awarded(sid)).when(replace(command, scores=scores)).then_raises("invalid_scores")
        assert error.errors[0].field == f"scores.{item.code}.assessed"

    def test_the_maxima_add_up_to_100_in_six_categories(self) -> None:
        assert sum(i.maximum for i in rules.SCORING_SHEET) == 100
        by_category: dict[str, Decimal] = {}
        for i in rules.SCORING_SHEET:
            by_category[i.category] = by_category.get(i.category, Decimal(0)) + i.maximum
        assert by_category == {
            "制度建设": 20,
            "保障建设": 20,
            "技术攻关": 20,
            "带徒传艺": 15,
            "技术研发": 10,
            "技术交流": 15,
        }

    @pytest.mark.parametrize("value", ["0.3", "-0.5", "NaN"])
    def test_scores_move_in_half_points_from_zero(self, value: str) -> None:
        sid = uuid.uuid4()
        command = b.evaluate(sid, "50")
        scores = {**command.scores, "T1": ItemScore(self_score=Decimal(value), assessed=Decimal(5))}
        error = given(*awarded(sid)).when(replace(command, scores=scores)).then_raises("invalid_scores")
        assert error.errors[0].field == "scores.T1.self"

    def test_an_unknown_item_is_refused(self) -> None:
        sid = uuid.uuid4()
        command = b.evaluate(sid, "50")
        scores = {**command.scores, "Z9": ItemScore(self_score=Decimal(1), assessed=Decimal(1))}
        given(*awarded(sid)).when(replace(command, scores=scores)).then_raises("invalid_scores")

    def test_a_bonus_is_a_non_negative_half_point(self) -> None:
        sid = uuid.uuid4()
        bonus = (Bonus(kind="award", points=Decimal("-1")),)
        error = given(*awarded(sid)).when(b.evaluate(sid, "50", bonus=bonus)).then_raises("invalid_scores")
        assert error.errors[0].field == "bonus[0].points"


class TestEvaluationLifeCycle:
    @pytest.mark.parametrize("period", ["2014", "2014-2016", "2015-2014", "14-15"])
    def test_the_period_is_two_consecutive_years(self, period: str) -> None:
        sid = uuid.uuid4()
        given(*awarded(sid)).when(b.evaluate(sid, period=period)).then_raises("validation_failed")

    def test_only_an_awarded_studio_is_evaluated(self) -> None:
        sid = uuid.uuid4()
        given(*submitted(sid)).when(b.evaluate(sid)).then_raises("transition_not_allowed")

    def test_a_period_is_evaluated_once(self) -> None:
        sid = uuid.uuid4()
        past = awarded(sid)
        past += given(*past).when(b.evaluate(sid)).events()
        given(*past).when(b.evaluate(sid)).then_raises("evaluation_period_taken", "conflict")

    def test_the_next_evaluation_falls_due_every_two_years_after_the_award(self) -> None:
        sid = uuid.uuid4()
        past = awarded(sid)
        studio = given(*past[:-1]).when(b.award(sid)).then_status("awarded")
        assert next_evaluation_due(studio) == b.D(2016, 5, 8)
        studio = given(*past).when(b.evaluate(sid)).then_status("awarded")
        assert next_evaluation_due(studio) == b.D(2018, 5, 8)


class TestPeriods:
    """第七条(二): every two years after the award; periods of two calendar years."""

    def test_a_period_that_overlaps_an_earlier_one_is_refused(self) -> None:
        sid = uuid.uuid4()
        past = awarded(sid)
        past += given(*past).when(b.evaluate(sid, period="2014-2015")).events()
        command = b.evaluate(sid, period="2015-2016", on=b.D(2017, 3, 1))
        error = given(*past).when(command).then_raises("evaluation_period_taken", "conflict")
        assert "2014-2015" in error.detail
        given(*past).when(b.evaluate(sid, period="2016-2017", on=b.D(2018, 3, 1))).then_status("awarded")

    def test_a_period_that_ends_before_the_award_year_is_refused(self) -> None:
        sid = uuid.uuid4()
        command = b.evaluate(sid, period="2012-2013", on=b.D(2014, 6, 1))
        given(*awarded(sid)).when(command).then_raises("evaluation_period_invalid", "conflict")

    def test_a_period_is_evaluated_on_or_after_its_first_day(self) -> None:
        sid = uuid.uuid4()
        early = b.evaluate(sid, period="2016-2017", on=b.D(2015, 12, 31))
        error = given(*awarded(sid)).when(early).then_raises("validation_failed", "invalid")
        assert error.errors[0].field == "evaluated_on"
        given(*awarded(sid)).when(b.evaluate(sid, period="2016-2017", on=b.D(2016, 1, 1))).then_status(
            "awarded"
        )

    def test_a_county_level_studio_has_no_computed_due_date(self) -> None:
        sid = uuid.uuid4()
        studio = fold(awarded(sid, level="county"), sid)
        assert studio is not None
        assert next_evaluation_due(studio) is None
