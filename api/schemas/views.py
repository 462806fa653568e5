"""Response bodies (msgspec Structs): what the API answers, and a register row shown as a studio."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec
from msgspec import Struct

from api.schemas.money import yuan
from casework.domain import rules
from casework.domain.policy import MEASURES, PolicyTable
from casework.domain.training import training_duty


class MasterView(Struct):
    name: str
    id_number: str  # masked: 3303************** (province and city)
    qualification: str | None


class HostView(Struct):
    kind: str
    name: str
    credit_code: str
    county: str


class AwardView(Struct):
    decision_no: str
    published_on: dt.date
    plaque_no: str


class SubsidiesView(Struct):
    construction_paid: str
    apprenticeship_paid: str
    total_paid: str


class AwardYearView(Struct):
    number: int
    starts_on: dt.date
    ends_on: dt.date
    trained: int
    completed: bool


class TrainingView(Struct):
    """第三条(二) on award years: young people reaching 中级工 or higher, judged over completed years."""

    per_award_year: list[AwardYearView]
    completed_years: int
    average_per_year: Decimal | None
    duty_per_year: int
    shortfall: bool


class HonourView(Struct):
    person: str
    person_name: str
    honour: str
    level: str
    conferred_on: dt.date
    document_no: str


class EvaluationView(Struct):
    period: str
    base: Decimal
    bonus: Decimal
    total: Decimal
    grade: str
    evaluated_on: dt.date
    # Honours conferred within the period: the evidence of the sheet's `award` bonus (附件).
    award_evidence: list[HonourView]


class RectificationView(Struct):
    reason: str
    ordered_on: dt.date
    deadline: dt.date
    overdue: bool
    last_reviewed_on: dt.date | None
    last_review_passed: bool | None


class StudioView(Struct):
    id: UUID
    case_no: str
    version: int
    status: str
    level: str
    name: str
    occupation: str
    master: MasterView
    host: HostView
    submitted_on: dt.date
    award: AwardView | None
    subsidies: SubsidiesView
    training: TrainingView
    last_evaluation: EvaluationView | None
    open_rectification: RectificationView | None
    next_evaluation_due: dt.date | None
    inspections: int
    province_recommendations: list[int]
    honours: list[HonourView]
    revocation_ground: str | None
    closed_on: dt.date | None


def studio_view(row: Any, today: dt.date, policies: PolicyTable = MEASURES) -> StudioView:
    """A register row as the API shows a studio."""
    honours = [msgspec.convert(h, HonourView, strict=False) for h in _json(row["honours"])]
    construction, apprenticeship = row["construction_paid_fen"], row["apprenticeship_paid_fen"]
    return StudioView(
        id=row["id"],
        case_no=row["case_no"],
        version=row["version"],
        status=row["status"],
        level=row["level"],
        name=row["name"],
        occupation=row["occupation"],
        master=MasterView(
            name=row["master_name"],
            id_number=row["master_id_masked"],
            qualification=row["master_qualification"],
        ),
        host=HostView(
            kind=row["host_kind"],
            name=row["host_name"],
            credit_code=row["host_credit_code"],
            county=row["county"],
        ),
        submitted_on=row["submitted_on"],
        award=_award(row),
        subsidies=SubsidiesView(
            construction_paid=yuan(construction) or "0.00",
            apprenticeship_paid=yuan(apprenticeship) or "0.00",
            total_paid=yuan(construction + apprenticeship) or "0.00",
        ),
        training=_training(row, today, policies),
        last_evaluation=_last_evaluation(row, honours),
        open_rectification=_open_rectification(row, today),
        next_evaluation_due=row["next_evaluation_due"],
        inspections=row["inspections"],
        province_recommendations=list(row["province_recommendations"]),
        honours=honours,
        revocation_ground=row["revocation_ground"],
        closed_on=row["closed_on"],
    )


def _award(row: Any) -> AwardView | None:
    if not row["award_published_on"]:
        return None
    return AwardView(
        decision_no=row["award_decision_no"],
        published_on=row["award_published_on"],
        plaque_no=row["plaque_no"],
    )


def _last_evaluation(row: Any, honours: list[HonourView]) -> EvaluationView | None:
    if not row["last_period"]:
        return None
    return EvaluationView(
        period=row["last_period"],
        base=row["last_base"],
        bonus=row["last_bonus"],
        total=row["last_total"],
        grade=row["last_grade"],
        evaluated_on=row["last_evaluated_on"],
        award_evidence=[h for h in honours if h.conferred_on.year in _years(row["last_period"])],
    )


def _open_rectification(row: Any, today: dt.date) -> RectificationView | None:
    if not row["rectification_deadline"]:
        return None
    return RectificationView(
        reason=row["rectification_reason"],
        ordered_on=row["rectification_ordered_on"],
        deadline=row["rectification_deadline"],
        overdue=row["rectification_deadline"] < today,
        last_reviewed_on=row["rectification_reviewed_on"],
        last_review_passed=row["rectification_review_passed"],
    )


def _training(row: Any, today: dt.date, policies: PolicyTable) -> TrainingView:
    awarded_on = row["award_published_on"]
    if awarded_on is None:
        return TrainingView(
            per_award_year=[],
            completed_years=0,
            average_per_year=None,
            duty_per_year=policies.on(today).training_duty_per_year,
            shortfall=False,
        )
    duty = training_duty(awarded_on, list(row["training_per_award_year"]), row["status"], today, policies)
    return TrainingView(
        per_award_year=[msgspec.convert(y, AwardYearView, from_attributes=True) for y in duty.years],
        completed_years=duty.completed_years,
        average_per_year=duty.average_per_year,
        duty_per_year=duty.duty_per_year,
        shortfall=duty.shortfall,
    )


def _json(value: Any) -> Any:
    """A jsonb column as asyncpg (text), psycopg (decoded) or the live render (Jsonb) gives it."""
    value = getattr(value, "obj", value)
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


def _years(period: str) -> range:
    first, last = rules.period_years(period) or (0, -1)
    return range(first, last + 1)


class EvaluationAnswer(StudioView, kw_only=True):
    """The studio after an evaluation, with the sheet's computed figures added."""

    base: Decimal
    bonus_total: Decimal
    total: Decimal
    grade: str


class ApprenticeAnswer(StudioView, kw_only=True):
    """The studio after an enrolment, with the new apprentice's id added."""

    apprentice_id: UUID


class HonourAnswer(StudioView, kw_only=True):
    """The studio after an honour is recorded, with the honour's id added."""

    honour_id: UUID


class SubsidyStandardView(Struct):
    in_force_from: dt.date
    document_no: str
    rates: dict[str, str]
    position: int | None = None


class PolicyValueView(Struct):
    name: str
    value: Any
    article: str
    policy_choice: bool
    meaning: str


class PolicyView(Struct):
    on: dt.date
    in_force_from: dt.date
    document: str
    values: list[PolicyValueView]
    subsidy_standards: list[SubsidyStandardView]
    subsidy_standard_in_force: SubsidyStandardView | None


class Page(Struct):
    items: list[Any]
    next_cursor: str | None


class StudioPage(Struct):
    items: list[StudioView]
    next_cursor: str | None


class ProblemField(Struct):
    field: str
    message: str


class Problem(Struct):
    """RFC 9457 problem details, with a stable machine ``code`` (listed in the README)."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[ProblemField] | None = None
