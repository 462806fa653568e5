"""Secrets kept in the data folder when none is configured: made once, readable by the owner only."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def read_or_create(path: Path, make: Callable[[], str]) -> str:
    """The file's content, writing ``make()`` into it (mode 0600) if it does not exist yet.

    Written whole under another name, then linked into place: processes starting at once
    (the workers of one serve) all read one complete secret, never a half-written file.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
        try:
            with os.fdopen(fd, "w") as f:
                f.write(make())
            os.link(draft, path)
        except FileExistsError:  # another process made it first: use theirs
            pass
        finally:
            os.unlink(draft)
    return path.read_text().strip()
