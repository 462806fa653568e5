"""The register: the current state of every studio, as the administrators query it."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import msgspec
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.types.json import Jsonb

from casework.domain.events import SubsidyStandardSet
from casework.domain.state import Studio, evolve, next_evaluation_due
from casework.domain.training import trained_per_award_year
from projections import copytext
from projections.base import Builder, Item, Projection, Sink, table

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(Studio).decode

COLUMNS = (
    "id", "case_no", "version", "status", "level", "name", "name_grams", "occupation", "county",
    "master_name", "master_id_masked", "master_qualification", "host_kind", "host_name",
    "host_credit_code", "submitted_on", "award_decision_no", "award_published_on", "plaque_no",
    "construction_paid_fen", "apprenticeship_paid_fen", "training_per_award_year",
    "apprentices", "last_period", "last_base", "last_bonus", "last_total", "last_grade",
    "last_evaluated_on", "rectification_reason", "rectification_ordered_on", "rectification_deadline",
    "rectification_reviewed_on", "rectification_review_passed", "next_evaluation_due", "honours",
    "inspections", "province_recommendations", "revocation_ground", "closed_on",
    "position", "updated_at", "state",
)  # fmt: skip


def name_grams(text: str) -> list[str]:
    """Every character and every pair of adjacent characters: what a name search matches."""
    chars = [c for c in text.lower() if not c.isspace()]
    return sorted({*chars, *(a + b for a, b in itertools.pairwise(chars))})


def search_grams(query: str) -> list[str]:
    """The grams a name must contain to match ``query`` (pairs, or the one character)."""
    chars = [c for c in query.lower() if not c.isspace()]
    if len(chars) == 1:
        return chars
    return sorted({a + b for a, b in itertools.pairwise(chars)})


def training_shortfall_sql(today: str, duty: str) -> str:
    """``casework.domain.training.training_duty(...).shortfall`` over a register row, in SQL
    (tested against it); ``today`` and ``duty`` are the query's placeholders for them."""
    done = f"extract(year from age({today}::date, award_published_on))::int"
    # Placeholders and constants only: no value is formatted into the SQL.
    return _SHORTFALL.format(done=done, duty=duty)


_SHORTFALL = (
    "(status IN ('awarded', 'rectifying') AND award_published_on IS NOT NULL AND {done} >= 1 "
    "AND (SELECT coalesce(sum(n), 0) FROM unnest(training_per_award_year[1:{done}]) AS n) "
    "< {duty}::int * {done})"
)


def row(studio: Studio, position: int, updated_at: dt.datetime) -> tuple[Any, ...]:
    """The register row of a studio, in COLUMNS order."""
    proposal, award, last = studio.proposal, studio.award, studio.latest_evaluation
    order = studio.open_rectification
    review = order.reviews[-1] if order and order.reviews else None
    return (
        studio.id,
        studio.case_no,
        studio.version,
        studio.status,
        proposal.level,
        proposal.name,
        name_grams(proposal.name),
        proposal.occupation,
        proposal.host.county,
        proposal.master.name,
        proposal.master.id.masked,
        proposal.master.qualification,
        proposal.host.kind,
        proposal.host.name,
        proposal.host.credit_code,
        studio.submitted_on,
        award.decision_no if award else None,
        award.published_on if award else None,
        award.plaque_no if award else None,
        sum(p.amount_fen for p in studio.standing_payments("construction")),
        sum(p.amount_fen for p in studio.standing_payments("apprenticeship")),
        trained_per_award_year(studio),
        len(studio.apprentices),
        last.period if last else None,
        last.base if last else None,
        last.bonus_total if last else None,
        last.total if last else None,
        last.grade if last else None,
        last.evaluated_on if last else None,
        order.reason if order else None,
        order.ordered_on if order else None,
        order.deadline if order else None,
        review.reviewed_on if review else None,
        review.passed if review else None,
        next_evaluation_due(studio),
        Jsonb([msgspec.to_builtins(h) for h in studio.honours]),
        studio.inspections,
        list(studio.province_recommendations),
        studio.revocation_ground,
        studio.closed_on,
        position,
        updated_at,
        _encode(studio),
    )


class Register(Projection):
    name = "register"
    tables = ("register_studios",)
    # The domain's fold of every event, and nine indexes: as much as the other three together.
    rebuild_cost = 3.0

    def apply(self, curs: Cursor[DictRow], items: Sequence[Item], generation: int) -> None:
        studios = table("register_studios", generation)
        ids = list({item.studio_id for item in items})
        curs.execute(f"SELECT id, state FROM {studios} WHERE id = ANY(%s)", (ids,))  # noqa: S608
        states: dict[UUID, Studio | None] = {r["id"]: _decode(r["state"]) for r in curs.fetchall()}
        last_item: dict[UUID, Item] = {}
        for item in items:
            if isinstance(item.event, SubsidyStandardSet):
                continue  # the policy's stream, no studio's
            states[item.studio_id] = evolve(states.get(item.studio_id), item.event, item.studio_id)
            last_item[item.studio_id] = item
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS[1:])
        curs.executemany(
            f"INSERT INTO {studios} ({', '.join(COLUMNS)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(COLUMNS))}) "
            f"ON CONFLICT (id) DO UPDATE SET {updates}",
            [
                row(state, last_item[sid].position, last_item[sid].recorded_at)
                for sid, state in states.items()
                if sid in last_item and state
            ],
        )

    def builder(self, generation: int) -> Builder:
        return RegisterBuilder(table("register_studios", generation))


class RegisterBuilder(Builder):
    """The register from the first event: every studio folded in memory, written at the end."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.states: dict[UUID, Studio] = {}
        # Where and when each studio last changed (not the whole item: memory is the limit here).
        self.last: dict[UUID, tuple[int, dt.datetime]] = {}

    def feed(self, items: Sequence[Item], sink: Sink) -> None:
        states, last = self.states, self.last
        for item in items:
            if isinstance(item.event, SubsidyStandardSet):
                continue  # the policy's stream, no studio's
            states[item.studio_id] = evolve(states.get(item.studio_id), item.event, item.studio_id)
            last[item.studio_id] = (item.position, item.meta.recorded_at)

    def finish(self, sink: Sink) -> None:
        # In slices: a row carries the studio's whole state, twice its size as hex, and the
        # register of a million events written at once took gigabytes.
        ids = list(self.states)
        for start in range(0, len(ids), FINISH_SLICE):
            lines = []
            for sid in ids[start : start + FINISH_SLICE]:
                position, changed_at = self.last.pop(sid)
                lines.append(copytext.row(row(self.states.pop(sid), position, changed_at)))
            sink.rows(self.name, COLUMNS, lines)


FINISH_SLICE = 500
