"""Waiting until the read side has applied a position of the log: one wait, for the API's
read-your-writes and for the runners alike."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from typing import Any, Protocol

from projections.catalog import POSITIONS
from projections.live import LiveProjector


class Rows(Protocol):
    """Where the positions are read: the API's asyncpg pool, or ``RunnerRows``."""

    async def fetch(self, query: str, /) -> Sequence[Any]: ...


class ReadSideWatch:
    """Waits for the read side on behalf of every waiter of a process with one query at a time.

    A burst of queries that must show a recent write (each with its Casework-Position) used to
    poll the projections' positions each for itself, every 2 ms: as many waiting queries as
    waiting requests, each holding a connection of the pool. Now one poller asks for all of
    them, and only while someone waits."""

    def __init__(self, interval: float = 0.002) -> None:
        self.interval = interval
        self.applied = 0  # the position every projection is known to have applied
        self.queries = 0
        self.pollers = 0  # how many poll loops were started (one per burst of waiting)
        self._waiting = 0
        self._changed = asyncio.Condition()
        self._poller: asyncio.Task[None] | None = None

    async def reach(self, rows: Rows, position: int, timeout: float) -> bool:
        """Wait until every projection has applied ``position``; False after ``timeout``."""
        if position <= self.applied:
            return True
        async with self._changed:
            self._waiting += 1
            if self._poller is None or self._poller.done():
                self.pollers += 1
                self._poller = asyncio.create_task(self._poll(rows))
            try:
                async with asyncio.timeout(timeout):
                    await self._changed.wait_for(lambda: self.applied >= position)
                return True
            except TimeoutError:
                return False
            finally:
                self._waiting -= 1

    async def _poll(self, rows: Rows) -> None:
        while True:
            try:
                found = await rows.fetch(POSITIONS)
            except Exception:
                found = []
            self.queries += 1
            async with self._changed:
                if found:
                    self.applied = max(self.applied, min(int(r["position"]) for r in found))
                    self._changed.notify_all()
                if self._waiting == 0:
                    return
            await asyncio.sleep(self.interval)


class RunnerRows:
    """The positions of some projections, read through a runner's own pool.

    The query blocks the event loop it is awaited in: the loop of ``wait`` below, which runs
    nothing else."""

    def __init__(self, live: LiveProjector, names: Collection[str]) -> None:
        self.live = live
        self.names = names

    async def fetch(self, query: str, /) -> Sequence[Any]:
        with self.live.datastore.transaction() as curs:
            return [row for row in curs.execute(query).fetchall() if row["name"] in self.names]


def wait(live: LiveProjector, names: Collection[str], position: int, timeout: float = 5.0) -> bool:
    """``ReadSideWatch.reach`` for a caller without an event loop (a runner's): block until the
    projections named have applied ``position``; False on timeout."""
    watch = ReadSideWatch(interval=0.02)
    return asyncio.run(watch.reach(RunnerRows(live, names), position, timeout))
