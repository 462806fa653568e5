"""The claims a decision makes so that the store can enforce cross-studio rules."""

from __future__ import annotations

import uuid

from msgspec.structs import replace

from casework.domain import commands as c
from casework.domain import events as c_
from casework.domain.state import fold
from casework.domain.uniqueness import Claim, claims_of
from casework.domain.values import ProposalChanges
from tests import builders as b
from tests.unit.scenario import awarded, county_approved, given, submitted


def test_a_submission_claims_its_master() -> None:
    sid = uuid.uuid4()
    events = submitted(sid)
    token = b.protected(b.resident_id(1)).token
    assert claims_of(sid, None, events) == [Claim(kind="master", key=token, studio_id=sid)]


def test_ending_an_application_releases_its_master() -> None:
    sid = uuid.uuid4()
    token = b.protected(b.resident_id(1)).token
    release = [Claim(kind="master", key=token, studio_id=sid, release=True)]
    past = submitted(sid)
    withdraw = c.Withdraw(studio_id=sid, reason="x", withdrawn_on=b.D(2014, 4, 1))
    assert claims_of(sid, fold(past, sid), given(*past).when(withdraw).events()) == release
    reject = replace(b.approve(sid), decision="reject")
    assert claims_of(sid, fold(past, sid), given(*past).when(reject).events()) == release
    past = county_approved(sid)
    not_recommended = given(*past).when(b.assess(sid, recommended=False)).events()
    assert claims_of(sid, fold(past, sid), not_recommended) == release
    past = awarded(sid)
    revoke = c.Revoke(studio_id=sid, ground="misconduct", note="x", decided_on=b.D(2015, 1, 1))
    assert claims_of(sid, fold(past, sid), given(*past).when(revoke).events()) == release


def test_an_amendment_that_changes_the_master_moves_the_claim() -> None:
    sid = uuid.uuid4()
    past = submitted(sid)
    state = fold(past, sid)
    assert state is not None
    new_master = replace(state.proposal.master, id=b.protected(b.resident_id(2)))
    events = [c_.Amended(changes=ProposalChanges(master=new_master), amended_on=b.D(2014, 4, 1))]
    assert claims_of(sid, state, events) == [
        Claim(kind="master", key=state.proposal.master.id.token, studio_id=sid, release=True),
        Claim(kind="master", key=new_master.id.token, studio_id=sid),
    ]


def test_a_payment_claims_its_voucher() -> None:
    sid = uuid.uuid4()
    past = awarded(sid)
    events = given(*past).when(b.construction_payment(sid, "V-9")).events()
    assert claims_of(sid, fold(past, sid), events) == [Claim(kind="voucher", key="V-9", studio_id=sid)]


def test_other_events_claim_nothing() -> None:
    sid = uuid.uuid4()
    past = submitted(sid)
    assert claims_of(sid, fold(past, sid), given(*past).when(b.approve(sid)).events()) == []
