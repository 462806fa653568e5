"""Any sequence of commands keeps every invariant, and replaying the events gives the state."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.domain import rules
from casework.domain.decide import decide
from casework.domain.errors import RuleViolation, StudioNotFound
from casework.domain.events import Event, SubsidyReversed
from casework.domain.state import Studio, evolve, fold
from tests.properties.commands import draw_command


def check_invariants(studio: Studio, events: list[Event]) -> None:
    assert studio.version == len(events)
    standing = studio.standing_payments("construction")
    assert len(standing) <= 1
    assert all(p.amount_fen == rules.CONSTRUCTION_SUBSIDY_FEN for p in standing)
    if standing:
        assert studio.level == "city"
    vouchers = [p.voucher_no for p in studio.payments]
    assert len(vouchers) == len(set(vouchers))
    if studio.payments or studio.apprentices or studio.evaluations:
        assert studio.award is not None
    if studio.status in rules.ACTIVE_STUDIO:
        assert studio.award is not None
    if studio.status == "rectifying":
        assert studio.rectification is not None
        assert studio.rectification.passed_on is None
        assert studio.rectification.deadline > studio.rectification.ordered_on
    for result in studio.evaluations:
        assert 0 <= result.base <= 100
        assert 0 <= result.bonus_total <= rules.BONUS_CAP
        assert result.total == result.base + result.bonus_total
        assert result.grade == rules.grade_for(result.total)
    for apprentice in studio.apprentices:
        grades = [q.grade for q in apprentice.qualifications]
        assert len(grades) == len(set(grades))
    for payment in studio.payments:
        if payment.kind == "apprenticeship":
            apprentice = studio.apprentice(payment.apprentice_id)  # type: ignore[arg-type]
            assert apprentice is not None
            assert payment.grade in {q.grade for q in apprentice.qualifications}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_sequence_of_commands_keeps_every_invariant(data: st.DataObject) -> None:
    sid = uuid.uuid4()
    events: list[Event] = []
    state: Studio | None = None
    for _ in range(data.draw(st.integers(1, 60), label="steps")):
        command = draw_command(data, sid, state)
        try:
            new = decide(command, state)
        except (RuleViolation, StudioNotFound):
            continue
        # A terminal case takes no act but the correction of a payment made before its end.
        if state is not None and state.status in rules.TERMINAL_STATUSES:
            assert [type(e) for e in new] == [SubsidyReversed], f"{new} on a {state.status} studio"
        for event in new:
            state = evolve(state, event, sid)
        events += new
        assert state is not None
        check_invariants(state, events)
    assert fold(events, sid) == state


def test_the_strategy_reaches_every_status() -> None:
    """The property above is only as good as the states it visits."""
    seen: set[str] = set()

    @settings(max_examples=300, deadline=None, database=None)
    @given(st.data())
    def walk(data: st.DataObject) -> None:
        sid = uuid.uuid4()
        state: Studio | None = None
        for _ in range(60):
            try:
                for event in decide(draw_command(data, sid, state), state):
                    state = evolve(state, event, sid)
            except (RuleViolation, StudioNotFound):
                continue
            if state is not None:
                seen.add(state.status)

    walk()
    assert seen == {
        "submitted", "returned", "county_approved", "assessed", "awarded",
        "rectifying", "declined", "withdrawn", "revoked",
    }  # fmt: skip
