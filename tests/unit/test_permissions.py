"""Who may do what, and county scope for applicants and county reviewers."""

from __future__ import annotations

import uuid

import pytest

from casework.domain import rules
from casework.domain.errors import NotPermitted, StudioNotFound
from casework.domain.permissions import ALLOWED, Actor, authorize
from casework.domain.state import fold
from tests import builders as b
from tests.unit.scenario import submitted

ACTS = {
    "Submit": {"applicant", "city_office"},
    "Amend": {"applicant"},
    "Withdraw": {"applicant"},
    "ReviewAtCounty": {"county_reviewer"},
    "Assess": {"city_office"},
    "Award": {"city_office"},
    "PaySubsidy": {"finance"},
    "ReverseSubsidy": {"finance"},
    "EnrollApprentice": {"city_office"},
    "RecordQualification": {"city_office"},
    "Inspect": {"city_office", "county_reviewer"},
    "Evaluate": {"city_office"},
    "OrderRectification": {"city_office"},
    "Revoke": {"city_office"},
    "RecommendToProvince": {"city_office"},
}


def test_the_table_of_acts_is_domain_md() -> None:
    assert {cls.__name__: set(roles) for cls, (_, roles) in ALLOWED.items()} == ACTS


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
