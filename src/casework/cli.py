"""The ``casework`` command: the service, its workers, and the one-shot commands of operators."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points, version
from uuid import UUID

import structlog
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from casework.audit_commands import add_commands
from casework.clock import WENZHOU, wenzhou_time
from casework.demo import EXAMPLE_STANDARD, load_demo
from casework.domain.events import SubsidyStandardSet
from casework.domain.values import yuan
from casework.embedded import MissingExtra
from casework.logging import command_level, configure_logging
from casework.runtime import running
from casework.settings import Settings
from casework.store import Envelope
from casework.timeline import Entry, entries, record, shown_time, summary

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

REPLAY_FORMATS = ("table", "lines", "json", "csv")
# The terminal width from which replay shows the table by default: the columns that never
# wrap take about 110; from 180 the actor keeps to one line, and what changed to two or three.
WIDE_TERMINAL = 180


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


def as_of(text: str) -> dt.datetime:
    """The moment ``--as-of`` names: a date means the end of that day, and a time without an
    offset is Wenzhou's (2026-06-30, 2026-06-30T17:00, 2026-06-30T09:00Z)."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        pass
    else:
        midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), WENZHOU)
        # Recorded times are kept to the microsecond: this is the last one of the day.
        return midnight - dt.timedelta(microseconds=1)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        msg = f"not a date or a time: {text!r} (e.g. 2026-06-30 or 2026-06-30T17:00)"
        raise argparse.ArgumentTypeError(msg) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=WENZHOU)


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        msg = f"not a version (1 or more): {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return n


def shown(history: list[Envelope], *, until: dt.datetime | None, up_to: int | None) -> list[Envelope]:
    """The events of the record as it stood then: those recorded by ``until``, or up to
    version ``up_to`` (as the API's /state chooses them)."""
    if until is not None:
        return [e for e in history if wenzhou_time(e.meta.recorded_at) <= until]
    if up_to is not None:
        return [e for e in history if e.originator_version <= up_to]
    return history


def replay_format(chosen: str | None, *, terminal: bool, columns: int) -> str:
    """The format asked for; by default the table on a wide terminal, one line per event otherwise."""
    if chosen is not None:
        return chosen
    return "table" if terminal and columns >= WIDE_TERMINAL else "lines"


def event_line(entry: Entry) -> str:
    """One event on one line: when, which version, who, what, the status change, what changed."""
    env = entry.envelope
    return "  ".join(
        (
            shown_time(env.meta.recorded_at),
            f"v{env.originator_version}",
            f"effective {env.meta.effective_on.isoformat()}",
            f"{env.meta.actor} ({env.meta.role})",
            type(env.event).__name__,
            entry.status_change,
            summary(env.event),
        )
    )


def timeline_table(studio_id: UUID, rows: list[Entry], total: int, scope: str) -> Table:
    """The timeline as a rich table; the short columns never wrap, so a date stays one date."""
    table = Table(title=f"studio {studio_id}: {len(rows)} of {total} events{scope}")
    for column, fold in (
        ("v", False),
        ("recorded (Wenzhou)", False),
        ("effective", False),
        ("actor (role)", True),
        ("event", False),
        ("status", False),
        ("what changed", True),
    ):
        table.add_column(column, no_wrap=not fold, overflow="fold")
    for entry in rows:
        env = entry.envelope
        # Text, not str: an opinion with [brackets] in it must not be read as rich markup.
        table.add_row(
            *(
                Text(cell)
                for cell in (
                    str(env.originator_version),
                    shown_time(env.meta.recorded_at),
                    env.meta.effective_on.isoformat(),
                    f"{env.meta.actor} ({env.meta.role})",
                    type(env.event).__name__,
                    entry.status_change,
                    summary(env.event),
                )
            )
        )
    return table


def _replay(settings: Settings, args: argparse.Namespace) -> int:
    with running(settings) as runtime:
        history = runtime.app.history(args.studio_id)
    if not history:
        print(f"no studio {args.studio_id}", file=sys.stderr)
        return 1
    if isinstance(history[0].event, SubsidyStandardSet):
        # The one stream of the log that is no studio's: its events have no status to follow.
        said = f"{args.studio_id} is the stream of the subsidy standards, not a studio: GET /api/v1/policy"
        print(said, file=sys.stderr)
        return 1
    chosen = shown(history, until=args.as_of, up_to=args.version)
    if not chosen:
        first = shown_time(history[0].meta.recorded_at)
        said = f"studio {args.studio_id} did not exist then: its first event was recorded {first}"
        print(said, file=sys.stderr)
        return 1
    rows = list(entries(chosen))
    fmt = replay_format(args.format, terminal=sys.stdout.isatty(), columns=shutil.get_terminal_size().columns)
    if fmt == "lines":
        for entry in rows:
            print(event_line(entry))
    elif fmt == "json":
        document = {
            "studio_id": str(args.studio_id),
            "as_of": args.as_of.isoformat() if args.as_of else None,
            "version": chosen[-1].originator_version,
            "latest_version": history[-1].originator_version,
            "items": [record(entry) for entry in rows],
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        records = [record(entry) for entry in rows]
        # A BOM, as the API's CSV has, so that Excel reads the Chinese text as UTF-8.
        sys.stdout.write("\ufeff")
        writer = csv.DictWriter(sys.stdout, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    else:
        scope = (
            f", as recorded by {shown_time(args.as_of)}"
            if args.as_of
            else f", up to version {args.version}"
            if args.version
            else ""
        )
        table = timeline_table(args.studio_id, rows, len(history), scope)
        console = Console()
        if not console.is_terminal:
            # Into a file the table keeps its natural width: every event on one row.
            console = Console(width=Console(width=100_000).measure(table).maximum)
        console.print(table)
        last = chosen[-1]
        console.print(Text(f"version {last.originator_version}; correlation {last.meta.correlation_id}"))
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
    replay = sub.add_parser(
        "replay",
        help="print a studio's history as a timeline",
        description=f"""\
Print a studio's history: when each event was recorded (Wenzhou time, +08:00), its
version, the date it took effect, who did it, the status change and what changed.
By default a table on a terminal {WIDE_TERMINAL} columns wide or more, and one line
per event otherwise (a narrower terminal, a pipe, a file); json and csv for programs.""",
    )
    replay.add_argument("studio_id", type=UUID, metavar="ID", help="the studio's id")
    when = replay.add_mutually_exclusive_group()
    when.add_argument(
        "--as-of",
        type=as_of,
        default=None,
        metavar="WHEN",
        help="the record as it stood then: the events recorded by that date (to its end) or time "
        "(Wenzhou time unless it has an offset)",
    )
    when.add_argument(
        "--version", type=_positive, default=None, metavar="N", help="the events up to version N"
    )
    replay.add_argument("--format", choices=REPLAY_FORMATS, default=None, help="table, lines, json or csv")
    replay.set_defaults(run=_replay)
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
