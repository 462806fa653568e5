"""After an upgrade that changes a read model, the projections rebuild it before writing.

A release that changes a projection's tables (or the meaning of its rows) must not write into
the tables an earlier release made: the catalog keeps the fingerprint of the release that made
the served generation, and a starting runner rebuilds every generation with another one.
"""

from __future__ import annotations

import uuid

import psycopg

from casework.application import Casework, Context
from projections import catalog
from projections.models import all_projections
from projections.register import Register
from projections.runner import ProjectionRunner
from tests import builders as b
from tests.serving import casework


def generations(database_url: str) -> dict[str, tuple[int, str | None]]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(f"SELECT name, generation, fingerprint FROM {catalog.CATALOG}").fetchall()  # noqa: S608
    return {name: (generation, fingerprint) for name, generation, fingerprint in rows}


def test_tables_made_by_another_release_are_rebuilt_on_start(app: Casework, database_url: str) -> None:
    sid = uuid.uuid4()
    app.execute(b.submit(sid), Context(actor=b.applicant(), correlation_id="c", request_id="r"))
    with ProjectionRunner(app, database_url, batch_size=50) as runner:
        assert runner.wait(1)
    first = generations(database_url)
    assert {g for g, _ in first.values()} == {1}
    assert first["register"][1] == Register().fingerprint()

    # As the release before fingerprints left it: no fingerprint, and a register without the
    # columns this release added.
    with psycopg.connect(database_url) as conn:
        conn.execute(f"UPDATE {catalog.CATALOG} SET fingerprint = NULL WHERE name = 'register'")  # noqa: S608
        conn.execute("DROP VIEW register_studios")
        conn.execute("ALTER TABLE register_studios_g1 DROP COLUMN honours")
        conn.execute("CREATE VIEW register_studios AS SELECT * FROM register_studios_g1")

    app.execute(b.approve(sid), Context(actor=b.reviewer(), correlation_id="c", request_id="r2"))
    with ProjectionRunner(app, database_url, all_projections(), batch_size=50) as runner:
        assert runner.wait(2)
    after = generations(database_url)
    assert after["register"] == (2, Register().fingerprint())
    assert {name: g for name, (g, _) in after.items() if name != "register"} == {
        name: g for name, (g, _) in first.items() if name != "register"
    }
    with psycopg.connect(database_url) as conn:
        found = conn.execute("SELECT status, honours FROM register_studios WHERE id = %s", (sid,)).fetchone()
    assert found == ("county_approved", [])


def test_prepare_rebuilds_them_before_any_api_reads_them(app: Casework, database_url: str) -> None:
    first = casework("prepare", env={"CASEWORK_DATABASE_URL": database_url})
    assert first.returncode == 0, first.stderr
    with psycopg.connect(database_url) as conn:
        conn.execute(f"UPDATE {catalog.CATALOG} SET fingerprint = 'another release' WHERE name = 'ledger'")  # noqa: S608
    again = casework("prepare", env={"CASEWORK_DATABASE_URL": database_url})
    assert again.returncode == 0, again.stderr
    after = generations(database_url)
    assert after["ledger"][0] == 2
    assert {g for name, (g, _) in after.items() if name != "ledger"} == {1}
    assert all(
        fingerprint is not None and fingerprint != "another release" for _, fingerprint in after.values()
    )
