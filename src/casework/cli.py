"""The ``casework`` command: the service, its workers, and the one-shot commands of operators."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points, version

import structlog
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from casework.audit_commands import add_commands
from casework.demo import EXAMPLE_STANDARD, load_demo
from casework.domain.values import yuan
from casework.embedded import MissingExtra
from casework.logging import command_level, configure_logging
from casework.replay_command import add_replay
from casework.runtime import running
from casework.settings import Settings

log = structlog.get_logger("casework.cli")

DESCRIPTION = """\
casework: the system of record for Wenzhou's skill master studios (温州市技能大师工作室).

Every command works on the data folder of the directory it runs in (./.casework, or
CASEWORK_DATA_DIR), or on the PostgreSQL of CASEWORK_DATABASE_URL. Without one, it starts
the embedded PostgreSQL in the data folder for its run (or uses the one `casework serve`
has up). One-shot commands log only warnings unless --verbose; serve and project log at
CASEWORK_LOG_LEVEL. Times are shown in Wenzhou time (Asia/Shanghai, +08:00)."""

# Every variable Settings.from_env reads, with what it means; the commands' help lists its own.
SETTINGS = {
    "CASEWORK_DATABASE_URL": "PostgreSQL, as a libpq URL (default: embedded)",
    "CASEWORK_DATA_DIR": "embedded database and generated keys (./.casework)",
    "CASEWORK_ID_KEY": "key protecting ID numbers (default: DATA_DIR/id.key)",
    "CASEWORK_JWT_SECRET": "signs API tokens, 32 bytes or more (default: DATA_DIR/jwt.secret)",
    "CASEWORK_JWT_ISSUER": "when set, tokens carry this issuer and must",
    "CASEWORK_JWT_AUDIENCE": "when set, tokens carry this audience and must",
    "CASEWORK_SIGNING_KEY": "signs tree heads, in the projection worker (default: DATA_DIR/signing.key)",
    "CASEWORK_PUBLIC_KEY": "checks and names signed heads in the API, which then needs no private key",
    "CASEWORK_PROJECTION_BATCH": "events per projection transaction (default 500)",
    "CASEWORK_HOST": "the address serve listens on (default 127.0.0.1)",
    "CASEWORK_PORT": "the port serve listens on (default 8000)",
    "CASEWORK_WORKERS": "API processes of serve (default 1; one per core)",
    "CASEWORK_DB_TIMEOUT": "seconds to wait for a database connection, then 503 (default 5)",
    "CASEWORK_IDEMPOTENCY_TTL_HOURS": "how long an Idempotency-Key is kept (default 24)",
    "CASEWORK_LOG_FORMAT": "console (default) or json",
    "CASEWORK_LOG_LEVEL": "debug, info (default), warning or error",
}
_DATABASE = ("CASEWORK_DATABASE_URL", "CASEWORK_DATA_DIR", "CASEWORK_ID_KEY", "CASEWORK_DB_TIMEOUT")
_LOGS = ("CASEWORK_LOG_LEVEL", "CASEWORK_LOG_FORMAT")
_ALL = tuple(name for name in SETTINGS if name not in _LOGS)

# The settings and examples of each command's help, the outer packages' commands included:
# their parsers are made by entry points, so the core fills in only what they leave empty.
COMMANDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "serve": (
        _ALL,
        ("casework serve --console-link", "CASEWORK_PORT=8080 casework serve --workers 2 --no-projections"),
    ),
    "project": (
        (*_DATABASE, "CASEWORK_SIGNING_KEY", "CASEWORK_PROJECTION_BATCH"),
        ("casework project", "casework project --report-every 60"),
    ),
    "rebuild": (_DATABASE, ("casework rebuild", "casework rebuild ledger --processes 1")),
    "reconcile": (
        _DATABASE,
        ("casework reconcile statement.csv", "casework reconcile statement.xlsx --as-of 2026-06-30"),
    ),
    "prepare": (_DATABASE, ("CASEWORK_DATABASE_URL=postgresql://casework@db/casework casework prepare",)),
    "token": (
        (
            "CASEWORK_JWT_SECRET",
            "CASEWORK_JWT_ISSUER",
            "CASEWORK_JWT_AUDIENCE",
            "CASEWORK_DATA_DIR",
            "CASEWORK_HOST",
            "CASEWORK_PORT",
        ),
        (
            "casework token --role city_office --subject officer.zhou",
            "casework token --role county_reviewer --county 鹿城区 --subject reviewer.chen --link",
        ),
    ),
    "openapi": ((), ("casework openapi --output api/openapi.json",)),
    "demo": (_DATABASE, ("casework demo", "casework demo --studios 30 --seed 7")),
    "replay": (
        _DATABASE,
        (
            "casework replay ID | less -S",
            "casework replay ID --as-of 2025-12-31 --format csv > history.csv",
        ),
    ),
    "pubkey": (("CASEWORK_SIGNING_KEY", "CASEWORK_DATA_DIR"), ("casework pubkey",)),
    "checkpoint": ((*_DATABASE, "CASEWORK_SIGNING_KEY"), ("casework checkpoint",)),
    "verify": (
        (*_DATABASE, "CASEWORK_PUBLIC_KEY", "CASEWORK_SIGNING_KEY"),
        ("casework verify", "casework verify --public-key 'the key the bureau gave you'"),
    ),
    "verify-bundle": (
        (),
        (
            "casework verify-bundle bundle.json --public-key 'the key the bureau gave you'",
            "casework verify-bundle new.json --earlier old.json --public-key 'the key the bureau gave you'",
        ),
    ),
}
# The commands whose log is their output; every other one is a one-shot command, quiet by default.
LONG_RUNNING = frozenset({"serve", "project"})

VERBOSE = "log info lines too (a one-shot command logs only warnings by default)"


def until_signalled() -> threading.Event:
    """An event set by SIGINT or SIGTERM: the way every long-running command ends cleanly."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    with (
        running(settings) as runtime,
        Progress(
            TextColumn("loading studios"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            # Redrawn into a file or a CI log, a bar is only noise (rich would print its last state).
            disable=not sys.stderr.isatty(),
        ) as progress,
    ):
        task = progress.add_task("demo", total=args.studios)
        loaded = load_demo(
            app=runtime.app,
            vault=runtime.vault,
            today=runtime.app.today(),
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
    if loaded.recorded_example:
        rates = ", ".join(f"{grade} {yuan(fen)}" for grade, fen in EXAMPLE_STANDARD.rates_fen.items())
        Console().print(
            f"The apprenticeship subsidy standard recorded for this demo ({rates} yuan per certificate, "
            f"from {EXAMPLE_STANDARD.in_force_from}) is an EXAMPLE, not the bureau's figures: the city "
            "office records the real one with POST /api/v1/policy/subsidy-standards."
        )
    return 0


def epilog(names: Sequence[str], examples: Sequence[str], closing: str) -> str:
    """The end of a command's help: the settings it reads, examples, and a closing line."""
    read = [*names, *_LOGS]
    width = max(len(name) for name in read)
    lines = ["settings (environment):"]
    lines += [f"  {name.ljust(width)}  {SETTINGS[name]}" for name in read]
    if examples:
        lines += ["", "examples:", *(f"  {example}" for example in examples)]
    return "\n".join([*lines, "", closing])


def parser() -> argparse.ArgumentParser:
    """The ``casework`` command line, with the outer packages' commands (entry points)."""
    root = argparse.ArgumentParser(
        prog="casework",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=epilog(
            _ALL,
            (
                "casework demo --studios 30            # a small data set, quietly",
                "casework replay ID --format lines     # a studio's life, one line per event",
                "casework serve                        # the API on 127.0.0.1:8000",
            ),
            "casework COMMAND --help: what that command reads and does",
        ),
    )
    root.add_argument("--version", action="version", version=f"casework {version('casework')}")
    root.add_argument("-v", "--verbose", action="store_true", help=VERBOSE)
    sub = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = sub.add_parser(
        "demo",
        help="load a realistic data set through the application",
        description="""\
Load studios in every stage of their life through the application, as officers
would enter them; ends with a table of the statuses and a studio to replay for each.""",
    )
    demo.add_argument("--studios", type=int, default=240, help="how many (default 240)")
    demo.add_argument("--seed", type=int, default=None, help="the same seed loads the same data set")
    demo.set_defaults(run=_demo)
    add_replay(sub)
    add_commands(sub)
    for entry in entry_points(group="casework.commands"):
        register: Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None] = entry.load()
        register(sub)
    for name, command in sub.choices.items():
        _complete(name, command)
    return root


def _complete(name: str, command: argparse.ArgumentParser) -> None:
    """Give a command --verbose, and its settings and examples where its help has none."""
    # SUPPRESS: without the option here, the value from before the command name stands.
    command.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=VERBOSE)
    if command.epilog is None:
        names, examples = COMMANDS.get(name, ((), ()))
        logs = "logs at CASEWORK_LOG_LEVEL" if name in LONG_RUNNING else "logs warnings only"
        command.epilog = epilog(names, examples, f"{logs}; --verbose: info too")
        command.formatter_class = argparse.RawDescriptionHelpFormatter


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``casework`` console command."""
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as error:
        print(f"casework: {error}", file=sys.stderr)
        return 2
    level = command_level(settings.log_level, one_shot=args.command not in LONG_RUNNING, verbose=args.verbose)
    configure_logging(settings.log_format, level)
    try:
        code: int = args.run(settings, args)
        # Flushed here, not at exit, so that a reader gone away is met below.
        sys.stdout.flush()
    except MissingExtra as error:
        print(f"casework {args.command}: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `casework replay ID | head`: the reader has what it wanted. Silence the rest of the
        # output, as Python's documentation advises, and end as a command SIGPIPE ended would.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    return code


if __name__ == "__main__":
    sys.exit(main())
