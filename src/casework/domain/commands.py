"""Commands: what an actor asks the system to do to one studio (imperatives)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from uuid import UUID

from msgspec import Struct

from casework.domain.rules import (
    CertificateGrade,
    HonourLevel,
    RectificationReason,
    ReviewDecision,
    RevocationGround,
    SubsidyKind,
)
from casework.domain.values import Bonus, ItemScore, Proposal, ProposalChanges, ProtectedId


class Command(Struct, frozen=True, kw_only=True):
    studio_id: UUID

    @property
    def effective_on(self) -> dt.date | None:
        """The business date the act takes effect, when the command states one."""
        return None


class Submit(Command, frozen=True, kw_only=True):
    proposal: Proposal
    case_no: str
    submitted_on: dt.date

    @property
    def effective_on(self) -> dt.date:
        return self.submitted_on


class Amend(Command, frozen=True, kw_only=True):
    changes: ProposalChanges
    amended_on: dt.date

    @property
    def effective_on(self) -> dt.date:
        return self.amended_on


class Withdraw(Command, frozen=True, kw_only=True):
    reason: str
    withdrawn_on: dt.date

    @property
    def effective_on(self) -> dt.date:
        return self.withdrawn_on


class ReviewAtCounty(Command, frozen=True, kw_only=True):
    decision: ReviewDecision
    opinion: str
    reviewer_unit: str
    reviewed_on: dt.date
    originals_verified: bool = False
    missing: tuple[str, ...] = ()

    @property
    def effective_on(self) -> dt.date:
        return self.reviewed_on


class Assess(Command, frozen=True, kw_only=True):
    panel: tuple[str, ...]
    opinion: str
    recommended: bool
    assessed_on: dt.date
    score: Decimal | None = None

    @property
    def effective_on(self) -> dt.date:
        return self.assessed_on


class Award(Command, frozen=True, kw_only=True):
    decision_no: str
    published_on: dt.date
    plaque_no: str

    @property
    def effective_on(self) -> dt.date:
        return self.published_on


class PaySubsidy(Command, frozen=True, kw_only=True):
    kind: SubsidyKind
    amount_fen: int
    voucher_no: str
    paid_on: dt.date
    apprentice_id: UUID | None = None

    @property
    def effective_on(self) -> dt.date:
        return self.paid_on


class ReverseSubsidy(Command, frozen=True, kw_only=True):
    voucher_no: str
    reason: str
    reversed_on: dt.date

    @property
    def effective_on(self) -> dt.date:
        return self.reversed_on


class EnrollApprentice(Command, frozen=True, kw_only=True):
    apprentice_id: UUID
    name: str
    id: ProtectedId
    # Read from the ID number by whoever builds the command (casework.domain.ids.birth_date).
    born_on: dt.date
    # Before enrolled_on, which defaults to it at the API: a refusal of a date names the one sent.
    agreement_signed_on: dt.date | None = None
    enrolled_on: dt.date

    @property
    def effective_on(self) -> dt.date:
        return self.enrolled_on


class RecordQualification(Command, frozen=True, kw_only=True):
    apprentice_id: UUID
    grade: CertificateGrade
    certificate_no: str
    qualified_on: dt.date

    @property
    def effective_on(self) -> dt.date:
        return self.qualified_on


class Inspect(Command, frozen=True, kw_only=True):
    inspector: str
    findings: str
    inspected_on: dt.date

    @property
    def effective_on(self) -> dt.date:
        return self.inspected_on


class Evaluate(Command, frozen=True, kw_only=True):
    period: str
    scores: dict[str, ItemScore]
    evaluated_on: dt.date
    bonus: tuple[Bonus, ...] = ()

    @property
    def effective_on(self) -> dt.date:
        return self.evaluated_on


class OrderRectification(Command, frozen=True, kw_only=True):
    reason: RectificationReason
    findings: str
    ordered_on: dt.date
    deadline: dt.date

    @property
    def effective_on(self) -> dt.date:
        return self.ordered_on


class ReviewRectification(Command, frozen=True, kw_only=True):
    reviewed_on: dt.date
    passed: bool
    findings: str
    score: Decimal | None = None

    @property
    def effective_on(self) -> dt.date:
        return self.reviewed_on


class RecordHonour(Command, frozen=True, kw_only=True):
    honour_id: UUID
    person: str
    honour: str
    level: HonourLevel
    conferred_on: dt.date
    document_no: str

    @property
    def effective_on(self) -> dt.date:
        return self.conferred_on


class Revoke(Command, frozen=True, kw_only=True):
    ground: RevocationGround
    note: str
    decided_on: dt.date

    @property
    def effective_on(self) -> dt.date:
        return self.decided_on


class RecommendToProvince(Command, frozen=True, kw_only=True):
    year: int
    note: str
    recommended_on: dt.date

    @property
    def effective_on(self) -> dt.date:
        return self.recommended_on


StudioCommand = (
    Submit
    | Amend
    | Withdraw
    | ReviewAtCounty
    | Assess
    | Award
    | PaySubsidy
    | ReverseSubsidy
    | EnrollApprentice
    | RecordQualification
    | Inspect
    | Evaluate
    | OrderRectification
    | ReviewRectification
    | RecordHonour
    | Revoke
    | RecommendToProvince
)


class SetSubsidyStandard(Struct, frozen=True, kw_only=True):
    """Record the apprenticeship subsidy standard from a date (no studio's command)."""

    in_force_from: dt.date
    document_no: str
    rates_fen: dict[str, int]

    @property
    def effective_on(self) -> dt.date:
        return self.in_force_from
