"""Rebuilding all projections against merely reading the notification log (same process, same run).

Prints both rates and their ratio, as ``rebuild ratio: <number>``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from benchmarks.dataset import ensure
from casework.application import Casework
from casework.logging import configure_logging
from projections.runner import Projector, all_projections


def read_rate(projector: Projector, batch: int, decode: bool) -> tuple[int, float]:
    """Events per second of reading the whole log in batches (optionally decoding them)."""
    count, position = 0, 0
    started = time.perf_counter()
    with projector.datastore.get_connection() as conn:
        while True:
            if decode:
                items = projector.read(conn, position, batch)
                if not items:
                    break
                position = items[-1].position
                count += len(items)
            else:
                rows = conn.execute(projector._select, (position, batch), prepare=True).fetchall()
                if not rows:
                    break
                position = rows[-1]["notification_id"]
                count += len(rows)
    return count, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=2000)
    args = parser.parse_args()
    configure_logging("console", "warning")
    server = ensure(args.events)
    try:
        app = Casework(server.url)
        projector = Projector(app, server.url)
        count, read_seconds = read_rate(projector, args.batch, decode=False)
        _, decode_seconds = read_rate(projector, args.batch, decode=True)
        started = time.perf_counter()
        projector.rebuild(all_projections(), limit=args.batch)
        rebuild_seconds = time.perf_counter() - started
        read = count / read_seconds
        decoded = count / decode_seconds
        rebuild = count / rebuild_seconds
        print(f"date: {dt.date.today()}  events: {count}  batch: {args.batch}")
        print(f"read the notification log:        {read:>10,.0f} events/s ({read_seconds:.1f}s)")
        print(f"read and decode it:               {decoded:>10,.0f} events/s ({decode_seconds:.1f}s)")
        print(f"rebuild register, audit, ledger:  {rebuild:>10,.0f} events/s ({rebuild_seconds:.1f}s)")
        print(f"rebuild ratio: {rebuild / read:.3f}")
        projector.close()
        app.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
