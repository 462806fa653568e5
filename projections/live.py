"""Live batches: the events after a projection's position, applied and tracked together.

Every batch is one transaction that reads events after the projection's tracked position,
applies them, and records the new position with the tracking recorder — so a crash never
applies an event twice nor skips one.
"""

from __future__ import annotations

from collections.abc import Sequence

from eventsourcing.postgres import PostgresDatastore
from psycopg import Connection, Cursor
from psycopg.rows import DictRow, TupleRow, tuple_row
from psycopg.sql import SQL, Identifier

from casework.application import Casework
from casework.embedded import connection_params
from projections import catalog
from projections.base import LAST_POSITION, Decoder, Item, Projection, log_select
from projections.tracking import CaseworkTrackingRecorder


class LiveProjector:
    """Reads the notification log and applies it, batch by batch, to projections."""

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

    def head(self) -> int:
        with self.datastore.transaction() as curs:
            curs.execute(self._head)
            found = curs.fetchone()
            return int(found["max"] or 0) if found else 0

    def position(self, projection: Projection, generation: int | None = None) -> int:
        with self.datastore.transaction() as curs:
            if generation is None:
                generation = catalog.active_generation(curs, projection)
            return self.tracking.position(curs, catalog.tracking_name(projection, generation))

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
        positions = {self.tracking.position(curs, name) for name in names}
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
            self.tracking.advance(curs, name, items[-1].position)
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
