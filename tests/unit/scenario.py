"""given(events).when(command).then(events) — the decider's tests read like the rules."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from casework.domain.commands import StudioCommand
from casework.domain.decide import decide
from casework.domain.errors import CaseworkError, RuleViolation
from casework.domain.events import Event
from casework.domain.state import Studio, fold
from tests import builders as b


@dataclass(frozen=True)
class When:
    history: list[Event]
    command: StudioCommand

    @property
    def state(self) -> Studio | None:
        return fold(self.history, self.command.studio_id)

    def events(self) -> list[Event]:
        return decide(self.command, self.state)

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
        if kind is not None:
            assert caught.value.kind == kind
        return caught.value

    def then_fails(self, error: type[CaseworkError]) -> None:
        with pytest.raises(error):
            self.events()


@dataclass(frozen=True)
class Given:
    history: list[Event]

    def when(self, command: StudioCommand) -> When:
        return When(self.history, command)


def given(*events: Event) -> Given:
    return Given(list(events))


def history(sid: uuid.UUID, *commands: StudioCommand) -> list[Event]:
    """The events a valid sequence of commands records (each decided on the last state)."""
    events: list[Event] = []
    for command in commands:
        events += decide(command, fold(events, sid))
    return events


def submitted(sid: uuid.UUID, **changes: object) -> list[Event]:
    return history(sid, b.submit(sid, **changes))


def county_approved(sid: uuid.UUID, **changes: object) -> list[Event]:
    return history(sid, b.submit(sid, **changes), b.approve(sid))


def assessed(sid: uuid.UUID, **changes: object) -> list[Event]:
    return history(sid, b.submit(sid, **changes), b.approve(sid), b.assess(sid))


def awarded(sid: uuid.UUID, **changes: object) -> list[Event]:
    return history(sid, b.submit(sid, **changes), b.approve(sid), b.assess(sid), b.award(sid))
