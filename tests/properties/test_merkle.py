"""The log's Merkle tree (RFC 9162 §2.1): roots, inclusion and consistency proofs, and their checks."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from casework.merkle import (
    Frontier,
    Node,
    consistency_proof,
    consistent,
    inclusion_proof,
    leaf_hash,
    needed,
    node_hash,
    root_from_inclusion,
    subtree_root,
)

MOST = 200


def reference_root(leaves: list[bytes]) -> bytes:
    """MTH straight from RFC 9162's definition, to hold the stored-subtree form to."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))


def grown(size: int) -> tuple[list[bytes], dict[Node, bytes], Frontier]:
    """A tree of ``size`` leaves grown one by one, with every complete subtree it made."""
    leaves = [leaf_hash(i.to_bytes(8, "big")) for i in range(size)]
    frontier, nodes = Frontier(), {}
    for item in leaves:
        nodes.update(((level, index), value) for level, index, value in frontier.append(item))
    return leaves, nodes, frontier


def test_the_hashes_are_rfc_9162s() -> None:
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()


@given(size=st.integers(0, MOST))
def test_the_grown_root_is_the_tree_hash_and_its_roots_are_the_stored_nodes(size: int) -> None:
    leaves, nodes, frontier = grown(size)
    assert frontier.root() == reference_root(leaves)
    assert frontier.roots == [nodes[n] for n in Frontier.nodes_of(size)]
    restarted = Frontier(size, [nodes[n] for n in Frontier.nodes_of(size)])
    assert restarted.root() == frontier.root()
    if size:
        assert subtree_root(0, size, nodes.__getitem__) == frontier.root()


@given(data=st.data())
def test_every_inclusion_proof_verifies_and_a_changed_hash_does_not(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, MOST))
    index = data.draw(st.integers(0, size - 1))
    leaves, nodes, frontier = grown(size)
    path = inclusion_proof(index, size, nodes.__getitem__)
    assert len(path) <= size.bit_length()
    assert root_from_inclusion(index, size, leaves[index], path) == frontier.root()
    assert root_from_inclusion(index, size, leaf_hash(b"forged"), path) != frontier.root()
    if path:
        spot = data.draw(st.integers(0, len(path) - 1))
        bent = [*path[:spot], leaf_hash(b"bent"), *path[spot + 1 :]]
        assert root_from_inclusion(index, size, leaves[index], bent) != frontier.root()
        assert root_from_inclusion(index, size, leaves[index], path[:-1]) != frontier.root()
    other = data.draw(st.integers(0, size))
    if other != index:
        assert root_from_inclusion(other, size, leaves[index], path) != frontier.root()


@given(data=st.data())
def test_every_consistency_proof_verifies_and_a_fork_does_not(data: st.DataObject) -> None:
    second = data.draw(st.integers(1, MOST))
    first = data.draw(st.integers(1, second))
    leaves, nodes, frontier = grown(second)
    old_root = reference_root(leaves[:first])
    path = consistency_proof(first, second, nodes.__getitem__)
    assert len(path) <= 2 * second.bit_length()
    assert consistent(first, second, old_root, frontier.root(), path)
    # A head over another history of the first leaves (a forked log) is not a prefix.
    fork = leaves.copy()
    fork[data.draw(st.integers(0, first - 1))] = leaf_hash(b"forked")
    assert not consistent(first, second, reference_root(fork[:first]), frontier.root(), path)
    assert not consistent(first, second, old_root, reference_root(fork), path)
    if path:
        spot = data.draw(st.integers(0, len(path) - 1))
        bent = [*path[:spot], leaf_hash(b"bent"), *path[spot + 1 :]]
        assert not consistent(first, second, old_root, frontier.root(), bent)


def test_a_proof_reads_few_stored_nodes() -> None:
    """The API fetches a proof's nodes in one query: O(log² n) of them, never the log."""
    size = 1_000_003
    asked = needed(lambda node: inclusion_proof(size // 3, size, node))
    assert len(asked) <= 20 * 20
    asked = needed(lambda node: consistency_proof(size // 3, size, node))
    assert len(asked) <= 20 * 20


def test_every_proof_of_every_tree_up_to_200_leaves_verifies() -> None:
    """Exhaustively: the complete subtrees of the first n leaves are those of the largest tree."""
    leaves, nodes, _ = grown(MOST)
    roots = [reference_root(leaves[:n]) for n in range(MOST + 1)]
    for size in range(1, MOST + 1):
        for index in range(size):
            path = inclusion_proof(index, size, nodes.__getitem__)
            assert root_from_inclusion(index, size, leaves[index], path) == roots[size], (index, size)
        for first in range(1, size + 1):
            path = consistency_proof(first, size, nodes.__getitem__)
            assert consistent(first, size, roots[first], roots[size], path), (first, size)
            if first < size:
                assert not consistent(first, size, roots[first - 1], roots[size], path), (first, size)
