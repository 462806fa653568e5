"""Generations of projection tables, the views that serve them, and the switch between them."""

from __future__ import annotations

from psycopg import Cursor
from psycopg.rows import DictRow

from casework.store import SCHEMA_LOCK
from projections.base import Projection, table

CATALOG = "casework_projections"
TRACKING = "casework_projection_tracking"

CREATE_CATALOG = f"""
CREATE TABLE IF NOT EXISTS {CATALOG} (
    name text PRIMARY KEY,
    generation integer NOT NULL,      -- the one the views serve
    last_generation integer NOT NULL  -- the newest ever created (rebuilds count up)
)"""
# The release whose tables and rows the served generation holds (Projection.fingerprint);
# added after the first release, whose rows have none.
ADD_FINGERPRINT = f"ALTER TABLE {CATALOG} ADD COLUMN IF NOT EXISTS fingerprint text"


# The application name under which a generation's position is tracked ("register:g3"):
# Python's % and PostgreSQL's format() read this one template alike.
TRACKING_NAME = "%s:g%s"

# Every projection's served generation and the position it has applied: what the API's
# read-your-writes, the health probe and the runners' status read.
POSITIONS = f"""
SELECT c.name, c.generation, coalesce(t.notification_id, 0) AS position
FROM {CATALOG} c
LEFT JOIN {TRACKING} t ON t.application_name = format('{TRACKING_NAME}', c.name, c.generation)
"""  # noqa: S608


def tracking_name(projection: Projection, generation: int) -> str:
    """The application name under which a generation's position is tracked."""
    return TRACKING_NAME % (projection.name, generation)


def ensure(curs: Cursor[DictRow], projection: Projection) -> int:
    """The active generation, creating the first one (tables and views) if need be."""
    # Two processes starting at once must not both create the catalog or generation 1.
    curs.execute(SCHEMA_LOCK)
    curs.execute(CREATE_CATALOG)
    curs.execute(ADD_FINGERPRINT)
    curs.execute(f"SELECT generation FROM {CATALOG} WHERE name = %s", (projection.name,))  # noqa: S608
    found = curs.fetchone()
    if found is not None:
        return int(found["generation"])
    curs.execute(projection.ddl(1))
    point_views(curs, projection, 1)
    curs.execute(
        f"INSERT INTO {CATALOG} (name, generation, last_generation, fingerprint) "  # noqa: S608
        "VALUES (%s, 1, 1, %s)",
        (projection.name, projection.fingerprint()),
    )
    return 1


def outdated(curs: Cursor[DictRow], projection: Projection) -> bool:
    """Whether the served generation was made by another release of the projection (other
    tables or other rows): it must be rebuilt before this code writes to it."""
    curs.execute(f"SELECT fingerprint FROM {CATALOG} WHERE name = %s", (projection.name,))  # noqa: S608
    found = curs.fetchone()
    assert found is not None, "ensure() first"
    return bool(found["fingerprint"] != projection.fingerprint())


def new_generation(curs: Cursor[DictRow], projection: Projection) -> int:
    """Create the tables of a fresh generation (not yet served), without secondary indexes:
    rows go in faster without them, and ``index_generation`` adds them before the switch."""
    curs.execute(
        f"UPDATE {CATALOG} SET last_generation = last_generation + 1 "  # noqa: S608
        "WHERE name = %s RETURNING last_generation",
        (projection.name,),
    )
    found = curs.fetchone()
    assert found is not None, "ensure() first"
    generation = int(found["last_generation"])
    for base in projection.tables:
        curs.execute(f"DROP TABLE IF EXISTS {table(base, generation)}")
    curs.execute(projection.ddl(generation, "tables"))
    return generation


def index_generation(curs: Cursor[DictRow], projection: Projection, generation: int) -> None:
    curs.execute(projection.ddl(generation, "indexes"))


def active_generation(curs: Cursor[DictRow], projection: Projection, *, lock: str = "") -> int:
    """The served generation; ``lock`` (FOR SHARE, FOR UPDATE) holds it for the transaction.

    A batch holds it FOR SHARE, a switch FOR UPDATE: no batch writes to a generation that
    is being switched away from, and the switch waits for batches in flight.
    """
    lock = f" {lock}" if lock else ""
    curs.execute(f"SELECT generation FROM {CATALOG} WHERE name = %s{lock}", (projection.name,))  # noqa: S608
    found = curs.fetchone()
    assert found is not None, "ensure() first"
    return int(found["generation"])


def point_views(curs: Cursor[DictRow], projection: Projection, generation: int) -> None:
    for base in projection.tables:
        curs.execute(f"DROP VIEW IF EXISTS {base}")
        curs.execute(f"CREATE VIEW {base} AS SELECT * FROM {table(base, generation)}")  # noqa: S608


def switch(curs: Cursor[DictRow], projection: Projection, generation: int) -> int:
    """Serve ``generation`` from now on; returns the generation it replaces."""
    old = active_generation(curs, projection, lock="FOR UPDATE")
    point_views(curs, projection, generation)
    # The rebuild that switches made the generation with this release's code.
    curs.execute(
        f"UPDATE {CATALOG} SET generation = %s, fingerprint = %s WHERE name = %s",  # noqa: S608
        (generation, projection.fingerprint(), projection.name),
    )
    return old


def abandoned_generations(curs: Cursor[DictRow], projection: Projection) -> list[int]:
    """Generations whose tables exist but are not served: what a rebuild that was killed or
    crashed before its switch left behind. Only meaningful under the rebuild lock (otherwise
    a rebuild in progress would look abandoned)."""
    served = active_generation(curs, projection)
    found: set[int] = set()
    for base in projection.tables:
        curs.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename ~ %s",
            (f"^{base}_g[0-9]+$",),
        )
        found.update(int(row["tablename"].rsplit("_g", 1)[1]) for row in curs.fetchall())
    return sorted(found - {served})


def drop_generation(curs: Cursor[DictRow], projection: Projection, generation: int) -> None:
    for base in projection.tables:
        curs.execute(f"DROP TABLE IF EXISTS {table(base, generation)}")
    curs.execute(
        f"DELETE FROM {TRACKING} WHERE application_name = %s",  # noqa: S608
        (tracking_name(projection, generation),),
    )
