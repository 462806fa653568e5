"""A rebuilt projection equals the live one, whatever commands were recorded and however
the live runner happened to batch them."""

from __future__ import annotations

import itertools
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.application import Casework, Context
from casework.domain.decide import decide
from casework.domain.errors import RuleViolation, StudioNotFound
from casework.domain.state import Studio, evolve
from projections.models import all_projections
from projections.runner import Projector
from tests.integration.snapshots import snapshot
from tests.properties.commands import CIRCUMSTANCES, actor_for, draw_command, ensure_standard

pytestmark = pytest.mark.integration

_masters = itertools.count(2000)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_a_rebuilt_projection_equals_the_live_one(
    app: Casework, projector: Projector, database_url: str, data: st.DataObject
) -> None:
    ensure_standard(app)
    studios: dict[uuid.UUID, tuple[int, Studio | None]] = {
        uuid.uuid4(): (next(_masters), None) for _ in range(2)
    }
    for _ in range(data.draw(st.integers(5, 40), label="steps")):
        sid = data.draw(st.sampled_from(sorted(studios)), label="studio")
        serial, state = studios[sid]
        command = draw_command(data, sid, state, serial)
        try:
            new = decide(command, state, CIRCUMSTANCES)
        except (RuleViolation, StudioNotFound):
            continue
        app.execute(command, Context(actor=actor_for(command, state), correlation_id="p", request_id="p"))
        for event in new:
            state = evolve(state, event, sid)
        studios[sid] = (serial, state)
        # The live runner applies whatever has arrived, in batches of any size.
        if data.draw(st.booleans(), label="project now"):
            for projection in all_projections():
                projector.step(projection, data.draw(st.integers(1, 4), label="batch"))
    for projection in all_projections():
        projector.catch_up(projection)
    live = snapshot(database_url)
    # One projection alone, or all in one pass: either way the same rows.
    if data.draw(st.booleans(), label="rebuild together"):
        projector.rebuild(all_projections(), limit=data.draw(st.integers(1, 50), label="rebuild batch"))
    else:
        for projection in all_projections():
            projector.rebuild([projection], limit=data.draw(st.integers(1, 50), label="rebuild batch"))
    assert snapshot(database_url) == live
