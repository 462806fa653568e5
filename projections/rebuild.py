"""Rebuilds: fresh tables filled while the old ones serve, then one atomic switch.

Only one rebuild of a projection runs at a time (an advisory lock); the live runners go on
with their batches meanwhile, and carry on from the new generations after the switch.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import psycopg
import structlog
from psycopg.rows import dict_row
from psycopg.sql import SQL

from projections import catalog, locks
from projections.base import Projection
from projections.build import Progress, Targets, build_shared, processes_for
from projections.live import LiveProjector

log = structlog.get_logger("casework.projections")

# How long a rebuild waits to drop the tables an interrupted one left (see drop_abandoned).
ABANDONED_LOCK_TIMEOUT = "10s"


class RebuildRunning(RuntimeError):
    pass


def outdated(live: LiveProjector, projections: Sequence[Projection]) -> list[Projection]:
    """The projections whose served tables another release made (see Projection.fingerprint)."""
    with live.datastore.transaction() as curs:
        return [p for p in projections if catalog.outdated(curs, p)]


def bring_up_to_date(live: LiveProjector, projections: Sequence[Projection], poll: float = 1.0) -> None:
    """Rebuild the projections whose tables another release made, before writing to them.

    After an upgrade that changed a read model, the first process to start rebuilds it
    (the old tables serving meanwhile); another that starts then waits for that rebuild."""
    while stale := outdated(live, projections):
        log.warning("rebuilding read models made by another release", projections=[p.name for p in stale])
        try:
            rebuild(live, stale)
        except RebuildRunning:
            time.sleep(poll)


def rebuild(
    live: LiveProjector,
    projections: Sequence[Projection],
    *,
    limit: int = 2000,
    progress: Progress = lambda applied, head: None,
    processes: int | None = None,
) -> dict[str, int]:
    """Rebuild into fresh tables while the old ones serve, then switch atomically.

    The projections are shared among ``processes`` (by default ``build.processes_for`` the
    log's length), each making one pass over the log. Returns the new generation of each.
    """
    projections = sorted(projections, key=lambda p: p.name)  # one lock order for all
    for projection in projections:
        live.ensure(projection)
    with psycopg.connect(live.database_url, autocommit=True) as guard:
        for projection in projections:
            if not locks.take(guard, locks.REBUILD, projection.name):
                raise RebuildRunning(f"a rebuild of {projection.name} is already running")
        drop_abandoned(live.database_url, projections)
        with live.datastore.transaction(commit=True) as curs:
            targets = [(p, catalog.new_generation(curs, p)) for p in projections]
        # Up to the head as it is now (ids are committed in order: the store locks its table
        # to insert), in parallel; the switch applies whatever came after.
        until = live.head()
        if processes is None:
            processes = processes_for(until)
        applied = build_shared(
            live.database_url, live.events_table, targets, limit, until, processes, progress
        )
        if until:
            with live.datastore.transaction(commit=True) as curs:
                for projection, generation in targets:
                    live.tracking.advance(curs, catalog.tracking_name(projection, generation), until)
        applied += switch(live, targets, limit)
        progress(applied, live.head())
        log.info("rebuilt", projections=[p.name for p in projections], events=applied)
        return {p.name: g for p, g in targets}


def switch(live: LiveProjector, targets: Targets, limit: int) -> int:
    """Apply the events recorded since the build's head and serve the fresh generations; drop
    the old ones. Returns how many events it applied.

    The last events and the switch are one transaction that holds the catalog rows: the live
    runners' batches wait, then continue on the new generations."""
    applied = 0
    with live.datastore.transaction(commit=True) as curs:
        for projection, _generation in targets:
            catalog.active_generation(curs, projection, lock="FOR UPDATE")
        while True:
            count, _ = live.apply_batch(curs, targets, limit)
            applied += count
            if count < limit:
                break
        old = [(p, catalog.switch(curs, p, g)) for p, g in targets]
    with live.datastore.transaction(commit=True) as curs:
        for projection, generation in old:
            catalog.drop_generation(curs, projection, generation)
    return applied


def drop_abandoned(database_url: str, projections: Sequence[Projection]) -> None:
    """Drop what an earlier rebuild that died before its switch left behind.

    Under the rebuild lock no other rebuild builds these tables; but a process that a
    killed parallel rebuild had started may still be writing them: rather than wait for
    it without a word, say so."""
    with psycopg.connect(database_url, row_factory=dict_row) as conn, conn.cursor() as curs:
        curs.execute(SQL("SET lock_timeout = {}").format(ABANDONED_LOCK_TIMEOUT))
        for projection in projections:
            for generation in catalog.abandoned_generations(curs, projection):
                try:
                    catalog.drop_generation(curs, projection, generation)
                except psycopg.errors.LockNotAvailable:
                    msg = (
                        f"the {projection.name} tables of an interrupted rebuild (generation "
                        f"{generation}) are still being written, by a process that rebuild started: "
                        "try again once it has ended"
                    )
                    raise RebuildRunning(msg) from None
                conn.commit()
                log.info("dropped abandoned generation", projection=projection.name, generation=generation)
