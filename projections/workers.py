"""The worker threads of a process: one per projection, running it while it holds the
projection's advisory lock (the others, in other processes, stand by and take over when its
connection dies), and one listener that wakes them when events are recorded."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import psycopg
import structlog
from psycopg import Connection
from psycopg.rows import TupleRow
from psycopg.sql import SQL, Identifier

from projections import locks
from projections.base import Projection
from projections.live import LiveProjector

log = structlog.get_logger("casework.projections")


class Worker(threading.Thread):
    """Runs one projection while it holds the projection's advisory lock."""

    def __init__(
        self,
        projector: LiveProjector,
        projection: Projection,
        *,
        batch_size: int = 500,
        standby_poll: float = 1.0,
        idle_poll: float = 1.0,
    ) -> None:
        super().__init__(name=f"projection-{projection.name}", daemon=True)
        self.projector = projector
        self.projection = projection
        self.batch_size = batch_size
        self.standby_poll = standby_poll
        self.idle_poll = idle_poll
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.holding = False
        self._lock_conn: Connection[TupleRow] | None = None

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()

    def _acquire(self) -> bool:
        """Take the projection's lock on a connection of its own; its death frees the lock."""
        if self._lock_conn is None or self._lock_conn.closed:
            self._lock_conn = psycopg.connect(self.projector.database_url, autocommit=True)
        return locks.take(self._lock_conn, locks.LIVE, self.projection.name)

    def _still_holding(self) -> bool:
        try:
            assert self._lock_conn is not None
            self._lock_conn.execute("SELECT 1")
        except (psycopg.Error, AssertionError):
            return False
        return True

    def _release(self) -> None:
        self.holding = False
        if self._lock_conn is not None:
            self._lock_conn.close()
            self._lock_conn = None

    def run(self) -> None:
        backoff = 0.2
        while not self.stopping.is_set():
            try:
                if not self.holding or not self._still_holding():
                    self.holding = False
                    if not self._acquire():
                        self.stopping.wait(self.standby_poll)
                        continue
                    self.holding = True
                    self.projector.ensure(self.projection)
                    log.info("projection_active", projection=self.projection.name)
                count, _position = self.projector.step(self.projection, self.batch_size)
                backoff = 0.2
                if count < self.batch_size:
                    self.wake.wait(self.idle_poll)
                    self.wake.clear()
            except (psycopg.Error, OSError) as error:
                log.warning("projection_error", projection=self.projection.name, error=str(error))
                self._release()
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, 5.0)
            except Exception:
                log.exception("projection_failed", projection=self.projection.name)
                self._release()
                self.stopping.wait(5.0)
        self._release()


class Listener(threading.Thread):
    """Wakes the workers when the event store announces new events (LISTEN/NOTIFY)."""

    def __init__(self, database_url: str, channel: str, workers: Sequence[Worker]) -> None:
        super().__init__(name="projection-listener", daemon=True)
        self.database_url = database_url
        self.channel = channel
        self.workers = workers
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                with psycopg.connect(self.database_url, autocommit=True) as conn:
                    conn.execute(SQL("LISTEN {0}").format(Identifier(self.channel)))
                    while not self.stopping.is_set():
                        for _ in conn.notifies(timeout=0.25, stop_after=1):
                            for worker in self.workers:
                                worker.wake.set()
            except psycopg.Error:
                self.stopping.wait(1.0)
