"""The domain stays pure: no clock, no I/O, no framework (import-linter checks imports)."""

from __future__ import annotations

import re
from pathlib import Path

import casework.domain

DOMAIN = Path(casework.domain.__file__).parent


def test_the_domain_reads_no_clock_and_does_no_io() -> None:
    forbidden = re.compile(r"\b(now|today|utcnow|time\.time|open|print|random|uuid4)\(")
    offenders = [
        f"{path.name}:{n}: {line.strip()}"
        for path in sorted(DOMAIN.glob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if forbidden.search(line)
    ]
    assert offenders == []
