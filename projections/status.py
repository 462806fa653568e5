"""Where each projection stands: its served generation, its position against the log's head,
and whether a live runner holds it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from projections import catalog, locks
from projections.base import Projection
from projections.live import LiveProjector


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    generation: int
    position: int
    head: int
    active_runner: bool

    @property
    def lag(self) -> int:
        return max(0, self.head - self.position)


def statuses(live: LiveProjector, projections: Sequence[Projection]) -> list[ProjectionStatus]:
    head = live.head()
    with live.datastore.transaction() as curs:
        served = {row["name"]: row for row in curs.execute(catalog.POSITIONS).fetchall()}
        return [
            ProjectionStatus(
                name=projection.name,
                generation=int(served[projection.name]["generation"]),
                position=int(served[projection.name]["position"]),
                head=head,
                active_runner=locks.held(curs, locks.LIVE, projection.name),
            )
            for projection in projections
        ]
