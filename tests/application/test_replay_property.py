"""Folding the stored events reproduces the state, for any sequence of commands."""

from __future__ import annotations

import itertools
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.application import Casework, Context
from casework.domain.decide import decide
from casework.domain.errors import RuleViolation, StudioNotFound
from casework.domain.state import Studio, evolve, fold
from tests.properties.commands import CIRCUMSTANCES, actor_for, draw_command, ensure_standard

# Each example submits a studio of its own master into the same database.
_masters = itertools.count(1000)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_the_stored_history_folds_to_the_state_the_decisions_reached(
    app: Casework, data: st.DataObject
) -> None:
    ensure_standard(app)
    sid = uuid.uuid4()
    serial = next(_masters)
    expected: Studio | None = None
    for _ in range(data.draw(st.integers(1, 30))):
        command = draw_command(data, sid, expected, serial)
        try:
            new = decide(command, expected, CIRCUMSTANCES)
        except (RuleViolation, StudioNotFound):
            continue
        app.execute(command, Context(actor=actor_for(command, expected), correlation_id="p", request_id="p"))
        for event in new:
            expected = evolve(expected, event, sid)
    stored = app.history(sid)
    assert fold([e.event for e in stored], sid) == expected
    assert app.load(sid) == expected
