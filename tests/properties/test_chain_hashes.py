"""The hot event_hash() and link() are exactly the framed hashes the integrity format defines."""

from __future__ import annotations

import hashlib
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from casework.integrity import _frame, event_hash, link


@given(
    position=st.integers(0, 2**63 - 1),
    studio_id=st.uuids(),
    version=st.integers(1, 2**31),
    topic=st.text(),
    state=st.binary(max_size=300),
)
def test_an_event_hash_is_the_hash_of_the_framed_event(
    position: int, studio_id: UUID, version: int, topic: str, state: bytes
) -> None:
    framed = _frame(
        b"casework/event/v1",
        position.to_bytes(8, "big"),
        studio_id.bytes,
        version.to_bytes(8, "big"),
        topic.encode(),
        state,
    )
    assert event_hash(position, studio_id, version, topic, state) == hashlib.sha256(framed).digest()


@given(previous=st.binary(min_size=0, max_size=40), leaf_hash=st.binary(min_size=0, max_size=40))
def test_link_is_the_hash_of_the_framed_pair(previous: bytes, leaf_hash: bytes) -> None:
    expected = hashlib.sha256(_frame(b"casework/link/v1", previous, leaf_hash)).digest()
    assert link(previous, leaf_hash) == expected


@given(previous=st.binary(min_size=32, max_size=32), leaf_hash=st.binary(min_size=32, max_size=32))
def test_link_of_two_hashes(previous: bytes, leaf_hash: bytes) -> None:
    expected = hashlib.sha256(_frame(b"casework/link/v1", previous, leaf_hash)).digest()
    assert link(previous, leaf_hash) == expected
