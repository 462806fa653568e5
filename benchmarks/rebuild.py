"""Rebuilding all projections against merely reading the notification log (same process, same run),
and replaying the longest studio against selecting its events.

Baselines, each measured in this run on the same data:
- the notification log read with eventsourcing's own reader (``select_notifications``), the
  way the library reads it; ``rebuild ratio`` is against this one;
- the same rows with a bare SELECT through psycopg (the floor of any reader), and with each
  event decoded too (what every projection must at least do);
Prints ``rebuild ratio: <number>`` and ``replay ratio: <number>``, and the peak memory.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import resource
import time
from pathlib import Path
from uuid import UUID

import psycopg
from psycopg.rows import tuple_row

from benchmarks.dataset import ensure, long_studio
from benchmarks.loadgen import children
from casework.application import Casework
from casework.logging import configure_logging
from projections.base import Decoder, table
from projections.models import all_projections
from projections.runner import Projector


def raw_read(app: Casework, batch: int, decode: bool) -> tuple[int, float]:
    """Events per second of a bare SELECT of the log in batches (optionally decoding them)."""
    count, position = 0, 0
    decoder = Decoder()
    studio = "originator_id::text" if decode else "originator_id"
    select = (
        f"SELECT notification_id, {studio}, originator_version, topic, state "  # noqa: S608
        f"FROM {app.store.events_table_name} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
    )
    started = time.perf_counter()
    with app.recorder.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
        while True:
            rows = curs.execute(select, (position, batch), prepare=True).fetchall()
            if not rows:
                break
            if decode:
                decoder.items(rows)
            position = rows[-1][0]
            count += len(rows)
    return count, time.perf_counter() - started


def library_read(app: Casework, batch: int) -> tuple[int, float]:
    """Events per second of eventsourcing's reader of the notification log."""
    count, start = 0, 1
    started = time.perf_counter()
    while True:
        notifications = app.recorder.select_notifications(start, batch)
        if not notifications:
            break
        count += len(notifications)
        start = notifications[-1].id + 1
    return count, time.perf_counter() - started


def replay(app: Casework, studio_id: UUID, rounds: int) -> tuple[float, float, int]:
    """Seconds per replay of the studio through the application, and per raw select of its rows."""
    with app.recorder.datastore.get_connection() as conn:
        table = app.store.events_table_name
        select = f"SELECT * FROM {table} WHERE originator_id = %s ORDER BY originator_version"  # noqa: S608
        started = time.perf_counter()
        for _ in range(rounds):
            rows = conn.execute(select, (studio_id,), prepare=True).fetchall()
        raw = (time.perf_counter() - started) / rounds
    started = time.perf_counter()
    for _ in range(rounds):
        studio = app.load(studio_id)
    replayed = (time.perf_counter() - started) / rounds
    assert studio is not None
    assert studio.version == len(rows)
    return replayed, raw, len(rows)


def cpu_seconds(pid: int, *, waited: bool = False) -> float:
    """A process's CPU time so far (with ``waited``, also that of its children that ended)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(f) for f in fields[11 : 15 if waited else 13])  # utime stime [cutime cstime]
    return ticks / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds(data_dir: Path) -> float:
    """CPU time of the embedded server so far: the postmaster, its live backends, and the
    backends that have ended (their time is the postmaster's children's)."""
    postmaster = int((data_dir / "pgdata" / "postmaster.pid").read_text().split()[0])
    total = cpu_seconds(postmaster, waited=True)
    for backend in children(postmaster):
        with contextlib.suppress(FileNotFoundError):  # a backend that just ended
            total += cpu_seconds(backend)
    return total


def running_seconds(pid: int) -> float:
    """The CPU time of a one-threaded process (a PostgreSQL backend) so far, in nanoseconds
    underneath: /proc's stat counts in ticks of 10 ms, too coarse for one table's COPY."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9


# A generation no catalog hands out (they start at 1): the scratch copy of ingest_floor.
SCRATCH = 0


def ingest_floor(database_url: str, generations: dict[str, int]) -> tuple[float, float]:
    """The least CPU PostgreSQL can spend taking in the rows a rebuild wrote: the same rows,
    from a buffer, in binary (nothing to parse), into the same tables, then their indexes.

    Returns the server's CPU seconds for the copy and for the indexes; the scratch tables
    are rolled back."""
    copying = indexing = 0.0
    with psycopg.connect(database_url) as conn:
        backend = conn.info.backend_pid
        for projection in all_projections():
            generation = generations[projection.name]
            try:
                conn.execute(projection.ddl(SCRATCH, "tables"))
                for base in projection.tables:
                    rows, source, scratch = bytearray(), table(base, generation), table(base, SCRATCH)
                    with conn.cursor().copy(f"COPY {source} TO STDOUT (FORMAT binary)") as out:
                        for chunk in out:
                            rows += chunk
                    started = running_seconds(backend)
                    with conn.cursor().copy(f"COPY {scratch} FROM STDIN (FORMAT binary)") as into:
                        into.write(rows)
                    copying += running_seconds(backend) - started
                started = running_seconds(backend)
                conn.execute(projection.ddl(SCRATCH, "indexes"))
                indexing += running_seconds(backend) - started
            finally:
                conn.rollback()
    return copying, indexing


def rusage_peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def report_floor(
    database_url: str, generations: dict[str, int], *, decode: float, budget: float, events: int
) -> None:
    """What no rebuild of these tables escapes, whatever its code: reading and decoding every
    event, and PostgreSQL taking in and indexing the rows (at its cheapest, in binary COPY);
    and what that leaves, at a ratio of 0.5, for the projections' own work. Per event."""
    copying, indexing = (seconds / events for seconds in ingest_floor(database_url, generations))
    floor = decode + copying + indexing
    print(f"floor CPU per event: read and decode {decode * 1e6:.1f} µs, PostgreSQL taking in the same "
          f"rows in binary {copying * 1e6:.1f} µs and indexing them {indexing * 1e6:.1f} µs: "
          f"{floor * 1e6:.1f} µs; "
          f"left at a ratio of 0.5 for all the projections' own work, every core busy throughout: "
          f"{(budget - floor) * 1e6:.1f} µs")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=None, help="for the rebuild (default: auto)")
    args = parser.parse_args()
    configure_logging("console", "warning")
    server = ensure(args.events)
    try:
        app = Casework(server.url)
        projector = Projector(app, server.url)
        library_count, library_seconds = library_read(app, args.batch)
        count, read_seconds = raw_read(app, args.batch, decode=False)
        python_before, postgres_before = os.times(), postgres_cpu_seconds(server.data_dir)
        _, decode_seconds = raw_read(app, args.batch, decode=True)
        decode_cpu = sum(os.times()[:2]) - sum(python_before[:2])
        decode_cpu += postgres_cpu_seconds(server.data_dir) - postgres_before
        before_rebuild = rusage_peak_mb(resource.RUSAGE_SELF)
        python_before, postgres_before = os.times(), postgres_cpu_seconds(server.data_dir)
        started = time.perf_counter()
        generations = projector.rebuild(all_projections(), limit=args.batch, processes=args.processes)
        rebuild_seconds = time.perf_counter() - started
        python_after, postgres_after = os.times(), postgres_cpu_seconds(server.data_dir)
        python_cpu = sum(python_after[:4]) - sum(python_before[:4])  # this process and its children
        postgres_cpu = postgres_after - postgres_before
        assert library_count == count
        library = count / library_seconds
        read = count / read_seconds
        decoded = count / decode_seconds
        rebuild = count / rebuild_seconds
        print(f"date: {dt.date.today()}  events: {count}  batch: {args.batch}")
        print(f"read the log (eventsourcing):   {library:>10,.0f} events/s ({library_seconds:.1f}s)")
        print(f"read the log (bare SELECT):     {read:>10,.0f} events/s ({read_seconds:.1f}s)")
        print(f"bare SELECT and decode:         {decoded:>10,.0f} events/s ({decode_seconds:.1f}s)")
        print(f"rebuild all four projections:   {rebuild:>10,.0f} events/s ({rebuild_seconds:.1f}s)")
        # RUSAGE_CHILDREN is the largest child that ended: the rebuild's second process, or a
        # loader if this run had to build the data set first.
        print(f"rebuild peak RSS: {rusage_peak_mb(resource.RUSAGE_SELF):.0f} MB in this process "
              f"({before_rebuild:.0f} MB before it), {rusage_peak_mb(resource.RUSAGE_CHILDREN):.0f} MB "
              "in the largest child (the second rebuild process)")  # fmt: skip
        # Where a rebuild's time goes, and what a ratio of 0.5 would leave for it: at half the
        # library's read rate, the cores of this machine have this much CPU time per event.
        cores = os.cpu_count() or 1
        budget = cores / (library / 2)
        print(f"rebuild CPU per event: Python {python_cpu / count * 1e6:.1f} µs (every process), "
              f"PostgreSQL {postgres_cpu / count * 1e6:.1f} µs; at a ratio of 0.5, {cores} cores "
              f"would have {budget * 1e6:.1f} µs per event for both")  # fmt: skip
        report_floor(server.url, generations, decode=decode_cpu / count, budget=budget, events=count)
        print(f"rebuild ratio against a bare SELECT: {rebuild / read:.3f}")
        print(f"rebuild ratio: {rebuild / library:.3f}")
        studio_id = long_studio(server)
        replayed, raw, events = replay(app, studio_id, rounds=20)
        print(f"replay a studio of {events} events: {replayed * 1000:.1f} ms; raw select {raw * 1000:.1f} ms")
        print(f"replay ratio: {raw / replayed:.3f}")
        projector.close()
        app.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
