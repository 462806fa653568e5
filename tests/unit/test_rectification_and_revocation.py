"""第七条(四) and our rectification rules: orders, deadlines, revocation grounds."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from msgspec.structs import replace

from casework.domain import commands as c
from casework.domain import rules
from casework.domain.events import Evaluated, Event
from casework.domain.state import fold
from tests import builders as b
from tests.unit.scenario import awarded, given, submitted

ORDERED = b.ORDERED
DEADLINE = b.DEADLINE
order = b.order


AFTER_DEADLINE = b.D(2016, 10, 1)


def revoke(sid: uuid.UUID, ground: rules.RevocationGround, on: dt.date = AFTER_DEADLINE) -> c.Revoke:
    return c.Revoke(studio_id=sid, ground=ground, note="经核实", decided_on=on)


def failed(sid: uuid.UUID) -> list[Event]:
    past = awarded(sid)
    return past + given(*past).when(b.evaluate(sid, "55")).events()


def rectifying(sid: uuid.UUID, reason: rules.RectificationReason = "failed_evaluation") -> list[Event]:
    past = failed(sid) if reason == "failed_evaluation" else awarded(sid)
    return past + given(*past).when(order(sid, reason)).events()


def reviewed(
    sid: uuid.UUID, passed: bool, on: dt.date, reason: rules.RectificationReason = "fraud"
) -> list[Event]:
    past = rectifying(sid, reason)
    return past + given(*past).when(b.review(sid, passed, on)).events()


class TestRectificationOrder:
    def test_a_failed_evaluation_leads_to_rectification(self) -> None:
        sid = uuid.uuid4()
        studio = given(*failed(sid)).when(order(sid)).then_status("rectifying")
        assert studio.open_rectification is not None
        assert studio.open_rectification.deadline == DEADLINE

    def test_failed_evaluation_needs_the_latest_evaluation_to_be_a_fail(self) -> None:
        sid = uuid.uuid4()
        given(*awarded(sid)).when(order(sid)).then_raises("rectification_precondition", "conflict")
        past = awarded(sid)
        past += given(*past).when(b.evaluate(sid, "75")).events()
        given(*past).when(order(sid)).then_raises("rectification_precondition")

    @pytest.mark.parametrize("reason", ["fraud", "inspection"])
    def test_fraud_or_an_inspection_needs_no_failed_evaluation(
        self, reason: rules.RectificationReason
    ) -> None:
        sid = uuid.uuid4()
        given(*awarded(sid)).when(order(sid, reason)).then_status("rectifying")

    @pytest.mark.parametrize("deadline", [ORDERED, ORDERED - dt.timedelta(days=1)])
    def test_the_deadline_is_after_the_order_date(self, deadline: dt.date) -> None:
        sid = uuid.uuid4()
        error = (
            given(*failed(sid))
            .when(replace(order(sid), deadline=deadline))
            .then_raises("invalid_deadline", "invalid")
        )
        assert error.errors[0].field == "deadline"

    def test_a_studio_under_rectification_gets_no_second_order(self) -> None:
        sid = uuid.uuid4()
        given(*rectifying(sid)).when(order(sid, "fraud")).then_raises("transition_not_allowed")

    def test_an_evaluation_of_60_or_more_ends_rectification(self) -> None:
        sid = uuid.uuid4()
        command = b.evaluate(sid, "60", on=b.D(2016, 9, 1))
        studio = given(*rectifying(sid)).when(command).then_status("awarded")
        assert studio.rectification is not None
        assert studio.rectification.passed_on == b.D(2016, 9, 1)
        assert studio.open_rectification is None

    def test_an_evaluation_below_60_keeps_it_under_rectification(self) -> None:
        sid = uuid.uuid4()
        given(*rectifying(sid)).when(b.evaluate(sid, "59.5", on=b.D(2016, 9, 1))).then_status("rectifying")

    def test_a_pass_dated_before_the_order_does_not_end_it(self) -> None:
        # Entered late, it looked at the studio before the order: it proves no rectification.
        sid = uuid.uuid4()
        command = b.evaluate(sid, "75", on=ORDERED - dt.timedelta(days=1))
        (event,) = given(*rectifying(sid)).when(command).events()
        assert isinstance(event, Evaluated)
        assert event.ends_rectification is False
        given(*rectifying(sid)).when(command).then_status("rectifying")

    def test_the_decision_records_that_a_pass_ends_it(self) -> None:
        sid = uuid.uuid4()
        (event,) = given(*rectifying(sid)).when(b.evaluate(sid, "60", on=ORDERED)).events()
        assert isinstance(event, Evaluated)
        assert event.ends_rectification is True

    @pytest.mark.parametrize(("total", "status"), [("60", "awarded"), ("59.5", "rectifying")])
    def test_a_pass_recorded_before_the_event_said_so_ends_it_by_that_release_s_rule(
        self, total: str, status: str
    ) -> None:
        # Evaluated events stored before 2026-11-30 carry no ends_rectification: under that
        # release any total of 60 or more recorded while rectifying ended it.
        sid = uuid.uuid4()
        (decided,) = given(*rectifying(sid)).when(b.evaluate(sid, total, on=ORDERED)).events()
        assert isinstance(decided, Evaluated)
        legacy = replace(decided, ends_rectification=None)
        studio = fold([*rectifying(sid), legacy], sid)
        assert studio is not None
        assert studio.status == status


class TestRectificationReview:
    """经限期整改后 (第七条(四)3): the studio is checked again."""

    def test_a_passed_review_ends_the_rectification(self) -> None:
        sid = uuid.uuid4()
        studio = given(*rectifying(sid)).when(b.review(sid, True, DEADLINE)).then_status("awarded")
        assert studio.rectification is not None
        assert studio.rectification.passed_on == DEADLINE

    def test_a_failed_review_keeps_it_under_rectification(self) -> None:
        sid = uuid.uuid4()
        studio = given(*rectifying(sid)).when(b.review(sid, False, DEADLINE)).then_status("rectifying")
        assert studio.open_rectification is not None
        assert studio.open_rectification.reviews[-1].passed is False

    def test_a_review_before_the_deadline_may_find_it_done(self) -> None:
        sid = uuid.uuid4()
        early = DEADLINE - dt.timedelta(days=30)
        given(*rectifying(sid)).when(b.review(sid, True, early)).then_status("awarded")

    def test_only_a_studio_under_rectification_is_reviewed(self) -> None:
        sid = uuid.uuid4()
        given(*awarded(sid)).when(b.review(sid, True)).then_raises("transition_not_allowed", "conflict")

    def test_a_review_comes_after_the_order(self) -> None:
        sid = uuid.uuid4()
        command = b.review(sid, False, ORDERED - dt.timedelta(days=1))
        given(*rectifying(sid)).when(command).then_raises("rectification_precondition", "conflict")

    def test_findings_are_required(self) -> None:
        sid = uuid.uuid4()
        command = replace(b.review(sid, False), findings=" ")
        given(*rectifying(sid)).when(command).then_raises("validation_failed", "invalid")


class TestRevocation:
    @pytest.mark.parametrize("ground", ["host_dissolved", "misconduct", "master_left_host"])
    def test_grounds_without_precondition_revoke_an_awarded_studio(
        self, ground: rules.RevocationGround
    ) -> None:
        sid = uuid.uuid4()
        studio = given(*awarded(sid)).when(revoke(sid, ground)).then_status("revoked")
        assert studio.revocation_ground == ground

    @pytest.mark.parametrize("ground", ["host_dissolved", "misconduct", "master_left_host"])
    def test_a_studio_under_rectification_can_be_revoked_on_the_other_grounds(
        self, ground: rules.RevocationGround
    ) -> None:
        sid = uuid.uuid4()
        given(*rectifying(sid)).when(revoke(sid, ground)).then_status("revoked")

    def test_failed_after_rectification_needs_an_open_order(self) -> None:
        sid = uuid.uuid4()
        error = (
            given(*failed(sid))
            .when(revoke(sid, "failed_after_rectification"))
            .then_raises("revocation_precondition", "conflict")
        )
        assert "no rectification order" in error.detail

    def test_a_deadline_that_merely_passed_is_not_enough(self) -> None:
        sid = uuid.uuid4()
        command = revoke(sid, "failed_after_rectification", DEADLINE + dt.timedelta(days=60))
        error = given(*rectifying(sid)).when(command).then_raises("revocation_precondition")
        assert "checked again" in error.detail

    def test_a_failed_review_before_the_deadline_is_not_enough(self) -> None:
        sid = uuid.uuid4()
        past = reviewed(sid, False, DEADLINE - dt.timedelta(days=1))
        given(*past).when(revoke(sid, "failed_after_rectification")).then_raises("revocation_precondition")

    @pytest.mark.parametrize("reason", ["failed_evaluation", "fraud"])
    def test_a_failed_review_on_or_after_the_deadline_opens_ground_3(
        self, reason: rules.RectificationReason
    ) -> None:
        for on in (DEADLINE, DEADLINE + dt.timedelta(days=5)):
            sid = uuid.uuid4()
            past = reviewed(sid, False, on, reason)
            studio = given(*past).when(revoke(sid, "failed_after_rectification")).then_status("revoked")
            assert studio.revocation_ground == "failed_after_rectification"

    def test_an_order_for_an_inspection_does_not_lead_to_ground_3(self) -> None:
        sid = uuid.uuid4()
        past = reviewed(sid, False, DEADLINE, "inspection")
        error = (
            given(*past)
            .when(revoke(sid, "failed_after_rectification"))
            .then_raises("revocation_precondition")
        )
        assert "inspection" in error.detail

    def test_a_passed_review_closes_ground_3(self) -> None:
        sid = uuid.uuid4()
        past = reviewed(sid, True, DEADLINE)
        given(*past).when(revoke(sid, "failed_after_rectification")).then_raises("revocation_precondition")

    def test_a_pass_after_the_order_closes_ground_3(self) -> None:
        sid = uuid.uuid4()
        past = rectifying(sid)
        past += given(*past).when(b.evaluate(sid, "70", on=b.D(2016, 8, 1))).events()
        given(*past).when(revoke(sid, "failed_after_rectification")).then_raises("revocation_precondition")

    def test_revocation_is_terminal(self) -> None:
        sid = uuid.uuid4()
        past = awarded(sid)
        past += given(*past).when(revoke(sid, "misconduct")).events()
        for command in (revoke(sid, "misconduct"), b.evaluate(sid), b.construction_payment(sid)):
            given(*past).when(command).then_raises("transition_not_allowed")

    def test_an_application_is_not_revoked(self) -> None:
        sid = uuid.uuid4()
        given(*submitted(sid)).when(revoke(sid, "misconduct")).then_raises("transition_not_allowed")


class TestProvinceRecommendation:
    def recommend(self, sid: uuid.UUID, year: int = 2016) -> c.RecommendToProvince:
        return c.RecommendToProvince(
            studio_id=sid, year=year, note="择优推荐", recommended_on=b.D(year, 4, 1)
        )

    @pytest.mark.parametrize(("total", "allowed"), [("95", True), ("80", True), ("79.5", False)])
    def test_only_a_latest_grade_of_excellent_or_good_is_recommended(self, total: str, allowed: bool) -> None:
        sid = uuid.uuid4()
        past = awarded(sid)
        past += given(*past).when(b.evaluate(sid, total)).events()
        when = given(*past).when(self.recommend(sid))
        if allowed:
            studio = when.then_status("awarded")
            assert studio.province_recommendations == (2016,)
        else:
            when.then_raises("recommendation_precondition", "conflict")

    def test_a_studio_never_evaluated_is_not_recommended(self) -> None:
        sid = uuid.uuid4()
        given(*awarded(sid)).when(self.recommend(sid)).then_raises("recommendation_precondition")

    def test_once_a_year(self) -> None:
        sid = uuid.uuid4()
        past = awarded(sid)
        past += given(*past).when(b.evaluate(sid, "92")).events()
        past += given(*past).when(self.recommend(sid)).events()
        given(*past).when(self.recommend(sid)).then_raises("recommendation_precondition")
        given(*past).when(self.recommend(sid, 2017)).then_status("awarded")

    def test_only_a_city_level_studio_is_recommended(self) -> None:
        # 第六条(四): 确定的市级技能大师工作室 are recommended to the province.
        sid = uuid.uuid4()
        past = awarded(sid, level="county", name="鹿城区张三数控车工技能大师工作室")
        past += given(*past).when(b.evaluate(sid, "92")).events()
        given(*past).when(self.recommend(sid)).then_raises("recommendation_precondition", "conflict")

    def test_a_studio_under_rectification_is_not_recommended(self) -> None:
        sid = uuid.uuid4()
        given(*rectifying(sid)).when(self.recommend(sid)).then_raises("transition_not_allowed")
