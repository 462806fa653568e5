"""Tamper evidence: each event's hash, the studios' hash chains, and Ed25519-signed tree heads.

Every stored event is hashed with its position, studio, version, topic and stored bytes
(each length-prefixed, so no two different events encode alike). That hash is chained per
studio (in version order: the ``hash`` of a studio's history) and is the entry of the
event's leaf in the log's Merkle tree (casework.merkle, RFC 9162), in position order. A
signed tree head vouches for the tree's first ``tree_size`` leaves; anyone holding the
public key can check an event's inclusion, or that a later head extends an earlier one,
offline. Nothing here touches a database: the verifier of an exported bundle runs anywhere.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from msgspec import Struct

from casework.merkle import Frontier, leaf_hash

GENESIS = bytes(32)


def _frame(*parts: bytes) -> bytes:
    return b"".join(len(p).to_bytes(8, "big") + p for p in parts)


# The frames of event_hash() and link(), with the constant parts laid out once: a rebuild
# hashes every event of the log, so these are hot (the unit tests hold them equal to _frame).
_EVENT_HEAD = _frame(b"casework/event/v1")
_LINK_HEAD = _frame(b"casework/link/v1")
_EIGHT = (8).to_bytes(8, "big")
_SIXTEEN = (16).to_bytes(8, "big")
_HASH_LENGTH = (32).to_bytes(8, "big")
_sha256 = hashlib.sha256


def event_hash(position: int, studio_id: UUID, version: int, topic: str, state: bytes) -> bytes:
    """The hash of one stored event, bound to its place in the log and in its studio.

    That is sha256 of _frame(b"casework/event/v1", position, studio_id.bytes, version,
    topic, state), with integers as 8 bytes big-endian."""
    topic_bytes = topic.encode()
    return _sha256(
        b"".join(
            (
                _EVENT_HEAD,
                _EIGHT,
                position.to_bytes(8, "big"),
                _SIXTEEN,
                studio_id.bytes,
                _EIGHT,
                version.to_bytes(8, "big"),
                len(topic_bytes).to_bytes(8, "big"),
                topic_bytes,
                len(state).to_bytes(8, "big"),
                state,
            )
        )
    ).digest()


def link(previous: bytes, event: bytes) -> bytes:
    """The next hash of a studio's chain: sha256 of _frame(b"casework/link/v1", previous, event)."""
    if len(previous) == 32 and len(event) == 32:
        return _sha256(_LINK_HEAD + _HASH_LENGTH + previous + _HASH_LENGTH + event).digest()
    return _sha256(_frame(b"casework/link/v1", previous, event)).digest()


class StudioChains:
    """Each studio's hash chain, walked here only: by the chain projection as events arrive,
    by a studio's history and bundle, and by the offline check of a bundle."""

    def __init__(self, heads: Mapping[UUID, bytes] | None = None) -> None:
        self.heads = dict(heads or {})

    def add(
        self, position: int, studio_id: UUID, version: int, topic: str, state: bytes
    ) -> tuple[bytes, bytes]:
        """Chain an event onto its studio's: (the event's hash, the studio's chain after it)."""
        event = event_hash(position, studio_id, version, topic, state)
        head = link(self.heads.get(studio_id, GENESIS), event)
        self.heads[studio_id] = head
        return event, head


class TreeHead(Struct, frozen=True):
    """A signed statement: the log's first ``tree_size`` events, the last at ``position``,
    are the leaves of the Merkle tree whose root is ``root_hash``."""

    position: int
    tree_size: int
    root_hash: str  # hex
    signed_at: dt.datetime
    signature: str  # base64
    public_key: str  # base64, raw 32 bytes

    def message(self) -> bytes:
        return tree_head_message(self.position, self.tree_size, bytes.fromhex(self.root_hash), self.signed_at)

    def signature_valid(self, trusted_key: str | None = None) -> bool:
        """Whether the signature is the key's (the head's own key unless one is trusted)."""
        try:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(trusted_key or self.public_key))
            key.verify(base64.b64decode(self.signature), self.message())
        except (InvalidSignature, ValueError):
            return False
        return True

    @property
    def root(self) -> bytes:
        return bytes.fromhex(self.root_hash)


def tree_head_message(position: int, tree_size: int, root: bytes, signed_at: dt.datetime) -> bytes:
    return _frame(
        b"casework/tree-head/v1",
        position.to_bytes(8, "big"),
        tree_size.to_bytes(8, "big"),
        root,
        signed_at.astimezone(dt.UTC).isoformat().encode(),
    )


class Signer:
    """Signs tree heads with the Ed25519 key kept outside the database."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        raw = key.public_key().public_bytes_raw()
        self.public_key = base64.b64encode(raw).decode()

    @classmethod
    def from_seed(cls, seed: bytes) -> Signer:
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    def sign(self, position: int, tree_size: int, root: bytes, signed_at: dt.datetime) -> TreeHead:
        signature = self._key.sign(tree_head_message(position, tree_size, root, signed_at))
        return TreeHead(
            position=position,
            tree_size=tree_size,
            root_hash=root.hex(),
            signed_at=signed_at,
            signature=base64.b64encode(signature).decode(),
            public_key=self.public_key,
        )


@dataclass(frozen=True)
class StoredEvent:
    """An event as the event table holds it."""

    position: int
    studio_id: UUID
    version: int
    topic: str
    state: bytes

    @property
    def hash(self) -> bytes:
        return event_hash(self.position, self.studio_id, self.version, self.topic, self.state)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    events: int
    checkpoints: int
    problem: str | None = None
    position: int | None = None
    studio_id: UUID | None = None


def verify_store(
    events: Sequence[StoredEvent],
    heads: Sequence[TreeHead],
    recorded: Mapping[int, tuple[UUID, bytes]],
    trusted_key: str,
) -> Verdict:
    """Check the events against every signed tree head and the hashes recorded when they arrived.

    ``recorded`` (position → studio, event hash) is what the chain projection stored as the
    events came in: it lets the verdict name the first altered event, not just the head.
    """
    n, signed = len(events), len(heads)
    if not events:
        return Verdict(False, 0, signed, "the store holds no events: is this the store you meant to check?")
    if not heads:
        return Verdict(False, n, 0, "no signed tree head vouches for this log")
    for head in heads:
        if not head.signature_valid(trusted_key):
            problem = f"the signature of the signed tree head at position {head.position} is not valid"
            return Verdict(False, n, signed, problem, head.position)
    found = _first_unlike_recorded(events, recorded)
    if found is not None:
        return Verdict(False, n, signed, *found)
    # Every head must be the root of the tree of the log as it stands: an altered, missing,
    # reordered or inserted event changes the roots after it, and a head of a forked log
    # (not a prefix of the others) cannot match.
    tree = Frontier()
    ordered = sorted(events, key=lambda e: e.position)
    for head in sorted(heads, key=lambda h: h.tree_size):
        while tree.size < min(head.tree_size, n):
            tree.append(leaf_hash(ordered[tree.size].hash))
        last = ordered[tree.size - 1].position
        if tree.size != head.tree_size or last != head.position or tree.root() != head.root:
            problem = (
                f"the log up to position {head.position} does not match its signed tree head "
                f"({tree.size} events found up to position {last}, {head.tree_size} signed)"
            )
            return Verdict(False, n, signed, problem, head.position)
    return Verdict(True, n, signed)


def _first_unlike_recorded(
    events: Sequence[StoredEvent], recorded: Mapping[int, tuple[UUID, bytes]]
) -> tuple[str, int, UUID] | None:
    """The first event whose hash is not the one recorded when it arrived, or that is gone."""
    seen: set[int] = set()
    for event in events:
        seen.add(event.position)
        known = recorded.get(event.position)
        if known is None:
            continue  # not yet chained (newer than the chain projection), judged by the heads
        if known != (event.studio_id, event.hash):
            problem = f"the event at position {event.position} of studio {event.studio_id} was altered"
            return problem, event.position, event.studio_id
    for position in sorted(set(recorded) - seen):
        studio = recorded[position][0]
        return f"the event at position {position} of studio {studio} is missing", position, studio
    return None
