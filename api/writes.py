"""Read-your-writes: the last log position each user wrote, shared by every worker of a serve.

A user who writes through one worker process may read through another (a new connection
lands on whichever worker accepts it), so the positions live in memory shared by all the
workers of one ``casework serve``. Users are hashed into a fixed number of slots: two users
in one slot only make one of them wait for the other's write, never read a stale answer.
"""

from __future__ import annotations

import multiprocessing
import zlib
from typing import Any

SLOTS = 1 << 16  # 512 KiB of positions

# Spawn, as uvicorn starts its workers: the array and its lock pass to them at their start.
_context = multiprocessing.get_context("spawn")


class LastWrites:
    """Per user, the highest notification position they wrote (0 when unknown)."""

    def __init__(self) -> None:
        self._positions: Any = _context.RawArray("q", SLOTS)
        self._lock: Any = _context.Lock()

    @staticmethod
    def _slot(subject: str) -> int:
        # crc32, not hash(): every worker process must put a user in the same slot.
        return zlib.crc32(subject.encode()) & (SLOTS - 1)

    def of(self, subject: str) -> int:
        """The position this user's reads must reflect."""
        # No lock to read: an aligned 8-byte load is never torn on the machines we run on.
        position: int = self._positions[self._slot(subject)]
        return position

    def record(self, subject: str, position: int) -> None:
        """After a write: this user's next read waits for ``position``."""
        slot = self._slot(subject)
        # Read-modify-write across processes: under the lock, or one worker's write could
        # overwrite another's higher position.
        with self._lock:
            self._positions[slot] = max(self._positions[slot], position)
