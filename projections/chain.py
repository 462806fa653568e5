"""The hash chains, kept as events arrive, and the signed checkpoints of their global head."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow

from casework.checkpoints import record_checkpoint
from casework.integrity import GENESIS, Signer, leaf, link
from casework.store import CHECKPOINTS_TABLE
from projections.base import Builder, Item, Projection, Sink, copy_lines, table

# At least every 1,000 events or 10 minutes (casework.integrity).
CHECKPOINT_EVERY_EVENTS = 1000
CHECKPOINT_EVERY_SECONDS = 600.0


COLUMNS = ("position", "studio_id", "version", "leaf", "studio_hash", "global_hash")


class Heads:
    """The global head and each studio's head: where the next events' links start."""

    def __init__(self, head: bytes = GENESIS) -> None:
        self.head = head
        self.studios: dict[UUID, bytes] = {}

    def lines(self, items: Sequence[Item]) -> list[str]:
        """Chain the events on and return their rows (COPY text, COLUMNS order)."""
        lines = []
        studios, head = self.studios, self.head
        for item in items:
            event_leaf = leaf(item.position, item.studio_id, item.version, item.topic, item.state)
            studio_head = link(studios.get(item.studio_id, GENESIS), event_leaf)
            studios[item.studio_id] = studio_head
            head = link(head, event_leaf)
            lines.append(
                f"{item.position}\t{item.sid}\t{item.version}\t\\\\x{event_leaf.hex()}\t"
                f"\\\\x{studio_head.hex()}\t\\\\x{head.hex()}\n"
            )
        self.head = head
        return lines


class ChainBuilder(Builder):
    """The chain from the first event, its heads kept in memory between batches."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.heads = Heads()

    def feed(self, items: Sequence[Item], sink: Sink) -> None:
        sink.rows(self.name, COLUMNS, self.heads.lines(items))


class Chain(Projection):
    name = "chain"
    tables = ("chain_links",)

    def __init__(self, signer: Signer | None = None, clock: Callable[[], float] = time.time) -> None:
        self.signer = signer
        self.clock = clock

    def apply(self, curs: Cursor[DictRow], items: Sequence[Item], generation: int) -> None:
        links = table("chain_links", generation)
        curs.execute(f"SELECT global_hash FROM {links} ORDER BY position DESC LIMIT 1")  # noqa: S608
        last = curs.fetchone()
        ids = list({i.studio_id for i in items})
        curs.execute(
            f"SELECT DISTINCT ON (studio_id) studio_id, studio_hash FROM {links} "  # noqa: S608
            "WHERE studio_id = ANY(%s) ORDER BY studio_id, version DESC",
            (ids,),
        )
        heads = Heads(bytes(last["global_hash"]) if last else GENESIS)
        heads.studios.update((r["studio_id"], bytes(r["studio_hash"])) for r in curs.fetchall())
        copy_lines(curs, links, COLUMNS, heads.lines(items))

    def builder(self, generation: int) -> Builder:
        return ChainBuilder(table("chain_links", generation))

    def tick(self, curs: Cursor[DictRow], generation: int) -> None:
        """Sign the head when 1,000 events or 10 minutes have passed since the last checkpoint."""
        if self.signer is None:
            return
        links = table("chain_links", generation)
        curs.execute(
            f"SELECT position, global_hash, (SELECT count(*) FROM {links}) AS n "  # noqa: S608
            f"FROM {links} ORDER BY position DESC LIMIT 1"
        )
        head = curs.fetchone()
        if head is None:
            return
        curs.execute(
            f"SELECT position, count, signed_at FROM {CHECKPOINTS_TABLE} ORDER BY position DESC LIMIT 1"  # noqa: S608
        )
        last = curs.fetchone()
        if last is not None and last["position"] >= head["position"]:
            return
        now = self.clock()
        due = (
            last is None
            or head["n"] - last["count"] >= CHECKPOINT_EVERY_EVENTS
            or now - last["signed_at"].timestamp() >= CHECKPOINT_EVERY_SECONDS
        )
        if not due:
            return
        checkpoint = self.signer.sign(
            head["position"], head["n"], bytes(head["global_hash"]), dt.datetime.fromtimestamp(now, dt.UTC)
        )
        record_checkpoint(curs, checkpoint)
