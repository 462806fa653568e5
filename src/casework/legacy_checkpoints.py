"""The signed checkpoints of the releases before 2026-11-30, still checked.

They sign the head of a linear chain over the whole log (``link`` of every event's hash, in
position order, from 32 zero bytes): ``casework verify`` keeps checking them, so that the
log before the first signed tree head stays vouched for by what was signed at the time.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from msgspec import Struct

from casework.integrity import GENESIS, StoredEvent, _frame, link


class LegacyCheckpoint(Struct, frozen=True):
    """ "The first ``count`` events, up to ``position``, chain to ``head``" (casework_checkpoints)."""

    position: int
    count: int
    head: str  # hex
    signed_at: dt.datetime
    signature: str  # base64
    public_key: str  # base64

    def message(self) -> bytes:
        return _frame(
            b"casework/checkpoint/v1",
            self.position.to_bytes(8, "big"),
            self.count.to_bytes(8, "big"),
            bytes.fromhex(self.head),
            self.signed_at.astimezone(dt.UTC).isoformat().encode(),
        )

    def signature_valid(self, trusted_key: str) -> bool:
        try:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(trusted_key))
            key.verify(base64.b64decode(self.signature), self.message())
        except (InvalidSignature, ValueError):
            return False
        return True


def legacy_problem(
    ordered: Sequence[StoredEvent], checkpoints: Sequence[LegacyCheckpoint], trusted_key: str
) -> tuple[str, int] | None:
    """The first earlier-release checkpoint the log (in position order) does not match."""
    head, count = GENESIS, 0
    for checkpoint in sorted(checkpoints, key=lambda c: c.position):
        if not checkpoint.signature_valid(trusted_key):
            return f"the signature of the checkpoint at position {checkpoint.position} is not valid", (
                checkpoint.position
            )
        while count < len(ordered) and ordered[count].position <= checkpoint.position:
            head = link(head, ordered[count].hash)
            count += 1
        if count != checkpoint.count or head.hex() != checkpoint.head:
            problem = (
                f"the log up to position {checkpoint.position} does not match its checkpoint of an earlier "
                f"release ({count} events found, {checkpoint.count} signed)"
            )
            return problem, checkpoint.position
    return None
