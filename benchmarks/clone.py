"""A quicker way to a large data set: a few hundred studios loaded through the application,
then their stored events copied under new studio ids by SQL until the log is long enough.

Loading 1,000,000 events one command at a time took 74 minutes on 2026-11-26; here the
application loads ``--seed-studios`` studios (every event still decided by the domain and
recorded by the recorder), and each further round inserts a copy of every seed studio's
events, byte for byte, under a fresh studio id, in the seed's own order of the log. The
copies' cross-studio claims (masters, vouchers) are not copied: a command on a copy can
therefore be refused where the seed's would not be, which no read benchmark notices.
The projections are then built from the whole log by the Projector, as ``casework rebuild``
does. The data folder records how it was made (``how.txt``).
"""

from __future__ import annotations

import argparse
import time

import psycopg
from psycopg.sql import SQL, Identifier

from benchmarks.dataset import EVENTS_PER_STUDIO, data_dir, events_in, load_studios, long_studio
from casework.application import STANDARDS_STREAM, Casework
from casework.embedded import EmbeddedPostgres
from casework.logging import configure_logging

# One round is one INSERT ... SELECT of the seed's events (about 20,000 rows for 400 studios).
_CLONE = SQL(
    "INSERT INTO {events} (originator_id, originator_version, topic, state) "
    "SELECT m.new_id, e.originator_version, e.topic, e.state "
    "FROM {events} e JOIN clone_map m ON m.old_id = e.originator_id "
    "WHERE e.notification_id <= %(seed_head)s ORDER BY e.notification_id"
)


def seed_studios(conn: psycopg.Connection[tuple[object, ...]], events: Identifier, seed_head: int) -> int:
    """Copy, under new ids, every studio of the seed but the standards' stream and the long
    studio (one long studio is what the replay benchmark needs)."""
    conn.execute(
        SQL(
            "CREATE TEMP TABLE clone_seed AS SELECT DISTINCT originator_id AS old_id FROM {events} "
            "WHERE notification_id <= %s AND originator_id <> %s AND originator_version = 1 "
            "AND originator_id NOT IN (SELECT originator_id FROM {events} WHERE originator_version > 900)"
        ).format(events=events),
        (seed_head, STANDARDS_STREAM),
    )
    row = conn.execute("SELECT count(*) FROM clone_seed").fetchone()
    return int(row[0]) if row else 0


def clone_until(server: EmbeddedPostgres, events: int) -> int:
    """Append copies of the seed until the log holds at least ``events`` events."""
    app = Casework(server.url)
    table = Identifier(app.store.events_table_name)
    app.close()
    seed_head = events_in(server)
    started = time.perf_counter()
    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        studios = seed_studios(conn, table, seed_head)
        have = seed_head
        rounds = 0
        while have < events:
            with conn.transaction():
                conn.execute("DROP TABLE IF EXISTS clone_map")
                conn.execute(
                    "CREATE TEMP TABLE clone_map AS SELECT old_id, gen_random_uuid() AS new_id "
                    "FROM clone_seed"
                )
                conn.execute(_CLONE.format(events=table), {"seed_head": seed_head})
            row = conn.execute(
                SQL("SELECT max(notification_id) FROM {events}").format(events=table)
            ).fetchone()
            have = int(row[0]) if row and row[0] is not None else 0
            rounds += 1
        conn.execute(SQL("ANALYZE {events}").format(events=table))
    print(f"cloned {studios} studios {rounds} times: {have} events in {time.perf_counter() - started:.0f}s")
    return rounds


def ensure_cloned(events: int, seed: int) -> EmbeddedPostgres:
    """A running server whose store holds at least ``events`` events, made by cloning."""
    folder = data_dir(events)
    server = EmbeddedPostgres(folder)
    long_studio(server)
    have = events_in(server)
    if have >= events * 0.98:
        return server
    started = time.perf_counter()
    if have < seed * EVENTS_PER_STUDIO * 0.9:
        load_studios(server, seed - have // EVENTS_PER_STUDIO)
    loaded = events_in(server)
    loading = time.perf_counter() - started
    rounds = clone_until(server, events)
    (folder / "how.txt").write_text(
        f"{loaded} events loaded through the application in {loading:.0f}s "
        f"(studios of benchmarks.dataset, one long studio included); then {rounds} copies of "
        f"its studios (the long studio and the standards excepted) under new ids by SQL "
        f"(benchmarks.clone); {events_in(server)} events in all, "
        f"{time.perf_counter() - started:.0f}s\n"
    )
    return server


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument(
        "--seed-studios", type=int, default=400, help="studios loaded through the application"
    )
    args = parser.parse_args()
    configure_logging("console", "warning")
    ensure_cloned(args.events, args.seed_studios).stop()
