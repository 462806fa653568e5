"""Stored events are forever: a store written by an earlier release folds and rebuilds today.

tests/fixtures/release-2026-11-29 holds every row the release of 2026-11-29 wrote for the
demo's 30 studios (all seventeen event types of that release). Its payloads lack the fields
added since (ends_rectification, young, enrolled_on, construction_subsidy_fen) and carry an
agreement date on every enrolment: upcasting and the fields' defaults must read them as that
release meant them, and where no rule changed the register must come out as it did then.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import dict_row

from casework.application import Casework
from casework.domain.events import ApprenticeEnrolled, Evaluated, Submitted
from casework.domain.state import Studio
from casework.store import decode_state
from projections.models import all_projections
from projections.runner import Projector

FIXTURE = Path(__file__).parent.parent / "fixtures" / "release-2026-11-29"
# The register's columns the fixture kept, all of them untouched by the revision's rules.
COMPARED = (
    "status", "level", "county", "name", "version", "construction_paid_fen", "apprenticeship_paid_fen",
    "last_grade", "last_total", "rectification_deadline", "revocation_ground", "closed_on",
    "award_published_on", "apprentices", "inspections",
)  # fmt: skip


def stored_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (FIXTURE / "events.jsonl").read_text().splitlines()]


def load_fixture(app: Casework, database_url: str) -> None:
    """The rows exactly as that release stored them (its byte-for-byte JSON)."""
    with psycopg.connect(database_url) as conn:
        for row in stored_rows():
            conn.execute(
                f"INSERT INTO {app.store.events_table_name} "  # noqa: S608
                "(originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)",
                (UUID(row["originator_id"]), row["originator_version"], row["topic"], row["state"].encode()),
            )


def test_every_old_payload_decodes_and_is_brought_up_to_date() -> None:
    seen: dict[str, int] = defaultdict(int)
    for row in stored_rows():
        _, event = decode_state(row["state"].encode())
        seen[type(event).__name__] += 1
        if isinstance(event, ApprenticeEnrolled):
            assert event.enrolled_on == event.agreement_signed_on is not None
            assert event.id.masked.endswith("*" * 14)
        if isinstance(event, Evaluated):
            assert event.ends_rectification is None  # "recorded before the decision said"
        if isinstance(event, Submitted):
            # Masked as today: province and city only (the old form showed the last four).
            assert event.proposal.master.id.masked == event.proposal.master.id.masked[:4] + "*" * 14
            assert all(m.id.masked.endswith("*" * 14) for m in event.proposal.members)
    assert len(seen) == 17


def test_every_studio_folds_and_every_projection_rebuilds(app: Casework, database_url: str) -> None:
    load_fixture(app, database_url)
    studios = {UUID(row["originator_id"]) for row in stored_rows()}
    folded = [app.load(sid) for sid in studios]
    assert all(isinstance(studio, Studio) for studio in folded)

    projector = Projector(app, database_url)
    try:
        projections = all_projections()
        for projection in projections:
            projector.ensure(projection)
        projector.rebuild(projections, processes=1)
    finally:
        projector.close()

    before = {row["id"]: row for row in json.loads((FIXTURE / "register.json").read_text())}
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        columns = ", ".join(f"{c}::text AS {c}" for c in COMPARED)
        now = {
            row["id"]: row
            for row in conn.execute(f"SELECT id::text AS id, {columns} FROM register_studios").fetchall()  # noqa: S608
        }
        audit = conn.execute("SELECT count(*) AS n FROM audit_trail").fetchone()
    assert audit is not None
    assert audit["n"] == len(stored_rows())
    assert set(now) == set(before)
    for sid, old in before.items():
        assert {c: _text(old[c]) for c in COMPARED} == {c: now[sid][c] for c in COMPARED}, sid


def _text(value: object) -> str | None:
    return None if value is None else str(value)
