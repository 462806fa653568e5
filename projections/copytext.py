"""Rows in PostgreSQL's COPY text format, built in bulk for a rebuild.

psycopg's ``Copy.write_row`` adapts every value on its own; a rebuild writes millions of
rows, so it formats them as text here and hands PostgreSQL one large buffer per batch.
Only the types the projections' tables hold are supported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from uuid import UUID

import msgspec
from psycopg.types.json import Jsonb

NULL = "\\N"

# The four characters COPY's text format gives a meaning to.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def text(value: str) -> str:
    """A text field (any character the format reserves escaped)."""
    # Almost no text holds one of them, and four searches cost far less than a translate.
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


def field(value: object) -> str:
    """One field of a row, for the column types the projections use."""
    if value is None:
        return NULL
    if isinstance(value, str):
        return text(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | Decimal | UUID):
        return str(value)
    if isinstance(value, bytes):
        # bytea in hex; the backslash itself is escaped in the text format.
        return "\\\\x" + value.hex()
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return array(value)
    if isinstance(value, Jsonb):
        return text(msgspec.json.encode(value.obj).decode())
    msg = f"no COPY text form for {type(value).__name__}"
    raise TypeError(msg)


def array(values: Iterable[object]) -> str:
    """A one-dimensional array literal; every element quoted, so any text is safe."""
    parts = []
    for value in values:
        if value is None:
            parts.append("NULL")
        else:
            item = str(value).replace("\\", "\\\\").replace('"', '\\"')
            parts.append(f'"{item}"')
    return text("{" + ",".join(parts) + "}")


def row(values: Iterable[object]) -> str:
    """A whole line of a COPY text stream."""
    return "\t".join([field(v) for v in values]) + "\n"
