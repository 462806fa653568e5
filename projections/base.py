"""What every projection is: a name, its tables, and how a batch of events changes them."""

from __future__ import annotations

import datetime as dt
import hashlib
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Protocol
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from casework.domain.events import Logged
from casework.store import Metadata, decode_state


@dataclass(frozen=True, slots=True)
class Item:
    """One event of the notification log, decoded."""

    position: int
    studio_id: UUID
    version: int
    meta: Metadata
    event: Logged
    topic: str
    state: bytes  # exactly as stored: what the hash chain is computed over
    sid: str  # the studio id as text, made once: rows of three tables print it

    @property
    def type(self) -> str:
        return type(self.event).__name__

    @property
    def recorded_at(self) -> dt.datetime:
        return self.meta.recorded_at


# No position of the log is after this one (bigint's largest): ``until`` for "to the end".
LAST_POSITION = 2**63 - 1


def log_select(events_table: str) -> Composed:
    """Events after a position, up to another, at most so many: the rows Decoder takes."""
    return SQL(
        "SELECT notification_id, originator_id::text, originator_version, topic, state FROM {events} "
        "WHERE notification_id > %s AND notification_id <= %s ORDER BY notification_id LIMIT %s"
    ).format(events=Identifier(events_table))


class Decoder:
    """Rows of the log read with the studio id as text (``originator_id::text``) into
    items; each studio's UUID is made once, not once an event."""

    def __init__(self) -> None:
        self.ids: dict[str, UUID] = {}

    def items(self, rows: Sequence[tuple[int, str, int, str, bytes]]) -> list[Item]:
        ids, items = self.ids, []
        for position, sid, version, topic, state in rows:
            studio_id = ids.get(sid)
            if studio_id is None:
                studio_id = ids[sid] = UUID(sid)
            meta, event = decode_state(state)
            items.append(Item(position, studio_id, version, meta, event, topic, state, sid))
        return items


INDEX_MARKER = "-- indexes:"


class Projection(ABC):
    """A read model: pure function of the event sequence, written into its own tables."""

    name: str
    # The base names of its tables; each is read through a view of that name.
    tables: tuple[str, ...]
    # Its share of a rebuild's work, relative to the others (measured), so that a rebuild in
    # several processes can give each about as much.
    rebuild_cost: float = 1.0
    # Raise it when the rows change meaning without a change of the tables' SQL: the served
    # tables are then rebuilt when this release starts (see ``fingerprint``).
    revision: int = 1

    def fingerprint(self) -> str:
        """What made a generation's tables and rows: its SQL and its revision. A process that
        finds another fingerprint on the served generation rebuilds it before writing."""
        text = resources.files("projections").joinpath(f"{self.name}.sql").read_text()
        return hashlib.sha256(f"{self.revision}\n{text}".encode()).hexdigest()[:16]

    def ddl(self, generation: int, part: str = "all") -> str:
        """The statements that create a generation's tables (``tables``), its secondary
        indexes (``indexes``), or both (``all``)."""
        text = resources.files("projections").joinpath(f"{self.name}.sql").read_text()
        tables, _, indexes = text.partition(INDEX_MARKER)
        chosen = {"all": text, "tables": tables, "indexes": indexes}[part]
        return chosen.replace("{g}", f"g{generation}")

    @abstractmethod
    def apply(self, curs: Cursor[DictRow], items: Sequence[Item], generation: int) -> None:
        """Apply a batch of events, in order, inside the caller's transaction."""

    def tick(self, curs: Cursor[DictRow], generation: int) -> None:  # noqa: B027 - optional hook
        """Called after every live batch, even an empty one (for work that runs on a clock)."""

    @abstractmethod
    def builder(self, generation: int) -> Builder:
        """How a rebuild from scratch fills ``generation``, faster than batch by batch."""


class Sink(Protocol):
    """Where a builder sends rows: appended to a table, in COPY text format."""

    def rows(self, table: str, columns: Sequence[str], lines: list[str]) -> None: ...


class Builder(ABC):
    """A projection rebuilt from the first event: what the live path reads back from its
    tables before each batch is kept in memory instead, and rows are only ever appended."""

    @abstractmethod
    def feed(self, items: Sequence[Item], sink: Sink) -> None:
        """Fold a batch of events (rows that never change again may be sent now)."""

    def finish(self, sink: Sink) -> None:  # noqa: B027 - optional hook
        """Send what was kept in memory; the live path carries on from these rows."""


def copy_lines(curs: Cursor[DictRow], name: str, columns: Sequence[str], lines: list[str]) -> None:
    """Append rows given in COPY text format (projections.copytext) to table ``name``."""
    if not lines:
        return
    with curs.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write("".join(lines))


def table(base: str, generation: int) -> str:
    """The physical table of a generation."""
    return f"{base}_g{generation}"
