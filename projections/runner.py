"""Keeping projections current: what a process asks of them, and the runner of its workers.

The work itself is in the modules named after it: ``live`` (batches), ``rebuild`` (fresh
generations and the switch), ``build`` (a rebuild shared among processes), ``workers``
(lock-holding threads), ``status`` and ``readside`` (waiting for a position).
"""

from __future__ import annotations

from collections.abc import Sequence

from casework.application import Casework
from casework.integrity import Signer
from projections import readside, rebuild
from projections.base import Projection
from projections.build import Progress
from projections.live import LiveProjector
from projections.models import all_projections
from projections.purge import KeyPurger
from projections.status import ProjectionStatus, statuses
from projections.workers import Listener, Worker


class Projector(LiveProjector):
    """The live batches, and what an operator or a test asks of them besides."""

    def outdated(self, projections: Sequence[Projection]) -> list[Projection]:
        return rebuild.outdated(self, projections)

    def bring_up_to_date(self, projections: Sequence[Projection], poll: float = 1.0) -> None:
        rebuild.bring_up_to_date(self, projections, poll)

    def rebuild(
        self,
        projections: Sequence[Projection],
        *,
        limit: int = 2000,
        progress: Progress = lambda applied, head: None,
        processes: int | None = None,
    ) -> dict[str, int]:
        return rebuild.rebuild(self, projections, limit=limit, progress=progress, processes=processes)

    def status(self, projections: Sequence[Projection]) -> list[ProjectionStatus]:
        return statuses(self, projections)

    def wait(self, projections: Sequence[Projection], position: int, timeout: float = 5.0) -> bool:
        """Block until every projection has applied ``position``; False on timeout."""
        return readside.wait(self, {p.name for p in projections}, position, timeout)


class ProjectionRunner:
    """All projections of a process: one worker each, woken by one listener."""

    def __init__(
        self,
        app: Casework,
        database_url: str,
        projections: Sequence[Projection] | None = None,
        *,
        signer: Signer | None = None,
        batch_size: int = 500,
        standby_poll: float = 1.0,
        idempotency_ttl_hours: float = 24.0,
    ) -> None:
        self.projections = list(projections or all_projections(signer))
        self.purger = KeyPurger(database_url, idempotency_ttl_hours)
        self.projector = Projector(app, database_url, pool_size=len(self.projections) + 2)
        self.workers = [
            Worker(self.projector, p, batch_size=batch_size, standby_poll=standby_poll)
            for p in self.projections
        ]
        self.listener = Listener(database_url, self.projector.channel, self.workers)

    def start(self) -> None:
        for projection in self.projections:
            self.projector.ensure(projection)
        self.projector.bring_up_to_date(self.projections)
        for worker in self.workers:
            worker.start()
        self.listener.start()
        self.purger.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.listener.stopping.set()
        self.purger.stopping.set()
        for worker in self.workers:
            worker.stop()
        for worker in self.workers:
            worker.join(timeout)
        self.listener.join(timeout)
        self.projector.close()

    def wait(self, position: int, timeout: float = 5.0) -> bool:
        """Block until every projection has reached ``position`` (read-your-writes)."""
        return self.projector.wait(self.projections, position, timeout)

    def status(self) -> list[ProjectionStatus]:
        return self.projector.status(self.projections)

    def __enter__(self) -> ProjectionRunner:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
