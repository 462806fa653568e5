"""given(events).when(command).then(events) — the decider's tests read like the rules."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, replace
from typing import Any

import msgspec
import pytest

from casework.domain.commands import StudioCommand
from casework.domain.decide import Circumstances, decide
from casework.domain.errors import CaseworkError, RuleViolation
from casework.domain.events import Assessed, Awarded, CountyApproved, Event, Submitted
from casework.domain.policy import MEASURES_2013
from casework.domain.state import Studio, fold
from tests import builders as b

# The business date the decisions take as today, unless a test says otherwise.
TODAY = b.D(2026, 11, 30)
CIRCUMSTANCES = Circumstances(today=TODAY, standards=(b.STANDARD_2013,))


@dataclass(frozen=True)
class When:
    history: list[Event]
    command: StudioCommand
    circumstances: Circumstances = CIRCUMSTANCES

    @property
    def state(self) -> Studio | None:
        return fold(self.history, self.command.studio_id)

    def events(self) -> list[Event]:
        return decide(self.command, self.state, self.circumstances)

    def then(self, *expected: Event) -> Studio:
        """The command yields exactly ``expected``; returns the studio after them."""
        events = self.events()
        assert events == list(expected)
        after = fold([*self.history, *events], self.command.studio_id)
        assert after is not None
        return after

    def then_status(self, status: str) -> Studio:
        events = self.events()
        after = fold([*self.history, *events], self.command.studio_id)
        assert after is not None
        assert after.status == status
        return after

    def then_raises(self, code: str, kind: str | None = None) -> RuleViolation:
        with pytest.raises(RuleViolation) as caught:
            self.events()
        assert caught.value.code == code, caught.value
        # Every refusal names its rule and the article of the measures it applies.
        assert re.search(r"第.条|附件", caught.value.detail), caught.value.detail
        if kind is not None:
            assert caught.value.kind == kind
        return caught.value

    def then_fails(self, error: type[CaseworkError]) -> None:
        with pytest.raises(error):
            self.events()


@dataclass(frozen=True)
class Given:
    history: list[Event]
    circumstances: Circumstances = CIRCUMSTANCES

    def when(self, command: StudioCommand) -> When:
        return When(self.history, command, self.circumstances)

    def today(self, today: dt.date) -> Given:
        """The same history, decided on another business date."""
        return replace(self, circumstances=msgspec.structs.replace(self.circumstances, today=today))

    def under(self, **circumstances: Any) -> Given:
        """The same history, decided with other standards or another policy table."""
        return replace(self, circumstances=msgspec.structs.replace(self.circumstances, **circumstances))


def given(*events: Event) -> Given:
    return Given(list(events))


def history(sid: uuid.UUID, *commands: StudioCommand) -> list[Event]:
    """The events a valid sequence of commands records (each decided on the last state)."""
    events: list[Event] = []
    for command in commands:
        events += decide(command, fold(events, sid), CIRCUMSTANCES)
    return events


def submitted(sid: uuid.UUID, **changes: object) -> list[Event]:
    return history(sid, b.submit(sid, **changes))


def county_approved(sid: uuid.UUID, **changes: object) -> list[Event]:
    return history(sid, b.submit(sid, **changes), b.approve(sid))


def assessed(sid: uuid.UUID, **changes: object) -> list[Event]:
    return history(sid, b.submit(sid, **changes), b.approve(sid), b.assess(sid))


def awarded(sid: uuid.UUID, **changes: object) -> list[Event]:
    return history(sid, b.submit(sid, **changes), b.approve(sid), b.assess(sid), b.award(sid))


# Histories written out as the events themselves, for the tests of a rule that the histories
# above would run to make their own setup (a rule wrong in both places could pass its test).
def recorded_submission(sid: uuid.UUID) -> list[Event]:
    command = b.submit(sid)
    return [Submitted(proposal=command.proposal, case_no=command.case_no, submitted_on=command.submitted_on)]


def recorded_approval(sid: uuid.UUID) -> list[Event]:
    return [
        *recorded_submission(sid),
        CountyApproved(
            reviewer_unit="鹿城区人力社保局",
            opinion="材料齐全，原件已核",
            originals_verified=True,
            approved_on=b.D(2014, 3, 20),
        ),
    ]


def recorded_award(sid: uuid.UUID) -> list[Event]:
    return [
        *recorded_approval(sid),
        Assessed(
            panel=("李四", "王五", "赵六"), opinion="同意推荐", recommended=True, assessed_on=b.D(2014, 4, 15)
        ),
        Awarded(
            decision_no="温人社发〔2014〕88号",
            published_on=b.D(2014, 5, 8),
            plaque_no="WZ-2014-001",
            construction_subsidy_fen=MEASURES_2013.construction_subsidy_fen,
        ),
    ]
