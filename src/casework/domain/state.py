"""A studio's state, and ``evolve``: how each event changes it.

State is never stored; it is the fold of the studio's events, so ``evolve`` must
accept every event ever recorded and hold no rule of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from uuid import UUID

from msgspec import Struct
from msgspec.structs import replace

from casework.domain import rules
from casework.domain.events import (
    Amended,
    ApprenticeEnrolled,
    ApprenticeQualified,
    Assessed,
    Awarded,
    CountyApproved,
    CountyRejected,
    Evaluated,
    Event,
    Inspected,
    RecommendedToProvince,
    RectificationOrdered,
    Returned,
    Revoked,
    Submitted,
    SubsidyPaid,
    SubsidyReversed,
    Withdrawn,
)
from casework.domain.values import Proposal, ProtectedId


class AwardRecord(Struct, frozen=True):
    decision_no: str
    published_on: dt.date
    plaque_no: str


class Payment(Struct, frozen=True):
    voucher_no: str
    kind: rules.SubsidyKind
    amount_fen: int
    paid_on: dt.date
    apprentice_id: UUID | None = None
    grade: str | None = None
    reversed_on: dt.date | None = None


class Qualification(Struct, frozen=True):
    grade: rules.CertificateGrade
    certificate_no: str
    qualified_on: dt.date


class Apprentice(Struct, frozen=True):
    apprentice_id: UUID
    name: str
    id: ProtectedId
    born_on: dt.date
    agreement_signed_on: dt.date
    qualifications: tuple[Qualification, ...] = ()


class EvaluationResult(Struct, frozen=True):
    period: str
    evaluated_on: dt.date
    base: Decimal
    bonus_total: Decimal
    total: Decimal
    grade: rules.Grade


class Rectification(Struct, frozen=True):
    reason: rules.RectificationReason
    findings: str
    ordered_on: dt.date
    deadline: dt.date
    # Set when an evaluation of 60 or more is recorded after the order.
    passed_on: dt.date | None = None


class Studio(Struct, frozen=True, kw_only=True):
    id: UUID
    version: int
    status: rules.Status
    case_no: str
    proposal: Proposal
    submitted_on: dt.date
    review_missing: tuple[str, ...] = ()
    recommended: bool | None = None
    award: AwardRecord | None = None
    payments: tuple[Payment, ...] = ()
    apprentices: tuple[Apprentice, ...] = ()
    evaluations: tuple[EvaluationResult, ...] = ()
    rectification: Rectification | None = None
    inspections: int = 0
    province_recommendations: tuple[int, ...] = ()
    revocation_ground: rules.RevocationGround | None = None
    closed_on: dt.date | None = None

    @property
    def county(self) -> str:
        return self.proposal.host.county

    @property
    def level(self) -> rules.Level:
        return self.proposal.level

    @property
    def latest_evaluation(self) -> EvaluationResult | None:
        return self.evaluations[-1] if self.evaluations else None

    @property
    def open_rectification(self) -> Rectification | None:
        return self.rectification if self.status == "rectifying" else None

    def payment(self, voucher_no: str) -> Payment | None:
        return next((p for p in self.payments if p.voucher_no == voucher_no), None)

    def apprentice(self, apprentice_id: UUID) -> Apprentice | None:
        return next((a for a in self.apprentices if a.apprentice_id == apprentice_id), None)

    def standing_payments(self, kind: rules.SubsidyKind) -> list[Payment]:
        """Payments of ``kind`` that have not been reversed."""
        return [p for p in self.payments if p.kind == kind and p.reversed_on is None]


def evolve(state: Studio | None, event: Event, studio_id: UUID) -> Studio:
    """The studio after ``event``; ``studio_id`` names the case a first event opens."""
    if state is None:
        if not isinstance(event, Submitted):
            msg = f"a studio's history must open with Submitted, not {type(event).__name__}"
            raise ValueError(msg)
        return Studio(
            id=studio_id,
            version=1,
            status="submitted",
            case_no=event.case_no,
            proposal=event.proposal,
            submitted_on=event.submitted_on,
        )
    state = replace(state, version=state.version + 1)
    match event:
        case Submitted():
            msg = "a studio is submitted once"
            raise ValueError(msg)
        case Returned(missing=missing):
            return replace(state, status="returned", review_missing=missing)
        case Amended(changes=changes):
            return replace(
                state,
                status="submitted",
                proposal=changes.apply_to(state.proposal),
                review_missing=(),
            )
        case Withdrawn(withdrawn_on=on):
            return replace(state, status="withdrawn", closed_on=on)
        case CountyApproved():
            return replace(state, status="county_approved")
        case CountyRejected(rejected_on=on):
            return replace(state, status="declined", closed_on=on)
        case Assessed(recommended=recommended, assessed_on=on):
            if recommended:
                return replace(state, status="assessed", recommended=True)
            return replace(state, status="declined", recommended=False, closed_on=on)
        case Awarded():
            award = AwardRecord(
                decision_no=event.decision_no,
                published_on=event.published_on,
                plaque_no=event.plaque_no,
            )
            return replace(state, status="awarded", award=award)
        case SubsidyPaid():
            payment = Payment(
                voucher_no=event.voucher_no,
                kind=event.kind,
                amount_fen=event.amount_fen,
                paid_on=event.paid_on,
                apprentice_id=event.apprentice_id,
                grade=event.grade,
            )
            return replace(state, payments=(*state.payments, payment))
        case SubsidyReversed(voucher_no=voucher_no, reversed_on=on):
            payments = tuple(
                replace(p, reversed_on=on) if p.voucher_no == voucher_no else p for p in state.payments
            )
            return replace(state, payments=payments)
        case ApprenticeEnrolled():
            apprentice = Apprentice(
                apprentice_id=event.apprentice_id,
                name=event.name,
                id=event.id,
                born_on=event.born_on,
                agreement_signed_on=event.agreement_signed_on,
            )
            return replace(state, apprentices=(*state.apprentices, apprentice))
        case ApprenticeQualified():
            qualification = Qualification(
                grade=event.grade,
                certificate_no=event.certificate_no,
                qualified_on=event.qualified_on,
            )
            apprentices = state.apprentices
            for i, apprentice in enumerate(apprentices):
                if apprentice.apprentice_id == event.apprentice_id:
                    qualified = replace(
                        apprentice, qualifications=(*apprentice.qualifications, qualification)
                    )
                    apprentices = (*apprentices[:i], qualified, *apprentices[i + 1 :])
                    break
            return replace(state, apprentices=apprentices)
        case Inspected():
            return replace(state, inspections=state.inspections + 1)
        case Evaluated():
            result = EvaluationResult(
                period=event.period,
                evaluated_on=event.evaluated_on,
                base=event.base,
                bonus_total=event.bonus_total,
                total=event.total,
                grade=event.grade,
            )
            state = replace(state, evaluations=(*state.evaluations, result))
            if state.status == "rectifying" and event.total >= rules.PASSING_TOTAL:
                # The passing evaluation is itself the proof that rectification worked.
                assert state.rectification is not None
                closed = replace(state.rectification, passed_on=event.evaluated_on)
                return replace(state, status="awarded", rectification=closed)
            return state
        case RectificationOrdered():
            order = Rectification(
                reason=event.reason,
                findings=event.findings,
                ordered_on=event.ordered_on,
                deadline=event.deadline,
            )
            return replace(state, status="rectifying", rectification=order)
        case Revoked(ground=ground, decided_on=on):
            return replace(state, status="revoked", revocation_ground=ground, closed_on=on)
        case RecommendedToProvince(year=year):
            return replace(state, province_recommendations=(*state.province_recommendations, year))
    msg = f"unknown event {type(event).__name__}"  # pragma: no cover - exhaustive above
    raise TypeError(msg)


def fold(events: Iterable[Event], studio_id: UUID) -> Studio | None:
    """The state after every event in order (None for an empty history)."""
    state: Studio | None = None
    for event in events:
        state = evolve(state, event, studio_id)
    return state


def training_counts(state: Studio) -> dict[int, int]:
    """Apprentices reaching 中级工 or higher, counted once each, by the year they did."""
    counts: dict[int, int] = {}
    for apprentice in state.apprentices:
        counted = [q for q in apprentice.qualifications if q.grade in rules.TRAINING_COUNTED_GRADES]
        if counted:
            year = min(q.qualified_on for q in counted).year
            counts[year] = counts.get(year, 0) + 1
    return counts


def training_average(state: Studio, as_of: dt.date) -> Decimal | None:
    """The yearly average since the award year up to ``as_of`` (None before the award)."""
    if state.award is None:
        return None
    first_year = state.award.published_on.year
    years = max(1, as_of.year - first_year + 1)
    counted = sum(n for year, n in training_counts(state).items() if year >= first_year)
    return (Decimal(counted) / Decimal(years)).quantize(Decimal("0.01"))


def next_evaluation_due(state: Studio) -> dt.date | None:
    """Award date + 2 years, then every 2 years, for a studio still standing."""
    if state.award is None or state.status not in rules.ACTIVE_STUDIO:
        return None
    periods = len({e.period for e in state.evaluations})
    published = state.award.published_on
    years = rules.EVALUATION_INTERVAL_YEARS * (periods + 1)
    try:
        return published.replace(year=published.year + years)
    except ValueError:  # 29 February in a year that has none
        return published.replace(year=published.year + years, day=28)
