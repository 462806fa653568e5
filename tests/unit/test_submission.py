"""第四条, 第五条: who may apply, under what name, with which materials."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from msgspec.structs import replace

from casework.domain import commands as c
from casework.domain import rules
from casework.domain.events import Event, Submitted
from casework.domain.values import MeritGround, ProposalChanges
from tests import builders as b
from tests.unit.scenario import given, history, recorded_submission, submitted


class TestSubmission:
    def test_a_valid_application_is_submitted(self) -> None:
        command = b.submit()
        studio = (
            given()
            .when(command)
            .then(
                Submitted(
                    proposal=command.proposal, case_no=command.case_no, submitted_on=command.submitted_on
                )
            )
        )
        assert studio.status == "submitted"
        assert studio.version == 1
        assert studio.county == "鹿城区"

    def test_a_studio_is_submitted_only_once(self) -> None:
        sid = uuid.uuid4()
        given(*recorded_submission(sid)).when(b.submit(sid)).then_raises("transition_not_allowed", "conflict")


class TestNameRule:
    def test_a_city_level_name_other_than_the_pattern_is_refused_with_the_expected_name(self) -> None:
        error = given().when(b.submit(name="温州市张三技能大师工作室")).then_raises("invalid_studio_name")
        assert "温州市张三数控车工技能大师工作室" in error.detail
        assert error.errors[0].field == "name"
        assert error.kind == "invalid"

    @pytest.mark.parametrize(
        "name",
        ["张三数控车工技能大师工作室", "温州市张三数控车工技能大师工作室 ", "温州市张三数控车工大师工作室"],
    )
    def test_near_misses_are_refused(self, name: str) -> None:
        given().when(b.submit(name=name)).then_raises("invalid_studio_name")

    def test_the_name_follows_master_and_occupation(self) -> None:
        command = b.submit(master_name="李四", occupation="焊工")
        assert command.proposal.name == "温州市李四焊工技能大师工作室"
        given().when(command).then_status("submitted")

    def test_a_county_level_studio_is_not_bound_by_the_city_name_rule(self) -> None:
        given().when(b.submit(level="county", name="瑞安市张三数控车工技能大师工作室")).then_status(
            "submitted"
        )


class TestMasterEligibility:
    def test_a_master_below_technician_without_unique_skills_is_refused(self) -> None:
        master = replace(b.proposal().master, qualification="高级工")
        error = given().when(b.submit(master=master)).then_raises("master_not_eligible")
        assert error.errors[0].field == "master.qualification"

    def test_unique_skills_stand_in_for_the_qualification(self) -> None:
        master = replace(b.proposal().master, qualification=None, unique_skills=True)
        given().when(b.submit(master=master)).then_status("submitted")

    @pytest.mark.parametrize("qualification", ["技师", "高级技师"])
    def test_technicians_and_senior_technicians_qualify(self, qualification: str) -> None:
        master = replace(b.proposal().master, qualification=qualification)
        given().when(b.submit(master=master)).then_status("submitted")

    def test_at_least_one_merit_ground_is_required(self) -> None:
        master = replace(b.proposal().master, grounds=())
        error = given().when(b.submit(master=master)).then_raises("master_not_eligible")
        assert [e.field for e in error.errors] == ["master.grounds"]

    def test_each_merit_ground_is_described(self) -> None:
        master = replace(b.proposal().master, grounds=(MeritGround(kind="craft_heritage", description="  "),))
        error = given().when(b.submit(master=master)).then_raises("master_not_eligible")
        assert error.errors[0].field == "master.grounds[0].description"


class TestHostConditions:
    @pytest.mark.parametrize("commitment", ["commits_funding", "commits_premises", "commits_equipment"])
    def test_each_commitment_is_required(self, commitment: str) -> None:
        host = replace(b.proposal().host, **{commitment: False})
        error = given().when(b.submit(host=host)).then_raises("host_not_eligible")
        assert error.errors[0].field == f"host.{commitment}"

    @pytest.mark.parametrize(
        ("share", "accepted"),
        [("29.99", False), ("30", True), ("30.00", True), ("100", True), ("0", False), ("100.5", False)],
    )
    def test_an_enterprise_spends_at_least_30_percent_of_its_education_fund(
        self, share: str, accepted: bool
    ) -> None:
        host = replace(b.proposal().host, education_fund_share_pct=Decimal(share))
        when = given().when(b.submit(host=host))
        if accepted:
            when.then_status("submitted")
        else:
            error = when.then_raises("host_not_eligible")
            assert error.errors[0].field == "host.education_fund_share_pct"

    def test_an_enterprise_must_state_its_share(self) -> None:
        host = replace(b.proposal().host, education_fund_share_pct=None)
        given().when(b.submit(host=host)).then_raises("host_not_eligible")

    @pytest.mark.parametrize("kind", ["vocational_college", "industry_body"])
    def test_the_30_percent_share_applies_to_enterprises_only(self, kind: str) -> None:
        host = replace(b.proposal().host, kind=kind, education_fund_share_pct=None)
        given().when(b.submit(host=host)).then_status("submitted")

    def test_the_credit_code_check_character_is_verified(self) -> None:
        good = b.credit_code(7)
        wrong = good[:17] + ("0" if good[17] != "0" else "1")
        host = replace(b.proposal().host, credit_code=wrong)
        error = given().when(b.submit(host=host)).then_raises("invalid_credit_code")
        assert error.errors[0].field == "host.credit_code"

    def test_the_county_must_be_one_of_wenzhou_or_city_direct(self) -> None:
        given().when(b.submit(county="杭州市")).then_raises("validation_failed")
        given().when(b.submit(county=rules.CITY_DIRECT)).then_status("submitted")

    @pytest.mark.parametrize("county", rules.COUNTIES)
    def test_every_county_of_wenzhou_is_accepted(self, county: str) -> None:
        given().when(b.submit(county=county)).then_status("submitted")


class TestMaterials:
    @pytest.mark.parametrize("missing", list(rules.REQUIRED_MATERIALS))
    def test_each_required_kind_must_be_present(self, missing: str) -> None:
        materials = tuple(m for m in b.materials() if m.kind != missing)
        error = given().when(b.submit(materials=materials)).then_raises("materials_incomplete")
        assert missing in error.detail

    def test_the_application_form_comes_in_two_copies(self) -> None:
        materials = tuple(replace(m, copies=1) if m.kind == "application_form" else m for m in b.materials())
        given().when(b.submit(materials=materials)).then_raises("materials_incomplete")

    def test_a_digest_must_be_sha256(self) -> None:
        materials = (replace(b.materials()[0], sha256="not-a-digest"), *b.materials()[1:])
        error = given().when(b.submit(materials=materials)).then_raises("validation_failed")
        assert error.errors[0].field == "materials[0].sha256"


class TestAmendmentAndWithdrawal:
    def returned(self, sid: uuid.UUID) -> list[Event]:
        return history(
            sid,
            b.submit(sid),
            c.ReviewAtCounty(
                studio_id=sid,
                decision="return",
                opinion="缺申办报告",
                reviewer_unit="鹿城区人力社保局",
                reviewed_on=b.D(2014, 3, 10),
                missing=("application_report",),
            ),
        )

    def test_an_amendment_returns_the_application_to_review(self) -> None:
        sid = uuid.uuid4()
        command = c.Amend(studio_id=sid, changes=ProposalChanges(plan="新计划"), amended_on=b.D(2014, 3, 15))
        studio = given(*self.returned(sid)).when(command).then_status("submitted")
        assert studio.proposal.plan == "新计划"
        assert studio.review_missing == ()

    def test_an_amendment_rechecks_every_submission_rule(self) -> None:
        sid = uuid.uuid4()
        changes = ProposalChanges(occupation="焊工")  # the name no longer matches
        command = c.Amend(studio_id=sid, changes=changes, amended_on=b.D(2014, 3, 15))
        error = given(*self.returned(sid)).when(command).then_raises("invalid_studio_name")
        assert "温州市张三焊工技能大师工作室" in error.detail

    def test_only_a_returned_application_is_amended(self) -> None:
        sid = uuid.uuid4()
        command = c.Amend(studio_id=sid, changes=ProposalChanges(plan="x"), amended_on=b.D(2014, 3, 15))
        given(*submitted(sid)).when(command).then_raises("transition_not_allowed")

    @pytest.mark.parametrize("stage", ["submitted", "returned", "county_approved", "assessed"])
    def test_an_application_is_withdrawn_any_time_before_award(self, stage: str) -> None:
        sid = uuid.uuid4()
        steps = {
            "submitted": [b.submit(sid)],
            "county_approved": [b.submit(sid), b.approve(sid)],
            "assessed": [b.submit(sid), b.approve(sid), b.assess(sid)],
        }
        past = self.returned(sid) if stage == "returned" else history(sid, *steps[stage])
        command = c.Withdraw(studio_id=sid, reason="暂缓申报", withdrawn_on=b.D(2014, 5, 1))
        given(*past).when(command).then_status("withdrawn")

    def test_an_awarded_studio_cannot_be_withdrawn(self) -> None:
        sid = uuid.uuid4()
        past = history(sid, b.submit(sid), b.approve(sid), b.assess(sid), b.award(sid))
        command = c.Withdraw(studio_id=sid, reason="x", withdrawn_on=b.D(2014, 6, 1))
        given(*past).when(command).then_raises("transition_not_allowed", "conflict")


class TestMembersPlanAndEvidence:
    """第五条(一)2 and 5: the report introduces the members and sets out the plan; evidence."""

    def test_an_application_without_members_is_refused(self) -> None:
        error = given().when(b.submit(members=())).then_raises("validation_failed", "invalid")
        assert error.errors[0].field == "members"

    @pytest.mark.parametrize("plan", ["", "   \n"])
    def test_a_blank_plan_is_refused(self, plan: str) -> None:
        error = given().when(b.submit(plan=plan)).then_raises("validation_failed")
        assert error.errors[0].field == "plan"

    def test_an_application_without_supporting_evidence_is_incomplete(self) -> None:
        required = tuple(m for m in b.materials() if m.kind != "supporting_evidence")
        error = given().when(b.submit(materials=required)).then_raises("materials_incomplete", "invalid")
        assert any("supporting_evidence" in e.message for e in error.errors)

    def test_the_credit_code_is_recorded_in_its_normal_form(self) -> None:
        command = b.submit()
        typed = replace(command.proposal.host, credit_code=f"  {b.credit_code().lower()} ")
        (event,) = given().when(b.submit(host=typed)).events()
        assert isinstance(event, Submitted)
        assert event.proposal.host.credit_code == b.credit_code()


def test_a_city_direct_host_applies_for_a_city_level_studio_only() -> None:
    # 第七条(一): county-level studios are the county offices'; a 市直 host has none.
    error = (
        given()
        .when(b.submit(level="county", county=rules.CITY_DIRECT, name="x"))
        .then_raises("validation_failed", "invalid")
    )
    assert error.errors[0].field == "level"


class TestAmendmentKeepsTheCounty:
    def test_an_amendment_cannot_move_the_host_to_another_county(self) -> None:
        sid = uuid.uuid4()
        past = history(sid, b.submit(sid), _return(sid))
        moved = replace(b.proposal().host, county="瑞安市")
        command = c.Amend(studio_id=sid, changes=ProposalChanges(host=moved), amended_on=b.D(2014, 4, 1))
        error = given(*past).when(command).then_raises("validation_failed", "invalid")
        assert error.errors[0].field == "host.county"

    def test_an_amendment_may_change_the_host_within_its_county(self) -> None:
        sid = uuid.uuid4()
        past = history(sid, b.submit(sid), _return(sid))
        renamed = replace(b.proposal().host, name="温州某某精密机械有限公司")
        command = c.Amend(studio_id=sid, changes=ProposalChanges(host=renamed), amended_on=b.D(2014, 4, 1))
        studio = given(*past).when(command).then_status("submitted")
        assert studio.proposal.host.name == "温州某某精密机械有限公司"


def _return(sid: uuid.UUID) -> c.ReviewAtCounty:
    return replace(b.approve(sid), decision="return", originals_verified=False, missing=("plan",))


@pytest.mark.parametrize("share", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_a_share_that_is_no_number_is_refused_not_a_crash(share: str) -> None:
    host = replace(b.proposal().host, education_fund_share_pct=Decimal(share))
    error = given().when(b.submit(host=host)).then_raises("host_not_eligible", "invalid")
    assert error.errors[-1].field == "host.education_fund_share_pct"
