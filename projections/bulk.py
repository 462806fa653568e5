"""Bulk writing for a rebuild: one long COPY per table, each on a thread of its own.

A batch-by-batch COPY makes Python wait while PostgreSQL takes the rows in, and the
server wait while Python folds the next batch. Here every table a rebuild appends to has
its own connection and a COPY that stays open for the whole pass; builders hand rows to a
queue, and the server takes them in on the other core while Python carries on. Nothing
commits unless the whole pass went through, and a generation that failed half-way is never
served (the runner only switches to a finished one).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from types import TracebackType

import psycopg
from psycopg.rows import TupleRow, tuple_row

from projections.base import log_select

# How many batches of rows may wait for one table's writer before a builder waits too.
QUEUE_DEPTH = 8
_DONE = None


class _Stream(threading.Thread):
    def __init__(self, database_url: str, table: str, columns: Sequence[str]) -> None:
        super().__init__(name=f"copy-{table}", daemon=True)
        self.database_url = database_url
        self.statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        self.queue: queue.Queue[str | None] = queue.Queue(QUEUE_DEPTH)
        self.commit = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with psycopg.connect(self.database_url) as conn:
                conn.execute("SET synchronous_commit = off")
                with conn.cursor() as curs, curs.copy(self.statement) as copy:
                    while (chunk := self.queue.get()) is not _DONE:
                        copy.write(chunk)
                if not self.commit.is_set():
                    conn.rollback()
        except BaseException as error:
            self.error = error
            # Keep draining so that a builder never blocks on a dead writer.
            while self.queue.get() is not _DONE:
                pass


class Streams:
    """A Sink (projections.base) that streams each table's rows through its own COPY."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.streams: dict[str, _Stream] = {}

    def rows(self, table: str, columns: Sequence[str], lines: list[str]) -> None:
        if not lines:
            return
        stream = self.streams.get(table)
        if stream is not None and stream.error is not None:
            raise stream.error
        if stream is None:
            stream = self.streams[table] = _Stream(self.database_url, table, columns)
            stream.start()
        stream.queue.put("".join(lines))

    def close(self, *, commit: bool) -> None:
        """End every COPY and wait for it; commit all of them, or none."""
        for stream in self.streams.values():
            if commit:
                stream.commit.set()
            stream.queue.put(_DONE)
        for stream in self.streams.values():
            stream.join()
        errors = [s.error for s in self.streams.values() if s.error is not None]
        if errors:
            raise errors[0]

    def __enter__(self) -> Streams:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close(commit=kind is None)


def read_log(database_url: str, events_table: str, limit: int, until: int) -> Iterator[list[TupleRow]]:
    """The log up to ``until`` in batches of raw rows, as projections.base.Decoder takes them.

    Read on the folding thread itself: a reading thread only fought it for the interpreter
    lock (measured: no faster, sometimes slower)."""
    select = log_select(events_table)
    position = 0
    with psycopg.connect(database_url) as conn, conn.cursor(row_factory=tuple_row) as curs:
        while True:
            rows = curs.execute(select, (position, until, limit), prepare=True).fetchall()
            if rows:
                yield rows
            if len(rows) < limit:
                return
            position = rows[-1][0]
