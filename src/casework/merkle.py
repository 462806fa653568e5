"""The Merkle tree of the log, as RFC 9162 (Certificate Transparency v2) §2.1 defines it.

A leaf's hash is SHA-256(0x00 || entry), an inner node's SHA-256(0x01 || left || right);
the tree of n leaves splits at the largest power of two below n. Proofs are computed over
``Subtrees``: the hash of any range of leaves, which a caller answers from the leaves it
holds (tests, ``casework verify``) or from the complete subtrees the chain projection
stored (the API, which must not read the whole log). Pure: no database, no clock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

Node = tuple[int, int]  # (level, index): the complete subtree of leaves [index·2^level, (index+1)·2^level)
NodeSource = Callable[[Node], bytes]


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than n (n > 1): where RFC 9162 splits a tree."""
    return 1 << ((n - 1).bit_length() - 1)


def subtree_root(start: int, end: int, node: NodeSource) -> bytes:
    """MTH(D[start:end]), made of the complete aligned subtrees ``node`` knows."""
    size = end - start
    if size & (size - 1) == 0 and start % size == 0:
        return node((size.bit_length() - 1, start // size))
    k = split(size)
    return node_hash(subtree_root(start, start + k, node), subtree_root(start + k, end, node))


def inclusion_proof(index: int, size: int, node: NodeSource) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, from the leaf up."""
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = split(end - start)
        if index - start < k:
            path.append(subtree_root(start + k, end, node))
            end = start + k
        else:
            path.append(subtree_root(start, start + k, node))
            start += k
    return path[::-1]


def consistency_proof(first: int, second: int, node: NodeSource) -> list[bytes]:
    """PROOF(first, D[0:second]) of RFC 9162 §2.1.4.1 (0 < first <= second)."""
    path: list[bytes] = []
    m, start, end, complete = first, 0, second, True
    while m != end - start:
        k = split(end - start)
        if m <= k:
            path.append(subtree_root(start + k, end, node))
            end = start + k
        else:
            path.append(subtree_root(start, start + k, node))
            m, start, complete = m - k, start + k, False
    if not complete:
        path.append(subtree_root(start, end, node))
    return path[::-1]


def root_from_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes | None:
    """The root that ``path`` proves ``leaf`` (at ``index``) under, or None if it cannot (§2.1.3.2)."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def consistent(first: int, second: int, first_root: bytes, second_root: bytes, path: Sequence[bytes]) -> bool:
    """Whether ``path`` proves the tree of ``first`` leaves a prefix of that of ``second`` (§2.1.4.2)."""
    if not 0 < first <= second:
        return False
    if first == second:
        return not path and first_root == second_root
    items = list(path)
    if first & (first - 1) == 0:
        items.insert(0, first_root)
    if not items:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = items[0]
    for c in items[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0


def needed(compute: Callable[[NodeSource], object]) -> set[Node]:
    """The stored nodes a computation reads: run it once on placeholders, to fetch them in one query."""
    asked: set[Node] = set()

    def record(key: Node) -> bytes:
        asked.add(key)
        return bytes(32)

    compute(record)
    return asked


class Frontier:
    """The growing tree's right edge: the roots of its complete subtrees, largest first.

    Appending a leaf completes the subtrees it closes; each is new and never changes again,
    which is what the chain projection stores and the API's proofs are made of.
    """

    def __init__(self, size: int = 0, roots: Sequence[bytes] = ()) -> None:
        self.size = size
        self.roots = list(roots)

    @staticmethod
    def nodes_of(size: int) -> list[Node]:
        """The (level, index) of the roots of a tree of ``size`` leaves, largest first."""
        found, start = [], 0
        for level in range(size.bit_length() - 1, -1, -1):
            if size >> level & 1:
                found.append((level, start >> level))
                start += 1 << level
        return found

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf hash; returns the complete subtrees it made, (level, index, hash)."""
        made = [(0, self.size, leaf)]
        value, level, index = leaf, 0, self.size
        while index & 1:
            value = node_hash(self.roots.pop(), value)
            level, index = level + 1, index >> 1
            made.append((level, index, value))
        self.roots.append(value)
        self.size += 1
        return made

    def root(self) -> bytes:
        """MTH of the leaves so far (the hash of the empty string for none, as RFC 9162 says)."""
        if not self.roots:
            return hashlib.sha256(b"").digest()
        value = self.roots[-1]
        for left in reversed(self.roots[:-1]):
            value = node_hash(left, value)
        return value
