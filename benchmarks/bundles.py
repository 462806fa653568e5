"""The size of a studio's bundle as the log grows, beside the bundle of before (every leaf).

A studio of 40 events, spread evenly over logs of 1,000 to 1,000,000 events, each event ~450
bytes as stored; a head signed every 1,000 events. The bundle is made with the real proofs
(casework.merkle) over synthetic leaves; the baseline, in the same run, is the same studio's
bundle in the format before 2026-11-30, which carried the position and leaf hash of every event
of the log. Pure computation: no database.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import time
import uuid

import msgspec

from casework.bundles import Bundle, BundleEvent, EarlierHead
from casework.integrity import Signer
from casework.merkle import (
    Node,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_inclusion,
    subtree_root,
)

STUDIO_EVENTS = 40
STATE = b"x" * 450
SIGNED_AT = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)


class Levels:
    """Every complete subtree of a log of ``size`` synthetic leaves, level by level."""

    def __init__(self, size: int) -> None:
        level = [leaf_hash(hashlib.sha256(i.to_bytes(8, "big")).digest()) for i in range(size)]
        self.levels = [level]
        while len(level) > 1:
            level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            self.levels.append(level)

    def node(self, key: Node) -> bytes:
        return self.levels[key[0]][key[1]]


def bundle_sizes(size: int, signer: Signer) -> tuple[int, int, float]:
    """(bytes of the bundle, bytes of the bundle of before, seconds to make the proofs)."""
    levels = Levels(size)
    indexes = [round(i * (size - 1) / (STUDIO_EVENTS - 1)) for i in range(STUDIO_EVENTS)]
    # The studio's events are real leaves here: their hashes stand where the synthetic ones were.
    state = base64.b64encode(STATE).decode()
    started = time.perf_counter()
    paths = [inclusion_proof(i, size, levels.node) for i in indexes]
    firsts = sorted({min(size, (i // 1000 + 1) * 1000) for i in indexes} - {size})
    consistency = [consistency_proof(first, size, levels.node) for first in firsts]
    seconds = time.perf_counter() - started
    root = subtree_root(0, size, levels.node)
    # The proofs measured are ones that verify (the events' contents here are placeholders).
    assert all(
        root_from_inclusion(i, size, levels.levels[0][i], path) == root
        for i, path in zip(indexes, paths, strict=True)
    )
    head = signer.sign(size, size, root, SIGNED_AT)
    events = [
        BundleEvent(
            position=i + 1,
            version=n + 1,
            topic="casework.domain.events:Evaluated",
            state=state,
            event_hash="0" * 64,
            studio_hash="0" * 64,
            leaf_index=i,
            inclusion=[p.hex() for p in path],
        )
        for n, (i, path) in enumerate(zip(indexes, paths, strict=True))
    ]
    earlier = [
        EarlierHead(
            head=signer.sign(f, f, subtree_root(0, f, levels.node), SIGNED_AT),
            consistency=[p.hex() for p in path],
        )
        for f, path in zip(firsts, consistency, strict=True)
    ]
    bundle = Bundle(studio_id=uuid.uuid4(), events=events, tree_head=head, earlier=earlier)
    before = {
        "studio_id": str(bundle.studio_id),
        "events": [{**msgspec.to_builtins(e), "inclusion": None, "leaf_index": None} for e in events],
        "checkpoint": msgspec.to_builtins(head),
        "log_positions": list(range(1, size + 1)),
        "log_leaves": [leaf.hex() for leaf in levels.levels[0]],
    }
    return len(msgspec.json.encode(bundle)), len(msgspec.json.encode(before)), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    signer = Signer.from_seed(bytes(32))
    print(
        "| events in the log | bundle (bytes) | bundle of before (bytes) | ratio | proofs made in memory in |"
    )
    print("|---|---|---|---|---|")
    for size in args.sizes:
        now, before, seconds = bundle_sizes(size, signer)
        print(f"| {size:,} | {now:,} | {before:,} | {now / before:.4f} | {seconds * 1000:.1f} ms |")


if __name__ == "__main__":
    main()
