"""Where each projection generation's position in the log is kept: eventsourcing's tracking
table, one row a generation (named by ``catalog.tracking_name``)."""

from __future__ import annotations

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from psycopg import Cursor
from psycopg.rows import DictRow

from casework.store import SCHEMA_LOCK


class CaseworkTrackingRecorder(PostgresTrackingRecorder):
    """The library's tracking recorder, read and advanced inside the caller's transaction.

    The library's public methods each open a transaction of their own; a batch must move its
    position in the transaction that writes its rows, so that a crash never applies an event
    twice nor skips one. ``position`` and ``advance`` are that, and the only callers of the
    library's private methods."""

    def position(self, curs: Cursor[DictRow], name: str) -> int:
        """How far the generation tracked as ``name`` has applied the log (0: nothing yet)."""
        return self._max_tracking_id(name, curs) or 0

    def advance(self, curs: Cursor[DictRow], name: str, position: int) -> None:
        """Record that the generation tracked as ``name`` has applied the log up to ``position``
        (refused, as an IntegrityError, if it stood there already or further)."""
        self._insert_tracking(curs, Tracking(name, position))

    def _create_table(self, curs: Cursor[DictRow]) -> None:
        # Overridden (the library's hook for the statements of create_table) to take the schema
        # lock first, as every process that creates tables does.
        curs.execute(SCHEMA_LOCK)
        # The library decided what to create before it could take the lock: if a concurrent
        # twin created the table (and its migration row) meanwhile, there is nothing left to do.
        curs.execute(
            "SELECT to_regclass(%s) AS found", (f"{self.datastore.schema}.{self.tracking_table_name}",)
        )
        found = curs.fetchone()
        if not self.tracking_table_exists and found is not None and found["found"] is not None:
            self.tracking_table_exists = True
            return
        super()._create_table(curs)
