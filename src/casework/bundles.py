"""A studio's history as a bundle that proves itself offline: its events exactly as stored,
each with its inclusion proof in the log's Merkle tree, under a signed tree head, and the
earlier signed heads with the proofs that the log has only grown since. Its size grows with
the studio's events and the logarithm of the log, never with the rest of the log."""

from __future__ import annotations

import base64
from uuid import UUID

from msgspec import Struct

from casework.integrity import StudioChains, TreeHead, Verdict
from casework.merkle import consistent, leaf_hash, root_from_inclusion


class BundleEvent(Struct, frozen=True):
    position: int
    version: int
    topic: str
    state: str  # base64 of the stored bytes, exactly
    event_hash: str  # hex: the entry of the event's leaf in the log's tree
    studio_hash: str  # hex: the studio chain after this event
    leaf_index: int  # the leaf's place in the log's tree (0 for the first event)
    inclusion: list[str]  # hex: the audit path from the leaf to the signed root


class EarlierHead(Struct, frozen=True):
    """A head signed before ``Bundle.tree_head``, with the proof that the later tree extends it."""

    head: TreeHead
    consistency: list[str]  # hex


class Bundle(Struct, frozen=True):
    """A studio's history, verifiable offline with the public key alone."""

    studio_id: UUID
    events: list[BundleEvent]
    tree_head: TreeHead
    # The heads that first vouched for the studio's events (and the one asked for with
    # ``since``): a server that later rewrote or forked the log cannot prove them extended.
    earlier: list[EarlierHead]


def verify_bundle(bundle: Bundle, trusted_key: str | None = None, seen: TreeHead | None = None) -> Verdict:
    """Check a bundle with no database: contents → hashes → inclusion under the signed head,
    every earlier head → consistency with it, and (``seen``) a head the auditor already holds."""
    head, n = bundle.tree_head, len(bundle.events)
    checked = 1 + len(bundle.earlier)
    if not head.signature_valid(trusted_key):
        return Verdict(False, n, checked, "the tree head's signature is not valid for the key", head.position)
    problem = _events_problem(bundle)
    if problem is not None:
        return Verdict(False, n, checked, problem[0], problem[1], bundle.studio_id if problem[1] else None)
    for earlier in bundle.earlier:
        problem_text = _earlier_problem(earlier, head, trusted_key or head.public_key)
        if problem_text is not None:
            return Verdict(False, n, checked, problem_text, earlier.head.position)
    if seen is not None:
        problem_text = _seen_problem(bundle, seen, trusted_key or head.public_key)
        if problem_text is not None:
            return Verdict(False, n, checked, problem_text, seen.position)
    return Verdict(True, n, checked)


def _events_problem(bundle: Bundle) -> tuple[str, int | None] | None:
    """The first event that is not what the signed tree holds, or a gap in the studio's versions."""
    head, chains = bundle.tree_head, StudioChains()
    if not bundle.events:
        return "the bundle holds no events: it proves nothing", None
    for event in bundle.events:
        try:
            state = base64.b64decode(event.state, validate=True)
            path = [bytes.fromhex(p) for p in event.inclusion]
        except ValueError:
            return f"the event at position {event.position} is not readable", event.position
        computed, studio_head = chains.add(
            event.position, bundle.studio_id, event.version, event.topic, state
        )
        root = root_from_inclusion(event.leaf_index, head.tree_size, leaf_hash(computed), path)
        if computed.hex() != event.event_hash or root != head.root:
            return f"the event at position {event.position} was altered, or is not in the signed log", (
                event.position
            )
        if studio_head.hex() != event.studio_hash:
            return f"the studio chain breaks at version {event.version}", event.position
    if [e.version for e in bundle.events] != list(range(1, len(bundle.events) + 1)):
        return "the studio's versions are not complete and in order", None
    indexes = [e.leaf_index for e in bundle.events]
    if indexes != sorted(set(indexes)):
        return "the studio's events are not in the log's order", None
    return None


def _earlier_problem(earlier: EarlierHead, head: TreeHead, key: str) -> str | None:
    old = earlier.head
    if not old.signature_valid(key):
        return f"the signature of the earlier tree head of {old.tree_size} events is not valid for the key"
    try:
        path = [bytes.fromhex(p) for p in earlier.consistency]
    except ValueError:
        return f"the consistency proof of the earlier tree head of {old.tree_size} events is not readable"
    if not consistent(old.tree_size, head.tree_size, old.root, head.root, path):
        return (
            f"the tree head of {old.tree_size} events signed {old.signed_at.isoformat()} is not consistent "
            f"with the head of {head.tree_size} events: the log was forked or rewritten since"
        )
    return None


def _seen_problem(bundle: Bundle, seen: TreeHead, key: str) -> str | None:
    """Whether the bundle's log extends a head the auditor holds (from an earlier bundle)."""
    head = bundle.tree_head
    if not seen.signature_valid(key):
        return "the earlier head's signature is not valid for the key"
    if seen.tree_size > head.tree_size:
        return f"the bundle's head ({head.tree_size} events) is older than the earlier one ({seen.tree_size})"
    if seen.tree_size == head.tree_size:
        same = seen.root == head.root
    else:
        same = any(e.head.tree_size == seen.tree_size and e.head.root == seen.root for e in bundle.earlier)
        if not same and not any(e.head.tree_size == seen.tree_size for e in bundle.earlier):
            return (
                f"the bundle carries no proof that its log extends the earlier head of {seen.tree_size} "
                f"events: ask for the bundle with ?since={seen.tree_size}"
            )
    if not same:
        return f"the earlier head of {seen.tree_size} events is not this log's: the log was forked"
    return None
