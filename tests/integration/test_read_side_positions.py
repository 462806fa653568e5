"""What the read side has applied: the positions the batches and rebuilds record under each
generation's tracking name are the ones the status and the one wait read back."""

from __future__ import annotations

from casework.application import Casework, Context
from projections.models import all_projections
from projections.runner import Projector
from tests import builders as b


def test_the_wait_and_the_status_see_what_the_batches_recorded(app: Casework, projector: Projector) -> None:
    for serial in (1, 2):
        app.execute(b.submit(serial=serial), Context(actor=b.applicant(), correlation_id="c", request_id="r"))
    projections = all_projections()
    head = projector.head()

    assert not projector.wait(projections, head, timeout=0.1), "nothing applied yet"
    for projection in projections:
        projector.catch_up(projection)

    assert projector.wait(projections, head, timeout=0.1)
    assert not projector.wait(projections, head + 1, timeout=0.1), "a position not yet recorded"
    assert {(s.name, s.generation, s.position, s.lag) for s in projector.status(projections)} == {
        (p.name, 1, head, 0) for p in projections
    }


def test_a_rebuilt_generation_is_read_under_its_own_name(app: Casework, projector: Projector) -> None:
    app.execute(b.submit(serial=1), Context(actor=b.applicant(), correlation_id="c", request_id="r"))
    register = next(p for p in all_projections() if p.name == "register")
    projector.catch_up(register)

    assert projector.rebuild([register]) == {"register": 2}

    (status,) = projector.status([register])
    assert (status.generation, status.position) == (2, projector.head())
    assert projector.position(register) == projector.head()
    assert projector.wait([register], projector.head(), timeout=0.1)
