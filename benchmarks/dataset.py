"""The benchmarks' data set: studios loaded through the application, cached between runs.

The data lives in an embedded PostgreSQL under benchmarks/.data/<size>/ and is only
built when it holds fewer events than asked for. Two loader processes share the work
(the machine has two cores); each loads whole studios through ``Casework.execute``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import time
import uuid
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from casework.application import Casework
from casework.demo import BY_NAME, Demo, example_standards, load_demo, walk
from casework.demo.life import apprentices
from casework.embedded import EmbeddedPostgres
from casework.logging import configure_logging
from casework.vault import Vault
from projections.models import all_projections
from projections.runner import Projector

HERE = Path(__file__).parent
TODAY = dt.date(2026, 11, 26)
# 20,000 studios for 1,000,000 events: awarded studios enrol 10 to 30 apprentices each,
# which makes the demo's mix of fates average about 50 events a studio.
APPRENTICES = (10, 30)
EVENTS_PER_STUDIO = 50
LONG_STUDIO_EVENTS = 1000
# A benchmark data set needs no durability, and the pool's liveness probe is a round trip
# per command: both are switched off for the loaders (not for the service).
LOADER_ENV = {"POSTGRES_PRE_PING": "n"}


def data_dir(events: int) -> Path:
    return HERE / ".data" / f"{events}"


def _load(url: str, vault_dir: str, studios: int, seed: int, counter: object) -> None:
    configure_logging("console", "warning")
    os.environ["PGOPTIONS"] = "-c synchronous_commit=off"
    app = Casework(url, env=LOADER_ENV)
    vault = Vault.from_setting(None, Path(vault_dir))

    def advance(_: object) -> None:
        with counter.get_lock():  # type: ignore[attr-defined]
            counter.value += 1  # type: ignore[attr-defined]

    try:
        load_demo(
            app=app,
            vault=vault,
            today=TODAY,
            studios=studios,
            seed=seed,
            advance=advance,
            apprentices_per_studio=APPRENTICES,
        )
    finally:
        app.close()


def long_studio(server: EmbeddedPostgres) -> uuid.UUID:
    """A studio with at least LONG_STUDIO_EVENTS events (the replay benchmark's subject)."""
    marker = server.data_dir / "long-studio"
    if marker.exists():
        return uuid.UUID(marker.read_text().strip())
    app = Casework(server.url, env=LOADER_ENV)
    vault = Vault.from_setting(None, server.data_dir)
    demo = Demo(app=app, vault=vault, today=TODAY, rng=random.Random(7), apprentices_per_studio=(60, 60))
    demo.standards, _ = example_standards(app)
    # Awarded five years ago or more; then apprentices until the history is long enough.
    long = walk(demo, "鹿城区", BY_NAME["recommended to the province"])
    while long.studio.version < LONG_STUDIO_EVENTS:
        assert long.studio.award is not None
        apprentices(long, long.studio.award.published_on)
    state = long.studio
    app.close()
    marker.write_text(str(state.id))
    print(f"long studio: {state.id} ({state.version} events)")
    return state.id


def projected(database_url: str) -> int:
    """Bring every projection up to date (the benchmarks serve without running them); the log's head."""
    app = Casework(database_url)
    projector = Projector(app, database_url)
    try:
        for projection in all_projections():
            projector.ensure(projection)
            projector.catch_up(projection, limit=5000)
        return projector.head()
    finally:
        projector.close()
        app.close()


def ensure(events: int, workers: int = 2) -> EmbeddedPostgres:
    """A running server whose store holds at least ``events`` events."""
    server = EmbeddedPostgres(data_dir(events))
    long_studio(server)
    have = events_in(server)
    # "About" that many: a top-up loads whole studios, whose sizes vary.
    if have < events * 0.98:
        load_studios(server, (events - have) // EVENTS_PER_STUDIO + 1, workers)
    return server


def events_in(server: EmbeddedPostgres) -> int:
    app = Casework(server.url)
    have = app.recorder.max_notification_id() or 0
    app.close()
    return have


def load_studios(server: EmbeddedPostgres, studios: int, workers: int = 2) -> None:
    """Load about ``studios`` more studios through the application, ``workers`` processes."""
    have = events_in(server)
    share = studios // workers + 1
    counter = multiprocessing.Value("i", 0)
    started = time.perf_counter()
    processes = [
        multiprocessing.Process(
            target=_load, args=(server.url, str(server.data_dir), share, 1000 + have + i, counter)
        )
        for i in range(workers)
    ]
    with Progress(
        TextColumn("loading studios through the application"), BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(),
    ) as progress:  # fmt: skip
        task = progress.add_task("load", total=share * workers)
        for p in processes:
            p.start()
        while any(p.is_alive() for p in processes):
            progress.update(task, completed=counter.value)
            time.sleep(0.5)
        progress.update(task, completed=counter.value)
    for p in processes:
        if p.exitcode != 0:
            msg = f"a loader failed with exit code {p.exitcode}"
            raise RuntimeError(msg)
    total = events_in(server)
    print(f"data set: {total} events ({total - have} new in {time.perf_counter() - started:.0f}s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    configure_logging("console", "warning")
    ensure(args.events).stop()
