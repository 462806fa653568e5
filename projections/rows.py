"""One row type per projection table: a msgspec Struct whose fields are the table's columns,
in the table's order (tests/integration/test_row_types.py holds each to its SQL).

From it come the column list, a row's COPY text, the upsert, and what readers show: the
names of an export's header and of a JSON answer, where a sum of money kept in fen
(``amount_fen``, an integer) is shown in yuan under its plain name (``amount``, "30000.00").
Adding a column is then: a field of the row, the column in the table's SQL (a migration for
tables already built), and a test.
"""

from __future__ import annotations

import datetime as dt
import functools
import types
import typing
from collections.abc import Callable
from typing import Any
from uuid import UUID

import msgspec

from projections import copytext

FEN = "_fen"


def columns(row: type[msgspec.Struct]) -> tuple[str, ...]:
    """The table's columns, in order."""
    return row.__struct_fields__


def values(row: msgspec.Struct) -> tuple[Any, ...]:
    """A row's values in column order (what psycopg's parameters take)."""
    return msgspec.structs.astuple(row)


def line(row: msgspec.Struct) -> str:
    """A row in COPY text format."""
    formats = _formats(type(row))
    return "\t".join([f(v) for f, v in zip(formats, msgspec.structs.astuple(row), strict=True)]) + "\n"


_PLAIN: dict[Any, Callable[[Any], str]] = {
    int: str,
    UUID: str,
    str: copytext.text,
    dt.datetime: dt.datetime.isoformat,
    dt.date: dt.date.isoformat,
}


@functools.cache
def _formats(row: type[msgspec.Struct]) -> tuple[Callable[[Any], str], ...]:
    """Each column's writer, chosen once from its type: a rebuild writes millions of rows,
    and asking each value its type (copytext.field) took three times as long as this."""
    return tuple(_format(hint) for hint in typing.get_type_hints(row).values())


def _format(hint: Any) -> Callable[[Any], str]:
    if isinstance(hint, types.UnionType):
        inner = [a for a in hint.__args__ if a is not type(None)]
        plain = _format(inner[0]) if len(inner) == 1 else copytext.field
        return lambda v: copytext.NULL if v is None else plain(v)
    return _PLAIN.get(hint, copytext.field)


def upsert(table: str, row: type[msgspec.Struct]) -> str:
    """INSERT of a whole row that replaces the row of the same key (the first column)."""
    names = columns(row)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in names[1:])
    return (
        f"INSERT INTO {table} ({', '.join(names)}) "  # noqa: S608 - names come from the Struct
        f"VALUES ({', '.join(['%s'] * len(names))}) ON CONFLICT ({names[0]}) DO UPDATE SET {updates}"
    )


def shown(row: type[msgspec.Struct]) -> tuple[str, ...]:
    """The names readers see: a column in fen under its plain name (shown in yuan)."""
    return tuple(c.removesuffix(FEN) for c in columns(row))


def in_yuan(row: type[msgspec.Struct]) -> tuple[str, ...]:
    """The shown names whose values are money, kept in fen and shown in yuan."""
    return tuple(c.removesuffix(FEN) for c in columns(row) if c.endswith(FEN))
