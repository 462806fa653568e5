"""The ``casework`` command."""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from uuid import UUID

import structlog
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from casework.demo import load_demo
from casework.logging import configure_logging
from casework.runtime import running
from casework.settings import Settings
from casework.timeline import entries, summary

log = structlog.get_logger("casework.cli")


def until_signalled() -> threading.Event:
    """An event set by SIGINT or SIGTERM: the way every long-running command ends cleanly."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    console = Console(stderr=True)
    with (
        running(settings) as runtime,
        Progress(
            TextColumn("loading studios"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
        ) as progress,
    ):
        task = progress.add_task("demo", total=args.studios)
        loaded = load_demo(
            app=runtime.app,
            vault=runtime.vault,
            today=runtime.app.clock().date(),
            studios=args.studios,
            seed=args.seed,
            advance=lambda _: progress.advance(task),
        )
        events = runtime.app.recorder.max_notification_id() or 0
    table = Table(title=f"{args.studios} studios loaded; the store now holds {events} events")
    table.add_column("status")
    table.add_column("studios", justify="right")
    table.add_column("e.g. (casework replay ID)")
    for status, n in sorted(loaded.counts.items()):
        table.add_row(status, str(n), str(loaded.examples[status]))
    Console().print(table)
    return 0


def _replay(settings: Settings, args: argparse.Namespace) -> int:
    console = Console()
    with running(settings) as runtime:
        history = runtime.app.history(args.studio_id)
    if not history:
        console.print(f"no studio {args.studio_id}")
        return 1
    last = history[-1]
    table = Table(title=f"studio {args.studio_id}: {len(history)} events", show_lines=False)
    for column in (
        "v",
        "recorded at (UTC)",
        "effective",
        "actor (role)",
        "event",
        "status",
        "what changed",
    ):
        table.add_column(column, overflow="fold")
    for entry in entries(history):
        env = entry.envelope
        table.add_row(
            str(env.originator_version),
            env.meta.recorded_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            env.meta.effective_on.isoformat(),
            f"{env.meta.actor} ({env.meta.role})",
            type(env.event).__name__,
            entry.status_change,
            summary(env.event),
        )
    console.print(table)
    console.print(f"now {last.originator_version} events; correlation {last.meta.correlation_id}")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="casework", description=__doc__)
    sub = root.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="load a realistic data set through the application")
    demo.add_argument("--studios", type=int, default=240)
    demo.add_argument("--seed", type=int, default=None)
    demo.set_defaults(run=_demo)
    replay = sub.add_parser("replay", help="print a studio's history as a timeline")
    replay.add_argument("studio_id", type=UUID)
    replay.set_defaults(run=_replay)
    for entry in entry_points(group="casework.commands"):
        register: Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None] = entry.load()
        register(sub)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``casework`` console command."""
    args = parser().parse_args(argv)
    settings = Settings.from_env()
    configure_logging(settings.log_format, settings.log_level)
    code: int = args.run(settings, args)
    return code


if __name__ == "__main__":
    sys.exit(main())
