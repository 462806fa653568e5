"""Each event's hash, the studios' chains and the log's Merkle tree, kept as events arrive;
and the signed tree heads, which the projection worker (the one process holding the key) makes."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence

from psycopg import Cursor
from psycopg.rows import DictRow

from casework.checkpoints import record_tree_head
from casework.integrity import Signer, StudioChains
from casework.merkle import Frontier, leaf_hash
from casework.store import HEAD_REQUESTS_TABLE, TREE_HEADS_TABLE
from projections.base import Builder, Item, Projection, Sink, copy_lines, table

# At least every 1,000 events or 10 minutes, and at once when an auditor's bundle asks.
CHECKPOINT_EVERY_EVENTS = 1000
CHECKPOINT_EVERY_SECONDS = 600.0

LINK_COLUMNS = ("position", "studio_id", "version", "leaf_index", "event_hash", "studio_hash")
NODE_COLUMNS = ("level", "index", "hash")


class Growth:
    """The studios' chains and the tree's right edge: where the next events carry on."""

    def __init__(self, chains: StudioChains, tree: Frontier) -> None:
        self.chains = chains
        self.tree = tree

    def lines(self, items: Sequence[Item]) -> tuple[list[str], list[str]]:
        """Add the events; their rows of chain_links and of merkle_nodes (COPY text)."""
        links: list[str] = []
        nodes: list[str] = []
        for item in items:
            event, studio = self.chains.add(
                item.position, item.studio_id, item.version, item.topic, item.state
            )
            index = self.tree.size
            nodes.extend(
                f"{level}\t{at}\t\\\\x{value.hex()}\n"
                for level, at, value in self.tree.append(leaf_hash(event))
            )
            links.append(
                f"{item.position}\t{item.sid}\t{item.version}\t{index}\t\\\\x{event.hex()}\t\\\\x{studio.hex()}\n"
            )
        return links, nodes


class ChainBuilder(Builder):
    """The chains and the tree from the first event, their edges kept in memory between batches."""

    def __init__(self, generation: int) -> None:
        self.links = table("chain_links", generation)
        self.nodes = table("merkle_nodes", generation)
        self.growth = Growth(StudioChains(), Frontier())

    def feed(self, items: Sequence[Item], sink: Sink) -> None:
        links, nodes = self.growth.lines(items)
        sink.rows(self.links, LINK_COLUMNS, links)
        sink.rows(self.nodes, NODE_COLUMNS, nodes)


def tree_size(curs: Cursor[DictRow], generation: int) -> tuple[int, int]:
    """(leaves in the stored tree, position of the last): (0, 0) before the first event."""
    links = table("chain_links", generation)
    curs.execute(f"SELECT position, leaf_index FROM {links} ORDER BY position DESC LIMIT 1")  # noqa: S608
    last = curs.fetchone()
    return (0, 0) if last is None else (last["leaf_index"] + 1, last["position"])


def stored_edge(curs: Cursor[DictRow], generation: int, size: int) -> Frontier:
    """The right edge of the stored tree of ``size`` leaves: O(log n) rows."""
    keys = Frontier.nodes_of(size)
    curs.execute(
        f"SELECT level, index, hash FROM {table('merkle_nodes', generation)} "  # noqa: S608
        "WHERE (level, index) IN (SELECT * FROM unnest(%s::smallint[], %s::bigint[]))",
        ([k[0] for k in keys], [k[1] for k in keys]),
    )
    found = {(r["level"], r["index"]): bytes(r["hash"]) for r in curs.fetchall()}
    return Frontier(size, [found[k] for k in keys])


class Chain(Projection):
    name = "chain"
    tables = ("chain_links", "merkle_nodes")

    def __init__(self, signer: Signer | None = None, clock: Callable[[], float] = time.time) -> None:
        self.signer = signer
        self.clock = clock

    def apply(self, curs: Cursor[DictRow], items: Sequence[Item], generation: int) -> None:
        links = table("chain_links", generation)
        ids = list({i.studio_id for i in items})
        curs.execute(
            f"SELECT DISTINCT ON (studio_id) studio_id, studio_hash FROM {links} "  # noqa: S608
            "WHERE studio_id = ANY(%s) ORDER BY studio_id, version DESC",
            (ids,),
        )
        chains = StudioChains({r["studio_id"]: bytes(r["studio_hash"]) for r in curs.fetchall()})
        growth = Growth(chains, stored_edge(curs, generation, tree_size(curs, generation)[0]))
        link_lines, node_lines = growth.lines(items)
        copy_lines(curs, links, LINK_COLUMNS, link_lines)
        copy_lines(curs, table("merkle_nodes", generation), NODE_COLUMNS, node_lines)

    def builder(self, generation: int) -> Builder:
        return ChainBuilder(generation)

    def tick(self, curs: Cursor[DictRow], generation: int) -> None:
        """Sign the tree when 1,000 events or 10 minutes have passed since the last head, or
        when a bundle asks for an event no head covers yet."""
        if self.signer is None:
            return
        size, position = tree_size(curs, generation)
        if size == 0:
            return
        curs.execute(f"SELECT tree_size, signed_at FROM {TREE_HEADS_TABLE} ORDER BY tree_size DESC LIMIT 1")  # noqa: S608
        last = curs.fetchone()
        if last is not None and last["tree_size"] >= size:
            return
        curs.execute(f"SELECT min(position) AS asked FROM {HEAD_REQUESTS_TABLE}")  # noqa: S608
        asked = curs.fetchone()
        now = self.clock()
        due = (
            last is None
            or size - last["tree_size"] >= CHECKPOINT_EVERY_EVENTS
            or now - last["signed_at"].timestamp() >= CHECKPOINT_EVERY_SECONDS
            or (asked is not None and asked["asked"] is not None and asked["asked"] <= position)
        )
        if not due:
            return
        root = stored_edge(curs, generation, size).root()
        record_tree_head(curs, self.signer.sign(position, size, root, dt.datetime.fromtimestamp(now, dt.UTC)))
        curs.execute(f"DELETE FROM {HEAD_REQUESTS_TABLE} WHERE position <= %s", (position,))  # noqa: S608
