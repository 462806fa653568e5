"""Keeping projections current: batched catch-up, live follow, one runner per projection.

Every batch is one transaction that reads events after the projection's tracked
position, applies them, and records the new position with eventsourcing's tracking
recorder — so a crash never applies an event twice nor skips one. A PostgreSQL advisory
lock makes one runner per projection active across processes; the others stand by and
take over when its connection dies.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import psycopg
import structlog
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore
from psycopg import Connection, Cursor
from psycopg.rows import DictRow, TupleRow, dict_row, tuple_row
from psycopg.sql import SQL, Identifier

from casework.application import Casework
from casework.embedded import connection_params
from casework.integrity import Signer
from casework.logging import configure_logging
from casework.store import IDEMPOTENCY_TABLE, CaseworkTrackingRecorder
from projections import catalog
from projections.audit import AuditTrail
from projections.base import LAST_POSITION, Decoder, Item, Projection, log_select
from projections.bulk import Streams, read_log
from projections.chain import Chain
from projections.ledger import Ledger
from projections.register import Register

log = structlog.get_logger("casework.projections")

# The first key of every advisory lock casework takes ("CW" and a tag).
LOCK_NAMESPACE = 0x43570001
REBUILD_NAMESPACE = 0x43570002


def all_projections(signer: Signer | None = None) -> list[Projection]:
    """Every read model; with a signer, the chain projection also signs checkpoints."""
    return [Register(), AuditTrail(), Ledger(), Chain(signer)]


def lock_key(name: str) -> int:
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


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


class RebuildRunning(RuntimeError):
    pass


# How long a rebuild waits to drop the tables an interrupted one left (see _drop_abandoned).
ABANDONED_LOCK_TIMEOUT = "10s"


class Projector:
    """Reads the notification log and applies batches to projections."""

    def __init__(self, app: Casework, database_url: str, *, pool_size: int = 4) -> None:
        params = connection_params(database_url)
        self.database_url = database_url
        self.datastore = PostgresDatastore(
            dbname=params["dbname"],
            host=params["host"],
            port=params["port"],
            user=params["user"],
            password=params["password"],
            pool_size=pool_size,
            max_overflow=pool_size,
            pre_ping=True,
        )
        self.tracking = CaseworkTrackingRecorder(self.datastore, tracking_table_name=catalog.TRACKING)
        self.tracking.create_table()
        self.events_table = app.store.events_table_name
        self.channel = app.store.channel_name
        self._select = log_select(self.events_table)
        self._head = SQL("SELECT max(notification_id) FROM {events}").format(
            events=Identifier(self.events_table)
        )

    def close(self) -> None:
        self.datastore.close()

    def ensure(self, projection: Projection) -> int:
        with self.datastore.transaction(commit=True) as curs:
            return catalog.ensure(curs, projection)

    def outdated(self, projections: Sequence[Projection]) -> list[Projection]:
        """The projections whose served tables another release made (see Projection.fingerprint)."""
        with self.datastore.transaction() as curs:
            return [p for p in projections if catalog.outdated(curs, p)]

    def bring_up_to_date(self, projections: Sequence[Projection], poll: float = 1.0) -> None:
        """Rebuild the projections whose tables another release made, before writing to them.

        After an upgrade that changed a read model, the first process to start rebuilds it
        (the old tables serving meanwhile); another that starts then waits for that rebuild."""
        while stale := self.outdated(projections):
            log.warning("rebuilding read models made by another release", projections=[p.name for p in stale])
            try:
                self.rebuild(stale)
            except RebuildRunning:
                time.sleep(poll)

    def head(self) -> int:
        with self.datastore.transaction() as curs:
            curs.execute(self._head)
            found = curs.fetchone()
            return int(found["max"] or 0) if found else 0

    def position(self, projection: Projection, generation: int | None = None) -> int:
        with self.datastore.transaction() as curs:
            if generation is None:
                generation = catalog.active_generation(curs, projection)
            name = catalog.tracking_name(projection, generation)
            return self.tracking._max_tracking_id(name, curs) or 0

    def read(self, conn: Connection[DictRow], after: int, limit: int) -> list[Item]:
        """The next events of the log, decoded."""
        with conn.cursor(row_factory=tuple_row) as raw:
            params = (after, LAST_POSITION, limit)
            rows: list[TupleRow] = raw.execute(self._select, params, prepare=True).fetchall()
        return Decoder().items(rows)

    def apply_batch(
        self, curs: Cursor[DictRow], targets: Sequence[tuple[Projection, int]], limit: int
    ) -> tuple[int, int]:
        """Apply up to ``limit`` events to each (projection, generation), reading the log once.

        The targets must stand at the same position (a live runner has one target; a
        rebuild moves all of its fresh generations together). Returns (count, position).
        """
        names = [catalog.tracking_name(p, g) for p, g in targets]
        positions = {self.tracking._max_tracking_id(name, curs) or 0 for name in names}
        if len(positions) != 1:
            msg = f"targets at different positions: {dict(zip(names, positions, strict=False))}"
            raise RuntimeError(msg)
        (position,) = positions
        assert curs.connection is not None
        items = self.read(curs.connection, position, limit)
        if not items:
            return 0, position
        for (projection, generation), name in zip(targets, names, strict=True):
            projection.apply(curs, items, generation)
            # Same transaction as the rows: the position moves exactly when they do.
            self.tracking._insert_tracking(curs, Tracking(name, items[-1].position))
        return len(items), items[-1].position

    def step(self, projection: Projection, limit: int) -> tuple[int, int]:
        """One batch of the live runner, on whichever generation is being served."""
        with self.datastore.transaction(commit=True) as curs:
            generation = catalog.active_generation(curs, projection, lock="FOR SHARE")
            result = self.apply_batch(curs, [(projection, generation)], limit)
            projection.tick(curs, generation)
            return result

    def catch_up(self, projection: Projection, limit: int = 1000) -> int:
        """Apply everything recorded so far (used by tests and by a runner's first pass)."""
        total = 0
        while True:
            count, _ = self.step(projection, limit)
            total += count
            if count < limit:
                return total

    def status(self, projections: Sequence[Projection]) -> list[ProjectionStatus]:
        head = self.head()
        statuses = []
        with self.datastore.transaction() as curs:
            for projection in projections:
                generation = catalog.active_generation(curs, projection)
                name = catalog.tracking_name(projection, generation)
                position = self.tracking._max_tracking_id(name, curs) or 0
                curs.execute(
                    "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' "
                    "AND classid = %s AND objid = %s AND granted",
                    (LOCK_NAMESPACE, lock_key(projection.name)),
                )
                held = curs.fetchone()
                statuses.append(
                    ProjectionStatus(
                        name=projection.name,
                        generation=generation,
                        position=position,
                        head=head,
                        active_runner=bool(held and held["n"]),
                    )
                )
        return statuses

    def wait(self, projections: Sequence[Projection], position: int, timeout: float = 5.0) -> bool:
        """Block until every projection has applied ``position``; False on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            if all(s.position >= position for s in self.status(projections)):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)

    def rebuild(
        self,
        projections: Sequence[Projection],
        *,
        limit: int = 2000,
        progress: Callable[[int, int], None] = lambda applied, head: None,
        processes: int | None = None,
    ) -> dict[str, int]:
        """Rebuild into fresh tables while the old ones serve, then switch atomically.

        The projections are shared among ``processes`` (by default two for a long log on a
        machine with two cores or more), each making one pass over the log. Returns the new
        generation of each. Only one rebuild of a projection runs at a time.
        """
        projections = sorted(projections, key=lambda p: p.name)  # one lock order for all
        for projection in projections:
            self.ensure(projection)
        with psycopg.connect(self.database_url, autocommit=True) as guard:
            for projection in projections:
                key = (REBUILD_NAMESPACE, lock_key(projection.name))
                taken = guard.execute("SELECT pg_try_advisory_lock(%s, %s)", key).fetchone()
                if not taken or not taken[0]:
                    raise RebuildRunning(f"a rebuild of {projection.name} is already running")
            self._drop_abandoned(projections)
            with self.datastore.transaction(commit=True) as curs:
                targets = [(p, catalog.new_generation(curs, p)) for p in projections]
            # Up to the head as it is now (ids are committed in order: the store locks its table
            # to insert), in parallel; the switch below applies whatever came after.
            until = self.head()
            if processes is None:
                processes = 2 if until >= PARALLEL_FROM and (os.cpu_count() or 1) > 1 else 1
            applied = self._build(targets, limit, until, processes, progress)
            if until:
                with self.datastore.transaction(commit=True) as curs:
                    for projection, generation in targets:
                        name = catalog.tracking_name(projection, generation)
                        self.tracking._insert_tracking(curs, Tracking(name, until))
            # The last events and the switch in one transaction that holds the catalog rows:
            # the live runners' batches wait, then continue on the new generations.
            with self.datastore.transaction(commit=True) as curs:
                for projection in projections:
                    catalog.active_generation(curs, projection, lock="FOR UPDATE")
                while True:
                    count, _ = self.apply_batch(curs, targets, limit)
                    applied += count
                    if count < limit:
                        break
                old = [(p, catalog.switch(curs, p, g)) for p, g in targets]
            with self.datastore.transaction(commit=True) as curs:
                for projection, generation in old:
                    catalog.drop_generation(curs, projection, generation)
            progress(applied, self.head())
            log.info("rebuilt", projections=[p.name for p in projections], events=applied)
            return {p.name: g for p, g in targets}

    def _drop_abandoned(self, projections: Sequence[Projection]) -> None:
        """Drop what an earlier rebuild that died before its switch left behind.

        Under the rebuild lock no other rebuild builds these tables; but a process that a
        killed parallel rebuild had started may still be writing them: rather than wait for
        it without a word, say so."""
        with psycopg.connect(self.database_url, row_factory=dict_row) as conn, conn.cursor() as curs:
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
                    log.info(
                        "dropped abandoned generation", projection=projection.name, generation=generation
                    )

    def _build(
        self,
        targets: Sequence[tuple[Projection, int]],
        limit: int,
        until: int,
        processes: int,
        progress: Callable[[int, int], None],
    ) -> int:
        """Fill fresh generations with the events up to ``until``, sharing the projections
        among processes; each process reads the log itself."""
        groups = share(targets, processes)
        if len(groups) == 1:
            return build(self.database_url, self.events_table, groups[0], limit, until, progress)
        spawn = multiprocessing.get_context("spawn")  # no fork of a process with threads
        with ProcessPoolExecutor(len(groups) - 1, mp_context=spawn) as pool:
            others = [
                pool.submit(
                    build_by_name,
                    self.database_url,
                    self.events_table,
                    [(p.name, g) for p, g in group],
                    limit,
                    until,
                )
                for group in groups[1:]
            ]
            applied = build(self.database_url, self.events_table, groups[0], limit, until, progress)
            for other in others:
                other.result()
        return applied


def share(targets: Sequence[tuple[Projection, int]], processes: int) -> list[list[tuple[Projection, int]]]:
    """The targets in at most ``processes`` groups of about equal rebuild cost (costliest
    first, each to the lightest group so far)."""
    groups: list[list[tuple[Projection, int]]] = [[] for _ in range(processes)]
    loads = [0.0] * processes
    for target in sorted(targets, key=lambda t: (-t[0].rebuild_cost, t[0].name)):
        lightest = loads.index(min(loads))
        groups[lightest].append(target)
        loads[lightest] += target[0].rebuild_cost
    return [group for group in groups if group]


# Below this many events a second process costs more to start than it saves.
PARALLEL_FROM = 50_000


def build(
    database_url: str,
    events_table: str,
    targets: Sequence[tuple[Projection, int]],
    limit: int,
    until: int,
    progress: Callable[[int, int], None] = lambda applied, head: None,
) -> int:
    """Fill fresh generations with the events up to ``until`` through each projection's
    builder, then index them.

    Builders keep in memory what the live path reads back from its tables, and their rows
    stream into the tables through long COPYs (projections.bulk). The caller records the
    positions once every row is in; the live path carries on from there.
    """
    builders = [p.builder(g) for p, g in targets]
    decoder = Decoder()
    applied = 0
    with Streams(database_url) as sink:
        for rows in read_log(database_url, events_table, limit, until):
            items = decoder.items(rows)
            for builder in builders:
                builder.feed(items, sink)
            applied += len(items)
            progress(applied, until)
        for builder in builders:
            builder.finish(sink)
    # Secondary indexes once the rows are in: faster than keeping them up row by row.
    with psycopg.connect(database_url, row_factory=dict_row) as conn, conn.cursor() as curs:
        for projection, generation in targets:
            catalog.index_generation(curs, projection, generation)
    return applied


def build_by_name(
    database_url: str, events_table: str, targets: Sequence[tuple[str, int]], limit: int, until: int
) -> int:
    """``build`` in another process: projections named, not pickled."""
    configure_logging("console", "warning")
    projections = {p.name: p for p in all_projections()}
    return build(database_url, events_table, [(projections[n], g) for n, g in targets], limit, until)


class Worker(threading.Thread):
    """Runs one projection while it holds the projection's advisory lock."""

    def __init__(
        self,
        projector: Projector,
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
        row = self._lock_conn.execute(
            "SELECT pg_try_advisory_lock(%s, %s)", (LOCK_NAMESPACE, lock_key(self.projection.name))
        ).fetchone()
        return bool(row and row[0])

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


def purge_expired_keys(database_url: str, ttl_hours: float) -> int:
    """Delete the Idempotency-Keys older than ``ttl_hours``; how many went."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        if conn.execute("SELECT to_regclass(%s)", (IDEMPOTENCY_TABLE,)).fetchone() == (None,):
            return 0
        deleted = conn.execute(
            SQL("DELETE FROM {} WHERE created_at < now() - make_interval(secs => %s)").format(
                Identifier(IDEMPOTENCY_TABLE)
            ),
            (ttl_hours * 3600,),
        )
        return deleted.rowcount


class KeyPurger(threading.Thread):
    """Purges expired Idempotency-Keys now and then (one DELETE; harmless when twins run it)."""

    def __init__(self, database_url: str, ttl_hours: float, every: float = 600.0) -> None:
        super().__init__(name="idempotency-purger", daemon=True)
        self.database_url = database_url
        self.ttl_hours = ttl_hours
        self.every = every
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                purged = purge_expired_keys(self.database_url, self.ttl_hours)
                if purged:
                    log.info("idempotency_keys_purged", keys=purged)
            except psycopg.Error as error:
                log.warning("idempotency_purge_failed", error=str(error))
            self.stopping.wait(self.every)


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
