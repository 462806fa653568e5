"""Read-your-writes: the last log position each user wrote, shared by every worker of a serve.

A user who writes through one worker process may read through another (a new connection
lands on whichever worker accepts it), so the positions live in memory shared by all the
workers of one ``casework serve``. Users are hashed into a fixed number of slots: two users
in one slot only make one of them wait for the other's write, never read a stale answer.

Each worker writes only a row of its own and readers take the highest position over the
rows: no lock, so no worker can leave the others waiting on one it died holding.
"""

from __future__ import annotations

import ctypes
import fcntl
import multiprocessing
import os
import zlib
from pathlib import Path
from typing import Any

SLOTS = 1 << 14  # 128 KiB of positions per row

# Spawn, as uvicorn starts its workers: the array passes to them at their start.
_context = multiprocessing.get_context("spawn")


class NoFreeRow(RuntimeError):
    """More live workers than rows."""


class LastWrites:
    """Per user, the highest notification position they wrote (0 when unknown).

    ``rows`` is how many processes may write at once: one for a single process; for the
    workers of one serve, twice their number, so that a replacement started before the
    worker it replaces has gone (uvicorn's restart on SIGHUP) still finds a row.
    """

    def __init__(self, rows: int = 1, claims: Path | None = None) -> None:
        assert rows == 1 or claims is not None, "workers claim their rows through lock files"
        self._rows = rows
        # One process keeps them in its own memory; workers share theirs (in /dev/shm).
        self._positions: Any = (
            (ctypes.c_int64 * SLOTS)() if claims is None else _context.RawArray("q", rows * SLOTS)
        )
        self._claims = claims
        self._row = 0
        self._held: int | None = None  # the descriptor whose lock holds this process's row

    def __getstate__(self) -> dict[str, Any]:
        # What a worker receives: the shared array and where to claim a row, not our claim.
        return {**self.__dict__, "_row": 0, "_held": None}

    def claim(self) -> None:
        """In a worker process: take a row no live worker holds, for as long as it lives.

        The row is held by a lock on a file, which the kernel lets go of when the process
        dies however it dies; its replacement takes the row over, positions and all."""
        assert self._claims is not None
        for row in range(self._rows):
            fd = os.open(self._claims / f"row-{row}.lock", os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self._row, self._held = row, fd
            return
        raise NoFreeRow(f"all {self._rows} rows of read-your-writes positions are taken")

    @staticmethod
    def _slot(subject: str) -> int:
        # crc32, not hash(): every worker process must put a user in the same slot.
        return zlib.crc32(subject.encode()) & (SLOTS - 1)

    def of(self, subject: str) -> int:
        """The position this user's reads must reflect."""
        # Aligned 8-byte loads and stores are never torn on the machines we run on.
        slot, positions = self._slot(subject), self._positions
        if self._rows == 1:  # one process: its own row (this runs before every query)
            return int(positions[slot])
        position: int = max(positions[row * SLOTS + slot] for row in range(self._rows))
        return position

    def record(self, subject: str, position: int) -> None:
        """After a write: this user's next read waits for ``position``. Only ever called on
        a worker's event loop: its row has that one writer."""
        index = self._row * SLOTS + self._slot(subject)
        self._positions[index] = max(self._positions[index], position)
