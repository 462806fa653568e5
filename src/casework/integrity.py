"""Tamper evidence: hash chains over the stored events, and Ed25519-signed checkpoints.

Every stored event is hashed with its position, studio, version, topic and stored bytes
(each length-prefixed, so no two different events encode alike) into a *leaf*. Leaves are
chained per studio (in version order) and globally (in position order). A checkpoint signs
the global head; anyone holding the public key can check a history against it, offline.
Nothing here touches a database: the verifier of an exported bundle must run anywhere.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from msgspec import Struct

GENESIS = bytes(32)


def _frame(*parts: bytes) -> bytes:
    return b"".join(len(p).to_bytes(8, "big") + p for p in parts)


# The frames of leaf() and link(), with the constant parts laid out once: a rebuild hashes
# every event of the log twice, so these are hot (the unit tests hold them equal to _frame).
_EVENT_HEAD = _frame(b"casework/event/v1")
_LINK_HEAD = _frame(b"casework/link/v1")
_EIGHT = (8).to_bytes(8, "big")
_SIXTEEN = (16).to_bytes(8, "big")
_HASH_LENGTH = (32).to_bytes(8, "big")
_sha256 = hashlib.sha256


def leaf(position: int, studio_id: UUID, version: int, topic: str, state: bytes) -> bytes:
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


def link(previous: bytes, leaf_hash: bytes) -> bytes:
    """The next hash of a chain: sha256 of _frame(b"casework/link/v1", previous, leaf_hash)."""
    if len(previous) == 32 and len(leaf_hash) == 32:
        return _sha256(_LINK_HEAD + _HASH_LENGTH + previous + _HASH_LENGTH + leaf_hash).digest()
    return _sha256(_frame(b"casework/link/v1", previous, leaf_hash)).digest()


def chain(leaves: Iterable[bytes], start: bytes = GENESIS) -> bytes:
    head = start
    for item in leaves:
        head = link(head, item)
    return head


class Checkpoint(Struct, frozen=True):
    """A signed statement: the first ``count`` events, up to ``position``, chain to ``head``."""

    position: int
    count: int
    head: str  # hex
    signed_at: dt.datetime
    signature: str  # base64
    public_key: str  # base64, raw 32 bytes

    def message(self) -> bytes:
        return checkpoint_message(self.position, self.count, bytes.fromhex(self.head), self.signed_at)

    def signature_valid(self, trusted_key: str | None = None) -> bool:
        """Whether the signature is the key's (the bundle's own key unless one is trusted)."""
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(trusted_key or self.public_key))
        try:
            key.verify(base64.b64decode(self.signature), self.message())
        except (InvalidSignature, ValueError):
            return False
        return True


def checkpoint_message(position: int, count: int, head: bytes, signed_at: dt.datetime) -> bytes:
    return _frame(
        b"casework/checkpoint/v1",
        position.to_bytes(8, "big"),
        count.to_bytes(8, "big"),
        head,
        signed_at.astimezone(dt.UTC).isoformat().encode(),
    )


class Signer:
    """Signs checkpoints with the Ed25519 key kept outside the database."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        raw = key.public_key().public_bytes_raw()
        self.public_key = base64.b64encode(raw).decode()

    @classmethod
    def from_seed(cls, seed: bytes) -> Signer:
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    def sign(self, position: int, count: int, head: bytes, signed_at: dt.datetime) -> Checkpoint:
        signature = self._key.sign(checkpoint_message(position, count, head, signed_at))
        return Checkpoint(
            position=position,
            count=count,
            head=head.hex(),
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
    def leaf(self) -> bytes:
        return leaf(self.position, self.studio_id, self.version, self.topic, self.state)


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
    checkpoints: Sequence[Checkpoint],
    recorded_leaves: dict[int, tuple[UUID, bytes]],
    trusted_key: str,
) -> Verdict:
    """Check the events against every signed checkpoint and the chain recorded when they arrived.

    ``recorded_leaves`` (position → studio, leaf) is what the chain projection stored as the
    events came in: it lets the verdict name the first altered event, not just the checkpoint.
    """
    if not events:
        return Verdict(
            False, 0, len(checkpoints), "the store holds no events: is this the store you meant to check?"
        )
    if not checkpoints:
        return Verdict(False, len(events), 0, "no signed checkpoint vouches for this log")
    for checkpoint in checkpoints:
        if not checkpoint.signature_valid(trusted_key):
            return Verdict(
                False,
                len(events),
                len(checkpoints),
                f"the signature of the checkpoint at position {checkpoint.position} is not valid",
                checkpoint.position,
            )
    seen: set[int] = set()
    for event in events:
        seen.add(event.position)
        recorded = recorded_leaves.get(event.position)
        if recorded is None:
            continue  # not yet chained (newer than the chain projection), judged by checkpoints
        if recorded[1] != event.leaf or recorded[0] != event.studio_id:
            return Verdict(
                False,
                len(events),
                len(checkpoints),
                f"the event at position {event.position} of studio {event.studio_id} was altered",
                event.position,
                event.studio_id,
            )
    for position in sorted(set(recorded_leaves) - seen):
        studio = recorded_leaves[position][0]
        return Verdict(
            False,
            len(events),
            len(checkpoints),
            f"the event at position {position} of studio {studio} is missing",
            position,
            studio,
        )
    head, count, index = GENESIS, 0, 0
    ordered = sorted(events, key=lambda e: e.position)
    for checkpoint in sorted(checkpoints, key=lambda c: c.position):
        while index < len(ordered) and ordered[index].position <= checkpoint.position:
            head = link(head, ordered[index].leaf)
            count += 1
            index += 1
        if count != checkpoint.count or head.hex() != checkpoint.head:
            return Verdict(
                False,
                len(events),
                len(checkpoints),
                f"the log up to position {checkpoint.position} does not match its signed checkpoint "
                f"({count} events found, {checkpoint.count} signed)",
                checkpoint.position,
            )
    return Verdict(True, len(events), len(checkpoints))


class BundleEvent(Struct, frozen=True):
    position: int
    version: int
    topic: str
    state: str  # base64 of the stored bytes, exactly
    leaf: str  # hex
    studio_hash: str  # hex: the studio chain after this event


class Bundle(Struct, frozen=True):
    """A studio's history, verifiable offline with the public key alone."""

    studio_id: UUID
    events: list[BundleEvent]
    checkpoint: Checkpoint
    # Every leaf of the log up to the checkpoint (hex, in position order): the global-chain
    # path from the genesis to the signed head. Other studios' events appear as hashes only.
    log_positions: list[int]
    log_leaves: list[str]


def verify_bundle(bundle: Bundle, trusted_key: str | None = None) -> Verdict:
    """Check a bundle with no database: contents → leaves → the signed head."""
    checkpoint = bundle.checkpoint
    n = len(bundle.events)
    if not checkpoint.signature_valid(trusted_key):
        return Verdict(
            False, n, 1, "the checkpoint's signature is not valid for the key", checkpoint.position
        )
    if len(bundle.log_positions) != len(bundle.log_leaves):
        return Verdict(False, n, 1, "the log path is malformed")
    by_position = dict(zip(bundle.log_positions, bundle.log_leaves, strict=True))
    studio_head = GENESIS
    for event in bundle.events:
        try:
            state = base64.b64decode(event.state, validate=True)
        except ValueError:
            return Verdict(
                False, n, 1, f"the event at position {event.position} is not readable", event.position
            )
        computed = leaf(event.position, bundle.studio_id, event.version, event.topic, state)
        if computed.hex() != event.leaf or by_position.get(event.position) != event.leaf:
            return Verdict(
                False,
                n,
                1,
                f"the event at position {event.position} was altered",
                event.position,
                bundle.studio_id,
            )
        studio_head = link(studio_head, computed)
        if studio_head.hex() != event.studio_hash:
            return Verdict(
                False,
                n,
                1,
                f"the studio chain breaks at version {event.version}",
                event.position,
                bundle.studio_id,
            )
    if [e.version for e in bundle.events] != list(range(1, n + 1)):
        return Verdict(False, n, 1, "the studio's versions are not complete and in order")
    if any(e.position > checkpoint.position for e in bundle.events):
        return Verdict(False, n, 1, "an event is newer than the checkpoint")
    positions = bundle.log_positions
    if positions != sorted(set(positions)) or (positions and positions[-1] > checkpoint.position):
        return Verdict(False, n, 1, "the log path is out of order")
    head = chain(bytes.fromhex(x) for x in bundle.log_leaves)
    if len(bundle.log_leaves) != checkpoint.count or head.hex() != checkpoint.head:
        return Verdict(False, n, 1, "the log does not chain to the signed head", checkpoint.position)
    return Verdict(True, n, 1)
