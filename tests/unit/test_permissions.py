"""Who may do what, and county scope for applicants and county reviewers."""

from __future__ import annotations

import uuid
from typing import cast

import msgspec
import pytest

from casework.domain import rules
from casework.domain.commands import Command
from casework.domain.errors import NotPermitted, StudioNotFound
from casework.domain.permissions import ALLOWED, STUDIO_OFFICE, Actor, authorize
from casework.domain.state import fold
from tests import builders as b
from tests.unit.scenario import submitted

OFFICE = {"city_office", "county_reviewer"}  # the studio's office: which one, the level says
ACTS = {
    "Submit": {"applicant", "city_office"},
    "Amend": {"applicant"},
    "Withdraw": {"applicant"},
    "ReviewAtCounty": {"county_reviewer"},
    "Assess": OFFICE,
    "Award": OFFICE,
    "PaySubsidy": {"finance"},
    "ReverseSubsidy": {"finance"},
    "EnrollApprentice": OFFICE,
    "RecordQualification": OFFICE,
    "Inspect": {"city_office", "county_reviewer"},
    "Evaluate": OFFICE,
    "OrderRectification": OFFICE,
    "ReviewRectification": OFFICE,
    "RecordHonour": OFFICE,
    "Revoke": OFFICE,
    "RecommendToProvince": {"city_office"},
    "SetSubsidyStandard": {"city_office"},
}
OFFICE_ACTS = [name for name, roles in ACTS.items() if roles is OFFICE]


def test_the_table_of_acts_is_domain_md() -> None:
    assert {cls.__name__: set(roles) for cls, (_, roles) in ALLOWED.items()} == ACTS
    assert {cls.__name__ for cls, (_, roles) in ALLOWED.items() if roles is STUDIO_OFFICE} == set(OFFICE_ACTS)


def _office_command(name: str, sid: uuid.UUID) -> Command:
    """Any well-formed command of the act (authorisation looks at its type and studio only)."""
    cls = next(cls for cls in ALLOWED if cls.__name__ == name)
    assert issubclass(cls, Command)
    return cast(Command, msgspec.convert({"studio_id": str(sid), **_FIELDS.get(name, {})}, cls, strict=False))


class TestTheStudiosOffice:
    """第七条(一): a county office manages the county-level studios of its county."""

    @pytest.mark.parametrize("act", OFFICE_ACTS)
    def test_the_county_reviewer_of_its_county_acts_for_a_county_level_studio(self, act: str) -> None:
        sid = uuid.uuid4()
        state = fold(submitted(sid, level="county"), sid)
        authorize(b.reviewer("鹿城区"), _office_command(act, sid), state)
        with pytest.raises(NotPermitted) as refused:
            authorize(b.CITY_OFFICE, _office_command(act, sid), state)
        assert refused.value.code == "not_permitted"

    @pytest.mark.parametrize("act", OFFICE_ACTS)
    def test_the_city_office_acts_for_a_city_level_studio(self, act: str) -> None:
        sid = uuid.uuid4()
        state = fold(submitted(sid), sid)
        authorize(b.CITY_OFFICE, _office_command(act, sid), state)
        with pytest.raises(NotPermitted):
            authorize(b.reviewer("鹿城区"), _office_command(act, sid), state)

    def test_a_reviewer_of_another_county_sees_no_county_level_studio(self) -> None:
        sid = uuid.uuid4()
        state = fold(submitted(sid, level="county"), sid)
        with pytest.raises(StudioNotFound):
            authorize(b.reviewer("瑞安市"), _office_command("Award", sid), state)

    @pytest.mark.parametrize("act", ["Award", "Inspect", "Evaluate"])
    def test_a_city_direct_reviewer_only_reviews_applications(self, act: str) -> None:
        # An industry authority (市直) reviews its hosts' applications; it is no HR office.
        sid = uuid.uuid4()
        state = fold(submitted(sid, county=rules.CITY_DIRECT), sid)
        with pytest.raises(NotPermitted):
            authorize(b.reviewer(rules.CITY_DIRECT), _office_command(act, sid), state)
        authorize(b.reviewer(rules.CITY_DIRECT), b.approve(sid), state)

    @pytest.mark.parametrize("level", ["city", "county"])
    def test_both_offices_inspect_within_their_scope(self, level: str) -> None:
        sid = uuid.uuid4()
        state = fold(submitted(sid, level=level), sid)
        inspect = _office_command("Inspect", sid)
        authorize(b.CITY_OFFICE, inspect, state)
        authorize(b.reviewer("鹿城区"), inspect, state)
        with pytest.raises(StudioNotFound):
            authorize(b.reviewer("瑞安市"), inspect, state)


_FIELDS: dict[str, dict[str, object]] = {
    "Assess": {"panel": ["李四"], "opinion": "x", "recommended": True, "assessed_on": "2014-04-15"},
    "Award": {"decision_no": "x", "published_on": "2014-05-08", "plaque_no": "x"},
    "EnrollApprentice": {
        "apprentice_id": str(uuid.UUID(int=1)), "name": "x", "born_on": "2000-01-01",
        "enrolled_on": "2015-01-01", "id": {"token": "t", "masked": "m", "sealed": "s"},
    },
    "RecordQualification": {
        "apprentice_id": str(uuid.UUID(int=1)), "grade": "中级工", "certificate_no": "x",
        "qualified_on": "2015-01-01",
    },
    "Inspect": {"inspector": "x", "findings": "x", "inspected_on": "2015-01-01"},
    "Evaluate": {"period": "2014-2015", "scores": {}, "evaluated_on": "2016-03-01"},
    "OrderRectification": {
        "reason": "fraud", "findings": "x", "ordered_on": "2016-03-01", "deadline": "2016-09-01",
    },
    "ReviewRectification": {"reviewed_on": "2016-09-01", "passed": False, "findings": "x"},
    "RecordHonour": {
        "honour_id": str(uuid.UUID(int=2)), "person": "master", "honour": "x", "level": "city",
        "conferred_on": "2015-01-01", "document_no": "x",
    },
    "Revoke": {"ground": "misconduct", "note": "x", "decided_on": "2016-01-01"},
}  # fmt: skip


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_auditors_and_admins_perform_no_case_action(role: rules.Role) -> None:
    sid = uuid.uuid4()
    state = fold(submitted(sid), sid)
    actor = Actor(subject="x", role=role)
    for command in (b.approve(sid), b.award(sid), b.construction_payment(sid)):
        with pytest.raises(NotPermitted):
            authorize(actor, command, state)


def test_a_reviewer_of_another_county_sees_no_such_studio() -> None:
    sid = uuid.uuid4()
    state = fold(submitted(sid, county="鹿城区"), sid)
    assert state is not None
    with pytest.raises(StudioNotFound):
        authorize(b.reviewer("瑞安市"), b.approve(sid), state)
    authorize(b.reviewer("鹿城区"), b.approve(sid), state)
    assert not b.reviewer("瑞安市").sees(state)
    assert b.CITY_OFFICE.sees(state)


def test_an_applicant_submits_for_a_host_in_its_own_county_only() -> None:
    with pytest.raises(NotPermitted):
        authorize(b.applicant("瑞安市"), b.submit(county="鹿城区"), None)
    authorize(b.applicant("鹿城区"), b.submit(county="鹿城区"), None)
    authorize(b.CITY_OFFICE, b.submit(county="瑞安市"), None)


def test_a_city_direct_reviewer_reviews_city_direct_hosts() -> None:
    sid = uuid.uuid4()
    state = fold(submitted(sid, county=rules.CITY_DIRECT), sid)
    authorize(b.reviewer(rules.CITY_DIRECT), b.approve(sid), state)
    with pytest.raises(StudioNotFound):
        authorize(b.reviewer("鹿城区"), b.approve(sid), state)
