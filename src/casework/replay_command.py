"""``casework replay``: a studio's history as a timeline, on a terminal or for programs."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import shutil
import sys
from uuid import UUID

from rich.console import Console
from rich.table import Table
from rich.text import Text

from casework.clock import WENZHOU, wenzhou_time
from casework.domain.events import SubsidyStandardSet
from casework.runtime import running
from casework.settings import Settings
from casework.store import Envelope
from casework.timeline import Entry, entries, record, shown_time, summary

REPLAY_FORMATS = ("table", "lines", "json", "csv")
# The terminal width from which replay shows the table by default: the columns that never
# wrap take about 110; from 180 the actor keeps to one line, and what changed to two or three.
WIDE_TERMINAL = 180


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


def add_replay(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The replay command's parser."""
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
