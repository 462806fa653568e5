"""Request and response bodies (msgspec Structs): the HTTP contract, field by field."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import Meta, Struct

from casework.domain import rules, values
from casework.domain.errors import InvalidRequest
from casework.domain.policy import MEASURES, PolicyTable
from casework.domain.training import training_duty

# Characters that make a name read otherwise than it is stored: bidirectional overrides and
# isolates (U+202A-202E, U+2066-2069), and invisible ones (zero-width space, joiners, marks,
# word joiner, BOM). A "张三" with a hidden U+200B is another master to the uniqueness check.
_DECEPTIVE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
# Control characters other than tab, CR and LF: no clerk types one, and an export cannot hold
# some of them (a U+0001 in a host name made every later ledger.xlsx a 500).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# More members, materials or experts than an application ever holds: a list past it is refused.
MAX_ITEMS = 100


class Body(Struct, forbid_unknown_fields=True, kw_only=True):
    """Every request body refuses fields it does not know: a typo must not pass silently.

    And the one validator of every body's values: decimals are finite numbers ("NaN",
    "sNaN" and "Infinity" parse as Decimal, and break every sum they enter), and text holds
    no character that hides or reorders what is shown."""

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            for value in _values(getattr(self, name)):
                if isinstance(value, Decimal) and not value.is_finite():
                    raise ValueError(f"{name}: must be a finite number, not {value}")
                found = _DECEPTIVE.search(value) if isinstance(value, str) else None
                if found is not None:
                    raise ValueError(
                        f"{name}: bidirectional-override and zero-width characters are not allowed "
                        f"(U+{ord(found.group()):04X})"
                    )
                control = _CONTROL.search(value) if isinstance(value, str) else None
                if control is not None:
                    raise ValueError(
                        f"{name}: control characters are not allowed (U+{ord(control.group()):04X})"
                    )


def _values(value: Any) -> list[Any]:
    """A field's plain values: itself, or the items of a list or the keys and values of a dict
    (nested bodies check their own)."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [*value, *value.values()]
    return [value]


class MeritGroundIn(Body):
    kind: rules.MeritKind
    description: str


class MasterIn(Body):
    name: str
    id_number: str
    qualification: str | None = None
    unique_skills: bool = False
    grounds: Annotated[list[MeritGroundIn], Meta(max_length=10)] = msgspec.field(default_factory=list)


class HostIn(Body):
    kind: rules.HostKind
    name: str
    credit_code: str
    county: str
    education_fund_share_pct: Decimal | None = None
    commits_funding: bool = False
    commits_premises: bool = False
    commits_equipment: bool = False


class MemberIn(Body):
    name: str
    id_number: str
    qualification: str | None = None


class MaterialIn(Body):
    kind: rules.MaterialKind
    title: str
    sha256: str
    # The form comes in two copies (第五条(一)); a hundred is more paper than any application.
    copies: Annotated[int, Meta(ge=1, le=100)] = 1


class SubmissionIn(Body):
    level: rules.Level
    name: str
    occupation: str
    master: MasterIn
    host: HostIn
    members: Annotated[list[MemberIn], Meta(max_length=MAX_ITEMS)] = msgspec.field(default_factory=list)
    materials: Annotated[list[MaterialIn], Meta(max_length=MAX_ITEMS)] = msgspec.field(default_factory=list)
    plan: str = ""


class AmendmentIn(Body):
    level: rules.Level | None = None
    name: str | None = None
    occupation: str | None = None
    master: MasterIn | None = None
    host: HostIn | None = None
    members: Annotated[list[MemberIn], Meta(max_length=MAX_ITEMS)] | None = None
    materials: Annotated[list[MaterialIn], Meta(max_length=MAX_ITEMS)] | None = None
    plan: str | None = None


class WithdrawalIn(Body):
    reason: str


class CountyReviewIn(Body):
    decision: rules.ReviewDecision
    opinion: str
    originals_verified: bool = False
    missing: Annotated[list[str], Meta(max_length=MAX_ITEMS)] = msgspec.field(default_factory=list)


class AssessmentIn(Body):
    panel: Annotated[list[str], Meta(min_length=1, max_length=MAX_ITEMS)]
    opinion: str
    recommended: bool
    score: Decimal | None = None


class AwardIn(Body):
    decision_no: str
    published_on: dt.date
    plaque_no: str


class PaymentIn(Body):
    kind: rules.SubsidyKind
    amount: str
    voucher_no: str
    paid_on: dt.date
    apprentice_id: UUID | None = None


class ReversalIn(Body):
    voucher_no: str
    reason: str
    reversed_on: dt.date | None = None


class ApprenticeIn(Body):
    """The birth date is read from the ID number; the agreement is optional (多渠道)."""

    name: str
    id_number: str
    agreement_signed_on: dt.date | None = None
    # When the apprentice joined the studio: by default the agreement's date, or today.
    enrolled_on: dt.date | None = None


class QualificationIn(Body):
    grade: rules.CertificateGrade
    certificate_no: str
    qualified_on: dt.date


class InspectionIn(Body):
    inspector: str
    findings: str
    inspected_on: dt.date


class ScoreIn(Body):
    self_score: Decimal = msgspec.field(name="self")
    assessed: Decimal


class BonusIn(Body):
    kind: rules.BonusKind
    points: Decimal
    note: str = ""


class EvaluationIn(Body):
    period: str
    scores: dict[str, ScoreIn]
    evaluated_on: dt.date
    bonus: Annotated[list[BonusIn], Meta(max_length=10)] = msgspec.field(default_factory=list)


class RectificationIn(Body):
    reason: rules.RectificationReason
    findings: str
    ordered_on: dt.date
    deadline: dt.date


class RectificationReviewIn(Body):
    reviewed_on: dt.date
    passed: bool
    findings: str
    score: Decimal | None = None


class HonourIn(Body):
    person: str
    honour: str
    level: rules.HonourLevel
    conferred_on: dt.date
    document_no: str


class SubsidyStandardIn(Body):
    in_force_from: dt.date
    document_no: str
    rates: dict[str, str]


class RevocationIn(Body):
    ground: rules.RevocationGround
    note: str
    decided_on: dt.date


class RecommendationIn(Body):
    year: Annotated[int, Meta(ge=2013, le=9999)]
    note: str = ""


_MONEY = re.compile(r"^(0|[1-9]\d{0,11})(\.\d{1,2})?$")


def fen(amount: str, field: str = "amount") -> int:
    """'30000.00' → 3000000; anything but a plain decimal with at most two places is refused."""
    if not _MONEY.match(amount.strip()):
        raise InvalidRequest.field(
            "validation_failed", field, "a decimal string with two places, e.g. 30000.00"
        )
    return int(Decimal(amount.strip()) * 100)


def yuan(amount_fen: int | Decimal | None) -> str | None:
    """3000000 fen → '30000.00' (sums come back from PostgreSQL as numeric)."""
    return None if amount_fen is None else values.yuan(int(amount_fen))


# --- responses ----------------------------------------------------------------------


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
    award = (
        AwardView(
            decision_no=row["award_decision_no"],
            published_on=row["award_published_on"],
            plaque_no=row["plaque_no"],
        )
        if row["award_published_on"]
        else None
    )
    honours = [msgspec.convert(h, HonourView, strict=False) for h in _json(row["honours"])]
    evaluation = (
        EvaluationView(
            period=row["last_period"],
            base=row["last_base"],
            bonus=row["last_bonus"],
            total=row["last_total"],
            grade=row["last_grade"],
            evaluated_on=row["last_evaluated_on"],
            award_evidence=[h for h in honours if h.conferred_on.year in _years(row["last_period"])],
        )
        if row["last_period"]
        else None
    )
    rectification = (
        RectificationView(
            reason=row["rectification_reason"],
            ordered_on=row["rectification_ordered_on"],
            deadline=row["rectification_deadline"],
            overdue=row["rectification_deadline"] < today,
            last_reviewed_on=row["rectification_reviewed_on"],
            last_review_passed=row["rectification_review_passed"],
        )
        if row["rectification_deadline"]
        else None
    )
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
        award=award,
        subsidies=SubsidiesView(
            construction_paid=yuan(construction) or "0.00",
            apprenticeship_paid=yuan(apprenticeship) or "0.00",
            total_paid=yuan(construction + apprenticeship) or "0.00",
        ),
        training=_training(row, today, policies),
        last_evaluation=evaluation,
        open_rectification=rectification,
        next_evaluation_due=row["next_evaluation_due"],
        inspections=row["inspections"],
        province_recommendations=list(row["province_recommendations"]),
        honours=honours,
        revocation_ground=row["revocation_ground"],
        closed_on=row["closed_on"],
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
