"""Exports (CSV and XLSX) streamed from the read side, whatever their size.

An export's rows are read through a server-side cursor, BATCH at a time, in a read-only
transaction on one pooled connection that the export holds for its whole life and gives
back exactly once: at its end, on an error, or when the client goes away (the release is
shielded from the cancellation that a disconnect brings). The connection is taken before
the answer starts, so a database that cannot be reached is still a 503, not a broken 200.

CSV goes out batch by batch as it is read. An XLSX workbook is a zip archive whose
directory comes last, so it cannot be sent before its last row is read: its rows are
written batch by batch into openpyxl's write-only workbook (which keeps each sheet's XML in
a temporary file), the workbook is saved into a temporary file, and that file is sent in
chunks. Memory holds one batch and one chunk, never the workbook; the disk holds it for the
export's life. (A zip written by hand could start sooner, but openpyxl does the cell typing
and escaping that the spreadsheets' protections rely on, projections.spreadsheet.)

Every batch is turned into bytes or cells in a worker thread, so that a long export does not
hold up the other requests. The web console calls these functions as the controllers do.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.to_thread
import asyncpg
from litestar.background_tasks import BackgroundTask
from litestar.response import Stream

from api.schemas.money import yuan
from projections.spreadsheet import Workbook, csv_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What the OpenAPI document says of an answer that is also an export.
CSV_TOO = "the answer (CSV with Accept: text/csv)"
CSV_XLSX_TOO = f"the answer (CSV with Accept: text/csv, a workbook with Accept: {XLSX})"
BATCH = 2000  # rows per fetch from the cursor
CHUNK = 1024 * 1024  # bytes per piece of a workbook sent

Cells = Callable[[asyncpg.Record], Sequence[Any]]


@dataclass(frozen=True)
class Query:
    """One SELECT of an export, and how its rows become the export's cells (in column order)."""

    sql: str
    cells: Cells
    params: Sequence[Any] = ()


@dataclass(frozen=True)
class Export:
    """What an export holds: its name (file and sheet), its header, and its queries in order."""

    name: str
    columns: Sequence[str]
    queries: Sequence[Query]


def by_name(columns: Sequence[str], money: Sequence[str] = ()) -> Cells:
    """Cells read from the record by the columns' names; a ``money`` column ``x`` is read from
    ``x_fen`` and written in yuan (30000.00), as the JSON answers write it."""
    names = [f"{c}_fen" if c in money else c for c in columns]
    if not money:
        return lambda record: [record[n] for n in names]
    fen = [c in money for c in columns]
    return lambda record: [yuan(record[n]) if m else record[n] for n, m in zip(names, fen, strict=True)]


class Reading:
    """A pooled connection in a read-only transaction, lent to one export."""

    def __init__(self, pool: asyncpg.Pool[Any], conn: Any, transaction: Any) -> None:
        self._pool = pool
        self._conn: Any = conn
        self._transaction = transaction

    @classmethod
    async def open(cls, pool: asyncpg.Pool[Any]) -> Reading:
        conn = await pool.acquire()
        try:
            # One snapshot for every query of the export (the due report has two).
            transaction = conn.transaction(isolation="repeatable_read", readonly=True)
            await transaction.start()
        except BaseException:
            await pool.release(conn)
            raise
        return cls(pool, conn, transaction)

    async def batches(self, export: Export, size: int) -> AsyncIterator[tuple[Query, list[asyncpg.Record]]]:
        """Every query's rows, ``size`` at a time, through a server-side cursor."""
        assert self._conn is not None, "read after the connection was given back"
        for query in export.queries:
            cursor = await self._conn.cursor(query.sql, *query.params)
            while batch := await cursor.fetch(size):
                yield query, batch

    async def close(self) -> None:
        """End the transaction and give the connection back (once; later calls do nothing)."""
        if self._conn is None:
            return
        conn, self._conn = self._conn, None
        with anyio.CancelScope(shield=True):
            try:
                if not conn.is_closed():
                    await self._transaction.rollback()
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                pass  # the pool's release rolls back or discards what is left
            finally:
                await self._pool.release(conn)


def _cells(query: Query, batch: list[asyncpg.Record]) -> list[Sequence[Any]]:
    return [query.cells(record) for record in batch]


async def csv_body(reading: Reading, export: Export, size: int = BATCH) -> AsyncIterator[bytes]:
    """UTF-8 with a BOM, so that Excel opens the Chinese text correctly; a batch per piece."""
    try:
        yield ("\ufeff" + _csv_lines([export.columns])).encode("utf-8")
        async for query, batch in reading.batches(export, size):
            yield await anyio.to_thread.run_sync(_csv_piece, query, batch)
    finally:
        await reading.close()


def _csv_piece(query: Query, batch: list[asyncpg.Record]) -> bytes:
    return _csv_lines([[csv_cell(v) for v in cells] for cells in _cells(query, batch)]).encode("utf-8")


def _csv_lines(rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


async def xlsx_body(reading: Reading, export: Export, size: int = BATCH) -> AsyncIterator[bytes]:
    """The workbook, built on disk batch by batch, then sent in pieces of CHUNK bytes."""
    book = Workbook(export.columns, export.name)
    saved = False
    try:
        async for query, batch in reading.batches(export, size):
            await anyio.to_thread.run_sync(_append, book, query, batch)
        await reading.close()  # every row is read: the connection is no longer needed
        with tempfile.TemporaryFile() as file:
            await anyio.to_thread.run_sync(book.save, file)
            saved = True
            file.seek(0)
            while piece := await anyio.to_thread.run_sync(file.read, CHUNK):
                yield piece
    finally:
        await reading.close()
        if not saved:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(book.discard)


def _append(book: Workbook, query: Query, batch: list[asyncpg.Record]) -> None:
    book.append(_cells(query, batch))


def wanted(accept: str, formats: Sequence[str] = ("text/csv",)) -> str | None:
    """The export format an Accept header asks for, of those the resource offers."""
    if XLSX in formats and XLSX in accept:
        return XLSX
    return "text/csv" if "text/csv" in formats and "text/csv" in accept else None


async def stream(pool: asyncpg.Pool[Any], export: Export, media: str, size: int = BATCH) -> Stream:
    """The export as a streamed answer in ``media`` (text/csv or XLSX)."""
    reading = await Reading.open(pool)
    body = xlsx_body(reading, export, size) if media == XLSX else csv_body(reading, export, size)
    suffix = "xlsx" if media == XLSX else "csv"
    return Stream(
        body,
        media_type=media,  # Litestar adds the charset of text/csv (utf-8)
        headers={"Content-Disposition": f'attachment; filename="{export.name}.{suffix}"'},
        # Given back here too when the body never ran (a HEAD) or stopped at a yield.
        background=BackgroundTask(reading.close),
    )
