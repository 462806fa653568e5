"""The register's training-shortfall filter (SQL) says what casework.domain.training says.

The register keeps each studio's counts per award year; the API judges them on a day, in
Python for one studio and in SQL for the filter of the list. Both must agree on every row,
including awards on 29 February and days on either side of an anniversary.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.domain import rules
from casework.domain.policy import MEASURES
from casework.domain.training import training_duty
from projections.register import training_shortfall_sql

Row = tuple[int, str, dt.date | None, list[int]]
Connection = psycopg.Connection[tuple[object, ...]]


@pytest.fixture
def conn(database_url: str) -> Iterator[Connection]:
    with psycopg.connect(database_url) as conn:
        conn.execute(
            "CREATE TEMP TABLE register_rows (id int PRIMARY KEY, status text NOT NULL, "
            "award_published_on date, training_per_award_year integer[] NOT NULL)"
        )
        yield conn


def sql_shortfalls(conn: Connection, rows: list[Row], today: dt.date) -> set[int]:
    conn.execute("TRUNCATE register_rows")
    with conn.cursor() as curs:
        curs.executemany("INSERT INTO register_rows VALUES (%s, %s, %s, %s)", rows)
    duty = MEASURES.on(today).training_duty_per_year
    where = training_shortfall_sql("%(today)s", "%(duty)s")
    found = conn.execute(
        f"SELECT id FROM register_rows WHERE {where}",  # noqa: S608
        {"today": today, "duty": duty},
    ).fetchall()
    return {int(r[0]) for r in found}  # type: ignore[call-overload]


def python_shortfalls(rows: list[Row], today: dt.date) -> set[int]:
    return {
        rid
        for rid, status, awarded, counts in rows
        if awarded is not None and training_duty(awarded, counts, status, today).shortfall  # type: ignore[arg-type]
    }


EDGES = [dt.date(2016, 2, 29), dt.date(2015, 5, 8), dt.date(2014, 12, 31), dt.date(2015, 1, 1)]
DAYS = [
    edge.replace(year=edge.year + years, day=min(edge.day, 28)) + dt.timedelta(days=shift)
    for edge, years, shift in itertools.product(EDGES, (0, 1, 2, 3), (-1, 0, 1, 2))
]


def test_the_filter_agrees_with_the_duty_around_anniversaries(
    conn: Connection,
) -> None:
    duty = MEASURES.on(dt.date(2026, 1, 1)).training_duty_per_year
    rows: list[Row] = []
    for i, (awarded, counts, status) in enumerate(
        itertools.product(
            EDGES,
            ([], [duty - 1], [duty], [duty + 1, duty - 1], [0, 2 * duty], [duty - 1, duty, 3 * duty]),
            ("awarded", "rectifying", "revoked"),
        )
    ):
        rows.append((i, status, awarded, list(counts)))
    rows.append((len(rows), "submitted", None, []))
    for today in [*DAYS, dt.date(2016, 3, 1), dt.date(2017, 2, 28), dt.date(2017, 3, 1)]:
        assert sql_shortfalls(conn, rows, today) == python_shortfalls(rows, today), today
    # The grid is not trivial: both answers occur.
    assert python_shortfalls(rows, dt.date(2018, 1, 1))
    assert python_shortfalls(rows, dt.date(2018, 1, 1)) != {r[0] for r in rows}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(sorted(rules.ACTIVE_STUDIO | {"revoked"})),
            st.dates(dt.date(2013, 5, 8), dt.date(2024, 12, 31)),
            st.lists(st.integers(0, 12), max_size=12),
        ),
        min_size=1,
        max_size=20,
    ),
    today=st.dates(dt.date(2013, 5, 8), dt.date(2030, 12, 31)),
)
def test_the_filter_agrees_with_the_duty_on_any_register(
    conn: Connection, rows: list[tuple[str, dt.date, list[int]]], today: dt.date
) -> None:
    numbered: list[Row] = [(i, status, awarded, counts) for i, (status, awarded, counts) in enumerate(rows)]
    assert sql_shortfalls(conn, numbered, today) == python_shortfalls(numbered, today)
