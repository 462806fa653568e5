"""The projections' subcommands of ``casework``: project, rebuild."""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import psycopg
import structlog
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn
from rich.table import Table
from rich.text import Text

from casework.cli import until_signalled
from casework.domain.errors import InvalidRequest
from casework.runtime import running
from casework.settings import Settings
from casework.signing import signer_from
from projections import reconciliation
from projections.ledger import Ledger
from projections.models import all_projections
from projections.runner import ProjectionRunner, Projector

log = structlog.get_logger("casework.projections")


def _project(settings: Settings, args: argparse.Namespace) -> int:
    stop = until_signalled()
    # The worker signs checkpoints of the hash chain as it goes (casework.integrity).
    signer = signer_from(settings.signing_key, settings.data_dir)
    with (
        running(settings) as runtime,
        ProjectionRunner(
            runtime.app,
            runtime.database_url,
            signer=signer,
            batch_size=settings.projection_batch,
            idempotency_ttl_hours=settings.idempotency_ttl_hours,
        ) as runner,
    ):
        log.info("projection_worker_started", projections=[p.name for p in runner.projections])
        while not stop.wait(args.report_every):
            for status in runner.status():
                log.info(
                    "projection_status",
                    projection=status.name,
                    position=status.position,
                    lag=status.lag,
                    active_runner=status.active_runner,
                )
    log.info("projection_worker_stopped")
    return 0


class EventsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} events/s" if speed else "– events/s")


def _rebuild(settings: Settings, args: argparse.Namespace) -> int:
    chosen = [p for p in all_projections() if args.name in (None, p.name)]
    if not chosen:
        names = ", ".join(p.name for p in all_projections())
        Console(stderr=True).print(f"no projection {args.name}; there are {names}")
        return 2
    console = Console()
    with running(settings) as runtime:
        projector = Projector(runtime.app, runtime.database_url)
        try:
            table = Table(title="rebuilt")
            for column in ("projection", "generation", "events", "seconds", "events/s"):
                table.add_column(column)
            with Progress(
                TextColumn(f"rebuilding {', '.join(p.name for p in chosen)}"),
                BarColumn(),
                MofNCompleteColumn(),
                EventsPerSecond(),
                console=console,
            ) as progress:
                task = progress.add_task("rebuild", total=projector.head())

                def advance(applied: int, head: int) -> None:
                    progress.update(task, completed=applied, total=max(head, applied))

                started = time.perf_counter()
                generations = projector.rebuild(
                    chosen, limit=args.batch, progress=advance, processes=args.processes
                )
                seconds = time.perf_counter() - started
            for projection in chosen:
                events = projector.position(projection)
                table.add_row(projection.name, str(generations[projection.name]), str(events),
                              f"{seconds:.1f}", f"{events / seconds:,.0f}" if seconds else "–")  # fmt: skip
            console.print(table)
        finally:
            projector.close()
    return 0


def _reconcile(settings: Settings, args: argparse.Namespace) -> int:
    try:
        data = Path(args.file).read_bytes()
    except OSError as error:
        Console(stderr=True).print(f"cannot read {args.file}: {error}")
        return 2
    with running(settings) as runtime, psycopg.connect(runtime.database_url) as conn:
        # A store whose projections never ran has no ledger yet: an empty one reconciles as such.
        projector = Projector(runtime.app, runtime.database_url)
        try:
            projector.ensure(Ledger())
        finally:
            projector.close()
        try:
            report = reconciliation.store_reconciliation(
                conn, data, filename=Path(args.file).name, created_by="cli",
                now=runtime.app.clock(), as_of=args.as_of,
            )  # fmt: skip
        except InvalidRequest as refused:
            Console(stderr=True).print(f"refused: {refused.detail}")
            return 1
    table = Table(title=f"reconciliation {report['id']} (as of {report['as_of'] or 'now'})")
    for column in ("category", "rows", "statement", "ledger"):
        table.add_column(column)
    for category in reconciliation.CATEGORIES:
        totals = report["summary"]["totals"][category]
        table.add_row(category, str(report["summary"][category]), totals["statement"], totals["ledger"])
    Console().print(table)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add project and rebuild to the ``casework`` command."""
    project = sub.add_parser("project", help="run the projections alone (a worker)")
    project.add_argument("--report-every", type=float, default=30.0, help="seconds between status lines")
    project.set_defaults(run=_project)
    rebuild = sub.add_parser("rebuild", help="rebuild projections into fresh tables, then switch")
    rebuild.add_argument(
        "name", nargs="?", default=None, help="register, audit, ledger or chain (default: all)"
    )
    rebuild.add_argument("--batch", type=int, default=2000, help="events read at a time")
    rebuild.add_argument(
        "--processes",
        type=int,
        default=None,
        help="share the projections among this many processes (default: two for a long log)",
    )
    rebuild.set_defaults(run=_rebuild)
    reconcile = sub.add_parser(
        "reconcile", help="reconcile a treasury statement (CSV or XLSX) against the ledger"
    )
    reconcile.add_argument("file")
    reconcile.add_argument(
        "--as-of", type=dt.date.fromisoformat, default=None, help="compare the ledger as of"
    )
    reconcile.set_defaults(run=_reconcile)
