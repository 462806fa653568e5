"""A studio's state, and ``evolve``: how each event changes it.

State is never stored; it is the fold of the studio's events, so ``evolve`` must
accept every event ever recorded and hold no rule of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any
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
    HonourRecorded,
    Inspected,
    RecommendedToProvince,
    RectificationOrdered,
    RectificationReviewed,
    Returned,
    Revoked,
    Submitted,
    SubsidyPaid,
    SubsidyReversed,
    Withdrawn,
)
from casework.domain.policy import MEASURES, PolicyTable
from casework.domain.values import Proposal, ProtectedId


class AwardRecord(Struct, frozen=True):
    decision_no: str
    published_on: dt.date
    plaque_no: str
    # What the award committed (see Awarded.construction_subsidy_fen).
    construction_subsidy_fen: int | None = None


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
    young: bool | None = None


class Apprentice(Struct, frozen=True):
    apprentice_id: UUID
    name: str
    id: ProtectedId
    born_on: dt.date
    enrolled_on: dt.date
    agreement_signed_on: dt.date | None = None
    qualifications: tuple[Qualification, ...] = ()


class EvaluationResult(Struct, frozen=True):
    period: str
    evaluated_on: dt.date
    base: Decimal
    bonus_total: Decimal
    total: Decimal
    grade: rules.Grade


class Review(Struct, frozen=True):
    reviewed_on: dt.date
    passed: bool


class Rectification(Struct, frozen=True):
    reason: rules.RectificationReason
    findings: str
    ordered_on: dt.date
    deadline: dt.date
    reviews: tuple[Review, ...] = ()
    # The date a passing review or evaluation ended it.
    passed_on: dt.date | None = None


class Honour(Struct, frozen=True):
    honour_id: UUID
    person: str
    person_name: str
    honour: str
    level: rules.HonourLevel
    conferred_on: dt.date
    document_no: str


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
    honours: tuple[Honour, ...] = ()
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
    """The studio after ``event``; ``studio_id`` names the case a first event opens.

    Each event has one small function below that copies its facts into the state; none
    of them decides anything (every consequence of a rule is in the event already)."""
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
    apply = _APPLY.get(type(event))
    if apply is None:
        msg = f"{type(event).__name__} cannot follow the opening of a studio"
        raise ValueError(msg)
    return apply(replace(state, version=state.version + 1), event)


def _returned(state: Studio, event: Returned) -> Studio:
    return replace(state, status="returned", review_missing=event.missing)


def _amended(state: Studio, event: Amended) -> Studio:
    return replace(
        state, status="submitted", proposal=event.changes.apply_to(state.proposal), review_missing=()
    )


def _withdrawn(state: Studio, event: Withdrawn) -> Studio:
    return replace(state, status="withdrawn", closed_on=event.withdrawn_on)


def _county_approved(state: Studio, event: CountyApproved) -> Studio:
    return replace(state, status="county_approved")


def _county_rejected(state: Studio, event: CountyRejected) -> Studio:
    return replace(state, status="declined", closed_on=event.rejected_on)


def _assessed(state: Studio, event: Assessed) -> Studio:
    if event.recommended:
        return replace(state, status="assessed", recommended=True)
    return replace(state, status="declined", recommended=False, closed_on=event.assessed_on)


def _awarded(state: Studio, event: Awarded) -> Studio:
    award = AwardRecord(
        decision_no=event.decision_no,
        published_on=event.published_on,
        plaque_no=event.plaque_no,
        construction_subsidy_fen=event.construction_subsidy_fen,
    )
    return replace(state, status="awarded", award=award)


def _subsidy_paid(state: Studio, event: SubsidyPaid) -> Studio:
    payment = Payment(
        voucher_no=event.voucher_no,
        kind=event.kind,
        amount_fen=event.amount_fen,
        paid_on=event.paid_on,
        apprentice_id=event.apprentice_id,
        grade=event.grade,
    )
    return replace(state, payments=(*state.payments, payment))


def _subsidy_reversed(state: Studio, event: SubsidyReversed) -> Studio:
    payments = tuple(
        replace(p, reversed_on=event.reversed_on) if p.voucher_no == event.voucher_no else p
        for p in state.payments
    )
    return replace(state, payments=payments)


def _apprentice_enrolled(state: Studio, event: ApprenticeEnrolled) -> Studio:
    assert event.enrolled_on is not None, "events.upcast dates the enrolments of old payloads"
    apprentice = Apprentice(
        apprentice_id=event.apprentice_id,
        name=event.name,
        id=event.id,
        born_on=event.born_on,
        enrolled_on=event.enrolled_on,
        agreement_signed_on=event.agreement_signed_on,
    )
    return replace(state, apprentices=(*state.apprentices, apprentice))


def _apprentice_qualified(state: Studio, event: ApprenticeQualified) -> Studio:
    qualification = Qualification(
        grade=event.grade,
        certificate_no=event.certificate_no,
        qualified_on=event.qualified_on,
        young=event.young,
    )
    return _with_apprentice(
        state,
        event.apprentice_id,
        lambda a: replace(a, qualifications=(*a.qualifications, qualification)),
    )


def _inspected(state: Studio, event: Inspected) -> Studio:
    return replace(state, inspections=state.inspections + 1)


def _evaluated(state: Studio, event: Evaluated) -> Studio:
    result = EvaluationResult(
        period=event.period,
        evaluated_on=event.evaluated_on,
        base=event.base,
        bonus_total=event.bonus_total,
        total=event.total,
        grade=event.grade,
    )
    state = replace(state, evaluations=(*state.evaluations, result))
    ends = event.ends_rectification
    if ends is None:
        # Recorded before the decision wrote it down: the rule of that release, frozen here.
        ends = state.status == "rectifying" and event.total >= _PASS_BEFORE_2026_11_30
    return _rectification_ended(state, event.evaluated_on) if ends else state


def _rectification_ordered(state: Studio, event: RectificationOrdered) -> Studio:
    order = Rectification(
        reason=event.reason, findings=event.findings, ordered_on=event.ordered_on, deadline=event.deadline
    )
    return replace(state, status="rectifying", rectification=order)


def _rectification_reviewed(state: Studio, event: RectificationReviewed) -> Studio:
    assert state.rectification is not None, "a review follows an order"
    review = Review(reviewed_on=event.reviewed_on, passed=event.passed)
    state = replace(
        state, rectification=replace(state.rectification, reviews=(*state.rectification.reviews, review))
    )
    return _rectification_ended(state, event.reviewed_on) if event.passed else state


def _honour_recorded(state: Studio, event: HonourRecorded) -> Studio:
    honour = Honour(
        honour_id=event.honour_id,
        person=event.person,
        person_name=event.person_name,
        honour=event.honour,
        level=event.level,
        conferred_on=event.conferred_on,
        document_no=event.document_no,
    )
    return replace(state, honours=(*state.honours, honour))


def _revoked(state: Studio, event: Revoked) -> Studio:
    return replace(state, status="revoked", revocation_ground=event.ground, closed_on=event.decided_on)


def _recommended(state: Studio, event: RecommendedToProvince) -> Studio:
    return replace(state, province_recommendations=(*state.province_recommendations, event.year))


def _rectification_ended(state: Studio, on: dt.date) -> Studio:
    assert state.rectification is not None, "only an open rectification ends"
    return replace(state, status="awarded", rectification=replace(state.rectification, passed_on=on))


def _with_apprentice(
    state: Studio, apprentice_id: UUID, change: Callable[[Apprentice], Apprentice]
) -> Studio:
    # A studio enrols hundreds of apprentices and a timeline folds every qualification: the
    # apprentice is found by its id's integer (no UUID.__eq__ per apprentice) and the tuple is
    # rebuilt by slices, four times faster than a generator over all of them (benchmarks/console.py).
    wanted, apprentices = apprentice_id.int, state.apprentices
    for i, apprentice in enumerate(apprentices):
        if apprentice.apprentice_id.int == wanted:
            changed = (*apprentices[:i], change(apprentice), *apprentices[i + 1 :])
            return replace(state, apprentices=changed)
    return state


# The lowest passing total when Evaluated events did not yet say whether they ended a
# rectification (the 附件's 合格 band); never changed, whatever the policy becomes.
_PASS_BEFORE_2026_11_30 = Decimal(60)

_APPLY: dict[type[Event], Callable[[Studio, Any], Studio]] = {
    Returned: _returned,
    Amended: _amended,
    Withdrawn: _withdrawn,
    CountyApproved: _county_approved,
    CountyRejected: _county_rejected,
    Assessed: _assessed,
    Awarded: _awarded,
    SubsidyPaid: _subsidy_paid,
    SubsidyReversed: _subsidy_reversed,
    ApprenticeEnrolled: _apprentice_enrolled,
    ApprenticeQualified: _apprentice_qualified,
    Inspected: _inspected,
    Evaluated: _evaluated,
    RectificationOrdered: _rectification_ordered,
    RectificationReviewed: _rectification_reviewed,
    HonourRecorded: _honour_recorded,
    Revoked: _revoked,
    RecommendedToProvince: _recommended,
}


def fold(events: Iterable[Event], studio_id: UUID) -> Studio | None:
    """The state after every event in order (None for an empty history)."""
    state: Studio | None = None
    for event in events:
        state = evolve(state, event, studio_id)
    return state


def next_evaluation_due(state: Studio, policies: PolicyTable = MEASURES) -> dt.date | None:
    """Award date + the interval, then every interval, for a city-level studio still standing
    (county-level ones when the policy computes theirs too)."""
    if state.award is None or state.status not in rules.ACTIVE_STUDIO:
        return None
    policy = policies.on(state.award.published_on)
    if state.level == "county" and not policy.county_evaluation_due:
        return None
    periods = len({e.period for e in state.evaluations})
    return anniversary(state.award.published_on, policy.evaluation_interval_years * (periods + 1))


def anniversary(day: dt.date, years: int) -> dt.date:
    """``day`` moved ``years`` on; 29 February falls on 1 March in a year without one (as
    PostgreSQL's age() counts the years, so that SQL and Python agree)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)
