"""The API's read side: an asyncpg pool over the projection tables, and the health probe."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
import psycopg
from eventsourcing.persistence import OperationalError as StoreOperationalError

from projections.catalog import POSITIONS


def is_database_down(error: BaseException) -> bool:
    """Whether an error means the database cannot be reached (503), not a bad request."""
    return isinstance(
        error,
        OSError
        | asyncpg.exceptions.CannotConnectNowError
        | asyncpg.exceptions.ConnectionDoesNotExistError
        | asyncpg.exceptions.TooManyConnectionsError
        | asyncpg.exceptions.InterfaceError
        | asyncpg.exceptions.InternalClientError
        | asyncpg.exceptions.AdminShutdownError
        | psycopg.OperationalError
        | StoreOperationalError
        | TimeoutError,
    ) or (error.__cause__ is not None and is_database_down(error.__cause__))


async def _init(conn: asyncpg.Connection[Any]) -> None:
    # jsonb arrives as text by default; decode it once here.
    import json  # noqa: PLC0415

    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def keep_session(conn: asyncpg.Connection[Any]) -> None:
    """The pool's reset: nothing. The API's connections hold no session state (no LISTEN,
    no advisory lock, no SET), so asyncpg's default reset query would be one more round
    trip to the server for every query and buy nothing (an open transaction is still
    rolled back by asyncpg itself)."""


# libpq connection parameters that asyncpg does not know. It would pass them on to the server
# as settings, which the server refuses with "unrecognized configuration parameter".
_LIBPQ_ONLY = frozenset(
    {
        "channel_binding",
        "gssdelegation",
        "gssencmode",
        "hostaddr",
        "keepalives",
        "keepalives_count",
        "keepalives_idle",
        "keepalives_interval",
        "load_balance_hosts",
        "require_auth",
        "requirepeer",
        "sslcertmode",
        "sslcompression",
        "sslsni",
    }
)


def pool_arguments(database_url: str, default_timeout: float = 5.0) -> tuple[str, float]:
    """The database URL as asyncpg takes it, and the pool's connect timeout.

    CASEWORK_DATABASE_URL is a libpq URL (the event store reads it with psycopg). Two of its
    common parameters are translated for the API's pool: connect_timeout becomes the pool's
    timeout, and fallback_application_name its application_name. Any other parameter that
    only libpq knows is refused by name here, instead of by the server at the first
    connection.
    """
    parts = urlsplit(database_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    names = {name for name, _ in query}
    kept: list[tuple[str, str]] = []
    timeout = default_timeout
    for name, value in query:
        if name == "connect_timeout":
            try:
                # libpq reads 0 as "wait for ever"; asyncpg needs a bound: keep ours.
                timeout = float(value) if float(value) > 0 else timeout
            except ValueError:
                msg = f"CASEWORK_DATABASE_URL: connect_timeout={value!r} is not a number of seconds"
                raise ValueError(msg) from None
        elif name == "fallback_application_name":
            if "application_name" not in names:
                kept.append(("application_name", value))
        elif name in _LIBPQ_ONLY:
            msg = (
                f"CASEWORK_DATABASE_URL: {name} is a libpq parameter that the API's driver "
                "(asyncpg) cannot honour; remove it from the URL"
            )
            raise ValueError(msg)
        else:
            kept.append((name, value))
    return urlunsplit(parts._replace(query=urlencode(kept))), timeout


class DiscardingConnection(asyncpg.Connection):
    """A pooled connection that closes itself when its protocol is found mid-operation.

    After an outage a connection could come back to the pool with an operation unfinished;
    every later query on it failed with "cannot switch to state 12; another operation is in
    progress" (asyncpg's InternalClientError), answered 500. Such a connection is of no more
    use: it is closed at once, so that the pool opens a fresh one, and the request is a 503."""

    async def _execute(self, *args: Any, **kwargs: Any) -> Any:
        # fetch, fetchrow, fetchval and execute with arguments all come through here.
        try:
            return await super()._execute(*args, **kwargs)  # type: ignore[misc]
        except asyncpg.exceptions.InternalClientError:
            self.terminate()
            raise

    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:
        try:
            return await super().execute(query, *args, timeout=timeout)
        except asyncpg.exceptions.InternalClientError:
            self.terminate()
            raise


async def create_pool(database_url: str, size: int = 8, timeout: float = 5.0) -> asyncpg.Pool[Any]:
    url, timeout = pool_arguments(database_url, timeout)
    return await asyncpg.create_pool(
        url,
        min_size=1,
        max_size=size,
        init=_init,
        reset=keep_session,
        timeout=timeout,
        connection_class=DiscardingConnection,
    )


def _head_sql(events_table: str) -> str:
    return f"SELECT coalesce(max(notification_id), 0) FROM {events_table}"  # noqa: S608


async def log_head(pool: asyncpg.Pool[Any], events_table: str) -> int:
    """The last position of the log (0 for an empty one)."""
    return int(await pool.fetchval(_head_sql(events_table)))


HEALTH_PROBE = "casework-health"  # the probe's application_name, as pg_stat_activity shows it


class HealthProbe:
    """What readiness and metrics read: each projection's position and lag, through a
    connection of the probe's own (a probe never waits behind requests for the API's pool,
    nor takes a connection from them), and read at most once a second however often probed."""

    def __init__(
        self, database_url: str, events_table: str, timeout: float = 2.0, fresh_for: float = 1.0
    ) -> None:
        self.url, _ = pool_arguments(database_url)
        self.events_table = events_table
        self.timeout = timeout
        self.fresh_for = fresh_for
        self._conn: asyncpg.Connection[Any] | None = None
        self._lock = asyncio.Lock()
        self._read: tuple[float, list[tuple[str, int, int]]] | None = None
        self.queries = 0  # how many times it read the database (for the tests and curious operators)

    async def positions(self) -> list[tuple[str, int, int]]:
        """(projection, position, lag) of every projection, as of at most a second ago."""
        async with self._lock:
            if self._read is not None and time.monotonic() - self._read[0] < self.fresh_for:
                return self._read[1]
            try:
                async with asyncio.timeout(self.timeout):
                    if self._conn is None or self._conn.is_closed():
                        self._conn = await asyncpg.connect(
                            self.url, timeout=self.timeout, server_settings={"application_name": HEALTH_PROBE}
                        )
                    self.queries += 1
                    head = await self._conn.fetchval(_head_sql(self.events_table))
                    rows = await self._conn.fetch(POSITIONS + "ORDER BY c.name")
            except BaseException:
                await self.close()  # a connection that failed once is not trusted again
                raise
            positions = [(r["name"], r["position"], max(0, head - r["position"])) for r in rows]
            self._read = (time.monotonic(), positions)
            return positions

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.terminate()
