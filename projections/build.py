"""Filling a rebuild's fresh generations from the log, the projections shared among processes.

Each process makes one pass over the log for its share of the projections, through their
builders (``Projection.builder``); the caller records the positions once every row is in.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor

import psycopg
from psycopg.rows import dict_row

from casework.logging import configure_logging
from projections import catalog
from projections.base import Decoder, Projection
from projections.bulk import Streams, read_log
from projections.models import all_projections

Targets = Sequence[tuple[Projection, int]]  # (projection, fresh generation)
Progress = Callable[[int, int], None]  # (events applied, events in all)

# Below this many events a second process costs more to start than it saves.
PARALLEL_FROM = 50_000


def processes_for(events: int) -> int:
    """How many processes a rebuild of ``events`` takes by default: two for a long log on a
    machine with two cores or more, otherwise one."""
    return 2 if events >= PARALLEL_FROM and (os.cpu_count() or 1) > 1 else 1


def share(targets: Targets, processes: int) -> list[list[tuple[Projection, int]]]:
    """The targets in at most ``processes`` groups of about equal rebuild cost (costliest
    first, each to the lightest group so far)."""
    groups: list[list[tuple[Projection, int]]] = [[] for _ in range(processes)]
    loads = [0.0] * processes
    for target in sorted(targets, key=lambda t: (-t[0].rebuild_cost, t[0].name)):
        lightest = loads.index(min(loads))
        groups[lightest].append(target)
        loads[lightest] += target[0].rebuild_cost
    return [group for group in groups if group]


def build_shared(
    database_url: str,
    events_table: str,
    targets: Targets,
    limit: int,
    until: int,
    processes: int,
    progress: Progress,
) -> int:
    """Fill fresh generations with the events up to ``until``, sharing the projections
    among processes; this one builds the first share and reports the progress."""
    groups = share(targets, processes)
    if len(groups) == 1:
        return build(database_url, events_table, groups[0], limit, until, progress)
    spawn = multiprocessing.get_context("spawn")  # no fork of a process with threads
    with ProcessPoolExecutor(len(groups) - 1, mp_context=spawn) as pool:
        others = [
            pool.submit(
                build_by_name, database_url, events_table, [(p.name, g) for p, g in group], limit, until
            )
            for group in groups[1:]
        ]
        applied = build(database_url, events_table, groups[0], limit, until, progress)
        for other in others:
            other.result()
    return applied


def build(
    database_url: str,
    events_table: str,
    targets: Targets,
    limit: int,
    until: int,
    progress: Progress = lambda applied, head: None,
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
