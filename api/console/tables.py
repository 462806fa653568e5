"""Long tables written in Python rather than in the template: a studio's timeline runs to
a thousand rows and more, and Jinja's per-cell lookups and filters made the page render at a
fifth of the JSON history's rate (benchmarks/console.py); joined here it is one pass."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from markupsafe import Markup

from api.console import words


def timeline_rows(records: Sequence[Mapping[str, Any]]) -> Markup:
    """The timeline's rows: version, recorded (Wenzhou time), effective, actor, role, act,
    status change and what changed, each cell escaped."""
    out = []
    for r in records:
        before, after = r["status_before"], r["status_after"]
        change = words.word(words.STATUS, after)
        if before and before != after:
            change = f"{words.word(words.STATUS, before)} → {change}"
        out.append(
            f'<tr><td class="num">{r["version"]}</td><td>{escape(words.moment(r["recorded_at"]))}</td>'
            f"<td>{escape(str(r['effective_on']))}</td><td>{escape(str(r['actor']))}</td>"
            f"<td>{escape(words.word(words.ROLE, r['role']))}</td>"
            f'<td title="{escape(str(r["type"]))}">{escape(words.word(words.ACT, r["type"]))}</td>'
            f"<td>{escape(change)}</td><td>{escape(str(r['summary']))}</td></tr>"
        )
    return Markup("".join(out))  # noqa: S704 - every value in it is escaped above
