"""第七条(四) and our rectification rules: orders, deadlines, revocation grounds."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from msgspec.structs import replace

from casework.domain import commands as c
from casework.domain import rules
from casework.domain.events import Event
from tests import builders as b
from tests.unit.scenario import awarded, given, submitted

ORDERED = b.D(2016, 3, 20)
DEADLINE = b.D(2016, 9, 20)


def order(sid: uuid.UUID, reason: rules.RectificationReason = "failed_evaluation") -> c.OrderRectification:
    return c.OrderRectification(
        studio_id=sid, reason=reason, findings="带徒台账缺失", ordered_on=ORDERED, deadline=DEADLINE
    )


AFTER_DEADLINE = b.D(2016, 10, 1)


def revoke(sid: uuid.UUID, ground: rules.RevocationGround, on: dt.date = AFTER_DEADLINE) -> c.Revoke:
    return c.Revoke(studio_id=sid, ground=ground, note="经核实", decided_on=on)


def failed(sid: uuid.UUID) -> list[Event]:
    past = awarded(sid)
    return past + given(*past).when(b.evaluate(sid, "55")).events()


def rectifying(sid: uuid.UUID) -> list[Event]:
    past = failed(sid)
    return past + given(*past).when(order(sid)).events()


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


class TestRevocation:
    @pytest.mark.parametrize("ground", ["host_dissolved", "misconduct", "master_left_host"])
    def test_grounds_without_precondition_revoke_an_awarded_studio(
        self, ground: rules.RevocationGround
    ) -> None:
        sid = uuid.uuid4()
        studio = given(*awarded(sid)).when(revoke(sid, ground)).then_status("revoked")
        assert studio.revocation_ground == ground

    @pytest.mark.parametrize("ground", rules.REVOCATION_GROUNDS)
    def test_a_studio_under_rectification_can_be_revoked_on_any_ground(
        self, ground: rules.RevocationGround
    ) -> None:
        sid = uuid.uuid4()
        given(*rectifying(sid)).when(revoke(sid, ground)).then_status("revoked")

    def test_failed_after_rectification_needs_an_order(self) -> None:
        sid = uuid.uuid4()
        error = (
            given(*failed(sid))
            .when(revoke(sid, "failed_after_rectification"))
            .then_raises("revocation_precondition", "conflict")
        )
        assert "no rectification order" in error.detail

    def test_failed_after_rectification_needs_the_deadline_passed(self) -> None:
        sid = uuid.uuid4()
        for on in (ORDERED + dt.timedelta(days=1), DEADLINE):
            command = revoke(sid, "failed_after_rectification", on)
            error = given(*rectifying(sid)).when(command).then_raises("revocation_precondition")
            assert "has not passed" in error.detail
        command = revoke(sid, "failed_after_rectification", DEADLINE + dt.timedelta(days=1))
        given(*rectifying(sid)).when(command).then_status("revoked")

    def test_failed_after_rectification_needs_no_pass_after_the_order(self) -> None:
        sid = uuid.uuid4()
        past = rectifying(sid)
        past += given(*past).when(b.evaluate(sid, "70", on=b.D(2016, 8, 1))).events()
        error = (
            given(*past)
            .when(revoke(sid, "failed_after_rectification"))
            .then_raises("revocation_precondition")
        )
        assert "60 or more" in error.detail

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

    def test_a_studio_under_rectification_is_not_recommended(self) -> None:
        sid = uuid.uuid4()
        given(*rectifying(sid)).when(self.recommend(sid)).then_raises("transition_not_allowed")
