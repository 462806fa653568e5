"""Events: what happened to a studio (past tense). Immutable once recorded.

The studio an event belongs to, its version, who acted and when it was recorded are
kept beside the event (the store's envelope), not inside it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from uuid import UUID

from msgspec import Struct

from casework.domain.rules import (
    CertificateGrade,
    Grade,
    RectificationReason,
    RevocationGround,
    SubsidyKind,
)
from casework.domain.values import Bonus, ItemScore, Proposal, ProposalChanges, ProtectedId


class StudioEvent(Struct, frozen=True, kw_only=True, tag=True):
    """Base of every event; the tag is the class name, stable across versions."""


class Submitted(StudioEvent, frozen=True, kw_only=True):
    proposal: Proposal
    case_no: str
    submitted_on: dt.date


class Returned(StudioEvent, frozen=True, kw_only=True):
    reviewer_unit: str
    opinion: str
    missing: tuple[str, ...]
    returned_on: dt.date


class Amended(StudioEvent, frozen=True, kw_only=True):
    changes: ProposalChanges
    amended_on: dt.date


class Withdrawn(StudioEvent, frozen=True, kw_only=True):
    reason: str
    withdrawn_on: dt.date


class CountyApproved(StudioEvent, frozen=True, kw_only=True):
    reviewer_unit: str
    opinion: str
    originals_verified: bool
    approved_on: dt.date


class CountyRejected(StudioEvent, frozen=True, kw_only=True):
    reviewer_unit: str
    opinion: str
    rejected_on: dt.date


class Assessed(StudioEvent, frozen=True, kw_only=True):
    panel: tuple[str, ...]
    opinion: str
    recommended: bool
    assessed_on: dt.date
    score: Decimal | None = None


class Awarded(StudioEvent, frozen=True, kw_only=True):
    decision_no: str
    published_on: dt.date
    plaque_no: str


class SubsidyPaid(StudioEvent, frozen=True, kw_only=True):
    kind: SubsidyKind
    amount_fen: int
    voucher_no: str
    paid_on: dt.date
    apprentice_id: UUID | None = None
    # For an apprenticeship subsidy: the grade paid for and the rate then in force.
    grade: str | None = None
    rate_fen: int | None = None


class SubsidyReversed(StudioEvent, frozen=True, kw_only=True):
    voucher_no: str
    amount_fen: int
    reason: str
    reversed_on: dt.date


class ApprenticeEnrolled(StudioEvent, frozen=True, kw_only=True):
    apprentice_id: UUID
    name: str
    id: ProtectedId
    born_on: dt.date
    agreement_signed_on: dt.date


class ApprenticeQualified(StudioEvent, frozen=True, kw_only=True):
    apprentice_id: UUID
    grade: CertificateGrade
    certificate_no: str
    qualified_on: dt.date


class Inspected(StudioEvent, frozen=True, kw_only=True):
    inspector: str
    findings: str
    inspected_on: dt.date


class Evaluated(StudioEvent, frozen=True, kw_only=True):
    period: str
    scores: dict[str, ItemScore]
    bonus: tuple[Bonus, ...]
    evaluated_on: dt.date
    # Computed by the decision from the sheet, never typed in.
    base: Decimal
    bonus_total: Decimal
    total: Decimal
    grade: Grade


class RectificationOrdered(StudioEvent, frozen=True, kw_only=True):
    reason: RectificationReason
    findings: str
    ordered_on: dt.date
    deadline: dt.date


class Revoked(StudioEvent, frozen=True, kw_only=True):
    ground: RevocationGround
    note: str
    decided_on: dt.date


class RecommendedToProvince(StudioEvent, frozen=True, kw_only=True):
    year: int
    note: str
    recommended_on: dt.date


Event = (
    Submitted
    | Returned
    | Amended
    | Withdrawn
    | CountyApproved
    | CountyRejected
    | Assessed
    | Awarded
    | SubsidyPaid
    | SubsidyReversed
    | ApprenticeEnrolled
    | ApprenticeQualified
    | Inspected
    | Evaluated
    | RectificationOrdered
    | Revoked
    | RecommendedToProvince
)

EVENT_TYPES: dict[str, type[StudioEvent]] = {
    cls.__name__: cls
    for cls in (
        Submitted,
        Returned,
        Amended,
        Withdrawn,
        CountyApproved,
        CountyRejected,
        Assessed,
        Awarded,
        SubsidyPaid,
        SubsidyReversed,
        ApprenticeEnrolled,
        ApprenticeQualified,
        Inspected,
        Evaluated,
        RectificationOrdered,
        Revoked,
        RecommendedToProvince,
    )
}
