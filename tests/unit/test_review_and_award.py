"""第五条: county review against the originals, expert assessment, award."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from msgspec.structs import replace

from casework.domain import commands as c
from casework.domain.events import Assessed, Awarded, CountyApproved
from tests import builders as b
from tests.unit.scenario import (
    assessed,
    awarded,
    county_approved,
    given,
    recorded_approval,
    recorded_award,
    submitted,
)


class TestCountyReview:
    def test_an_approval_with_originals_verified_moves_the_case_to_the_city(self) -> None:
        sid = uuid.uuid4()
        given(*submitted(sid)).when(b.approve(sid)).then(
            CountyApproved(
                reviewer_unit="鹿城区人力社保局",
                opinion="材料齐全，原件已核",
                originals_verified=True,
                approved_on=b.D(2014, 3, 20),
            )
        )

    def test_an_approval_without_the_originals_verified_is_refused(self) -> None:
        sid = uuid.uuid4()
        command = replace(b.approve(sid), originals_verified=False)
        error = given(*submitted(sid)).when(command).then_raises("originals_not_verified", "invalid")
        assert error.errors[0].field == "originals_verified"

    def test_a_return_names_what_is_missing(self) -> None:
        sid = uuid.uuid4()
        command = replace(b.approve(sid), decision="return", missing=())
        given(*submitted(sid)).when(command).then_raises("validation_failed")
        command = replace(command, missing=("application_report",))
        studio = given(*submitted(sid)).when(command).then_status("returned")
        assert studio.review_missing == ("application_report",)

    def test_a_rejection_declines_the_application(self) -> None:
        sid = uuid.uuid4()
        command = replace(b.approve(sid), decision="reject", originals_verified=False)
        studio = given(*submitted(sid)).when(command).then_status("declined")
        assert studio.closed_on == command.reviewed_on

    def test_only_a_submitted_application_is_reviewed(self) -> None:
        sid = uuid.uuid4()
        given(*recorded_approval(sid)).when(b.approve(sid)).then_raises("transition_not_allowed")

    def test_an_opinion_is_required(self) -> None:
        sid = uuid.uuid4()
        given(*submitted(sid)).when(replace(b.approve(sid), opinion=" ")).then_raises("validation_failed")


class TestExpertAssessment:
    def test_a_recommendation_moves_the_case_to_assessed(self) -> None:
        sid = uuid.uuid4()
        command = replace(b.assess(sid), score=Decimal("88.5"))
        given(*county_approved(sid)).when(command).then(
            Assessed(
                panel=("李四", "王五", "赵六"),
                opinion="同意推荐",
                recommended=True,
                score=Decimal("88.5"),
                assessed_on=b.D(2014, 4, 15),
            )
        )

    def test_not_recommended_declines(self) -> None:
        sid = uuid.uuid4()
        given(*county_approved(sid)).when(b.assess(sid, recommended=False)).then_status("declined")

    def test_the_panel_is_named(self) -> None:
        sid = uuid.uuid4()
        given(*county_approved(sid)).when(replace(b.assess(sid), panel=())).then_raises("validation_failed")

    @pytest.mark.parametrize("score", ["-1", "100.5"])
    def test_an_optional_score_is_between_0_and_100(self, score: str) -> None:
        sid = uuid.uuid4()
        command = replace(b.assess(sid), score=Decimal(score))
        given(*county_approved(sid)).when(command).then_raises("validation_failed")

    def test_assessment_follows_county_approval(self) -> None:
        sid = uuid.uuid4()
        given(*submitted(sid)).when(b.assess(sid)).then_raises("transition_not_allowed")


class TestAward:
    def test_a_recommended_studio_is_awarded_its_plaque(self) -> None:
        sid = uuid.uuid4()
        studio = (
            given(*assessed(sid))
            .when(b.award(sid))
            .then(
                Awarded(
                    decision_no="温人社发〔2014〕88号",
                    published_on=b.D(2014, 5, 8),
                    plaque_no="WZ-2014-001",
                    construction_subsidy_fen=3_000_000,
                )
            )
        )
        assert studio.status == "awarded"
        assert studio.award is not None
        assert studio.award.plaque_no == "WZ-2014-001"

    def test_only_an_assessed_and_recommended_studio_is_awarded(self) -> None:
        sid = uuid.uuid4()
        given(*county_approved(sid)).when(b.award(sid)).then_raises("transition_not_allowed")
        given(*recorded_award(sid)).when(b.award(sid)).then_raises("transition_not_allowed")

    def test_a_decision_document_number_is_required(self) -> None:
        sid = uuid.uuid4()
        given(*assessed(sid)).when(replace(b.award(sid), decision_no="")).then_raises("validation_failed")

    def test_a_declined_case_is_terminal(self) -> None:
        sid = uuid.uuid4()
        past = [*county_approved(sid)]
        past += given(*past).when(b.assess(sid, recommended=False)).events()
        for command in (
            b.award(sid),
            b.assess(sid),
            c.Withdraw(studio_id=sid, reason="x", withdrawn_on=b.D(2014, 5, 1)),
        ):
            given(*past).when(command).then_raises("transition_not_allowed")


def test_submission_review_assessment_and_award_record_the_events_written_out() -> None:
    """The written-out histories the refusals above start from are what the rules record."""
    sid = uuid.uuid4()
    assert awarded(sid) == recorded_award(sid)
