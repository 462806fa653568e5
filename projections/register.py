"""The register: the current state of every studio, as the administrators query it."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from decimal import Decimal
from uuid import UUID

import msgspec
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.types.json import Jsonb

from casework.domain.events import SubsidyStandardSet
from casework.domain.state import Studio, evolve, next_evaluation_due
from casework.domain.training import trained_per_award_year
from projections import rows
from projections.base import Builder, Item, Projection, Sink, table

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(Studio).decode


class RegisterRow(msgspec.Struct, kw_only=True):
    """A row of register_studios: one studio, as GET /api/v1/studios/{id} describes it."""

    id: UUID
    case_no: str
    version: int
    status: str
    level: str
    name: str
    name_grams: list[str]  # single characters and pairs of the name: what a name search matches
    occupation: str
    county: str
    master_name: str
    master_id_masked: str
    master_qualification: str | None
    host_kind: str
    host_name: str
    host_credit_code: str
    submitted_on: dt.date
    award_decision_no: str | None
    award_published_on: dt.date | None
    plaque_no: str | None
    construction_paid_fen: int
    apprenticeship_paid_fen: int
    training_per_award_year: list[int]
    apprentices: int
    last_period: str | None
    last_base: Decimal | None
    last_bonus: Decimal | None
    last_total: Decimal | None
    last_grade: str | None
    last_evaluated_on: dt.date | None
    rectification_reason: str | None
    rectification_ordered_on: dt.date | None
    rectification_deadline: dt.date | None
    rectification_reviewed_on: dt.date | None
    rectification_review_passed: bool | None
    next_evaluation_due: dt.date | None
    honours: Jsonb
    inspections: int
    province_recommendations: list[int]
    revocation_ground: str | None
    closed_on: dt.date | None
    position: int
    updated_at: dt.datetime
    state: bytes  # the domain's own state, so that the next event is folded by the domain's evolve


COLUMNS = rows.columns(RegisterRow)


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


def row(studio: Studio, position: int, updated_at: dt.datetime) -> RegisterRow:
    """The register row of a studio."""
    proposal, award, last = studio.proposal, studio.award, studio.latest_evaluation
    order = studio.open_rectification
    review = order.reviews[-1] if order and order.reviews else None
    return RegisterRow(
        id=studio.id,
        case_no=studio.case_no,
        version=studio.version,
        status=studio.status,
        level=proposal.level,
        name=proposal.name,
        name_grams=name_grams(proposal.name),
        occupation=proposal.occupation,
        county=proposal.host.county,
        master_name=proposal.master.name,
        master_id_masked=proposal.master.id.masked,
        master_qualification=proposal.master.qualification,
        host_kind=proposal.host.kind,
        host_name=proposal.host.name,
        host_credit_code=proposal.host.credit_code,
        submitted_on=studio.submitted_on,
        award_decision_no=award.decision_no if award else None,
        award_published_on=award.published_on if award else None,
        plaque_no=award.plaque_no if award else None,
        construction_paid_fen=sum(p.amount_fen for p in studio.standing_payments("construction")),
        apprenticeship_paid_fen=sum(p.amount_fen for p in studio.standing_payments("apprenticeship")),
        training_per_award_year=trained_per_award_year(studio),
        apprentices=len(studio.apprentices),
        last_period=last.period if last else None,
        last_base=last.base if last else None,
        last_bonus=last.bonus_total if last else None,
        last_total=last.total if last else None,
        last_grade=last.grade if last else None,
        last_evaluated_on=last.evaluated_on if last else None,
        rectification_reason=order.reason if order else None,
        rectification_ordered_on=order.ordered_on if order else None,
        rectification_deadline=order.deadline if order else None,
        rectification_reviewed_on=review.reviewed_on if review else None,
        rectification_review_passed=review.passed if review else None,
        next_evaluation_due=next_evaluation_due(studio),
        honours=Jsonb([msgspec.to_builtins(h) for h in studio.honours]),
        inspections=studio.inspections,
        province_recommendations=list(studio.province_recommendations),
        revocation_ground=studio.revocation_ground,
        closed_on=studio.closed_on,
        position=position,
        updated_at=updated_at,
        state=_encode(studio),
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
        curs.executemany(
            rows.upsert(studios, RegisterRow),
            [
                rows.values(row(state, last_item[sid].position, last_item[sid].recorded_at))
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
                lines.append(rows.line(row(self.states.pop(sid), position, changed_at)))
            sink.rows(self.name, COLUMNS, lines)


FINISH_SLICE = 500
