"""Rows written in COPY text format read back exactly, whatever characters they hold."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.types.json import Jsonb

from projections import copytext

# Any text PostgreSQL can hold (no NUL): tabs, newlines, backslashes, quotes, braces, 中文.
texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=texts,
    note=st.none() | texts,
    grams=st.lists(texts, max_size=5),
    years=st.lists(st.integers(1990, 2100), max_size=4),
    payload=st.dictionaries(texts, texts, max_size=3),
    blob=st.binary(max_size=40),
    amount=st.decimals(min_value=-999, max_value=999, places=1, allow_nan=False),
)
def test_a_row_reads_back_as_written(
    database_url: str,
    name: str,
    note: str | None,
    grams: list[str],
    years: list[int],
    payload: dict[str, str],
    blob: bytes,
    amount: Decimal,
) -> None:
    studio = uuid.uuid4()
    at = dt.datetime(2026, 11, 26, 8, 30, 15, 123456, tzinfo=dt.UTC)
    values = (studio, name, note, grams, years, Jsonb(payload), blob, amount, True, dt.date(2025, 2, 28), at)
    with psycopg.connect(database_url) as conn:
        conn.execute(
            "CREATE TEMP TABLE t (id uuid, name text, note text, grams text[], years integer[], "
            "payload jsonb, blob bytea, amount numeric(6, 1), flag boolean, day date, at timestamptz)"
        )
        with conn.cursor().copy("COPY t FROM STDIN") as copy:
            copy.write(copytext.row(values))
        back = conn.execute("SELECT * FROM t").fetchone()
    assert back == (studio, name, note, grams, years, payload, blob, amount, True, dt.date(2025, 2, 28), at)


def test_an_unknown_type_is_refused() -> None:
    with pytest.raises(TypeError, match="object"):
        copytext.field(object())
