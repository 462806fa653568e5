"""The ``casework`` command."""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from uuid import UUID

import msgspec
import structlog
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from casework.checkpoints import checkpoint_now, verify
from casework.demo import load_demo
from casework.integrity import Bundle, Verdict, verify_bundle
from casework.logging import configure_logging
from casework.runtime import running
from casework.settings import Settings
from casework.signing import signer_from
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


def _pubkey(settings: Settings, args: argparse.Namespace) -> int:
    print(signer_from(settings.signing_key, settings.data_dir).public_key)
    return 0


def _checkpoint(settings: Settings, args: argparse.Namespace) -> int:
    signer = signer_from(settings.signing_key, settings.data_dir)
    with running(settings) as runtime:
        made = checkpoint_now(runtime.app, runtime.database_url, signer, runtime.app.clock())
    if made is None:
        print("the log is empty: nothing to sign")
        return 0
    print(f"signed checkpoint: position {made.position}, {made.count} events, head {made.head}")
    return 0


def _verify(settings: Settings, args: argparse.Namespace) -> int:
    key = args.public_key or signer_from(settings.signing_key, settings.data_dir).public_key
    with running(settings) as runtime:
        verdict = verify(runtime.app, runtime.database_url, key)
    return _report(verdict)


def _verify_bundle(settings: Settings, args: argparse.Namespace) -> int:
    try:
        bundle = msgspec.json.decode(Path(args.file).read_bytes(), type=Bundle)
    except (OSError, msgspec.DecodeError) as error:
        print(f"not a casework bundle: {error}")
        return 2
    verdict = verify_bundle(bundle, args.public_key)
    key = args.public_key or bundle.checkpoint.public_key
    signed = bundle.checkpoint.signed_at.isoformat()
    print(f"studio {bundle.studio_id}; checkpoint at position {bundle.checkpoint.position}, signed {signed}")
    print(
        f"public key: {key}"
        + ("" if args.public_key else " (the bundle's own: compare it with `casework pubkey`)")
    )
    return _report(verdict)


def _report(verdict: Verdict) -> int:
    if verdict.ok:
        print(f"OK: {verdict.events} events, {verdict.checkpoints} signed checkpoint(s), nothing altered")
        return 0
    print(f"ALTERED: {verdict.problem}")
    if verdict.studio_id is not None:
        print(f"first altered studio: {verdict.studio_id}, position {verdict.position}")
    return 1


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
    pubkey = sub.add_parser("pubkey", help="print the public key that checks signed checkpoints")
    pubkey.set_defaults(run=_pubkey)
    checkpoint = sub.add_parser("checkpoint", help="sign the head of the event log now")
    checkpoint.set_defaults(run=_checkpoint)
    check = sub.add_parser("verify", help="recompute the hash chains and check every signed checkpoint")
    check.add_argument("--public-key", default=None, help="trust this key instead of the data folder's")
    check.set_defaults(run=_verify)
    offline = sub.add_parser("verify-bundle", help="check an exported studio history, with no database")
    offline.add_argument("file")
    offline.add_argument("--public-key", default=None, help="the key you trust (default: the bundle's own)")
    offline.set_defaults(run=_verify_bundle)
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
