"""Money (第六条(一)): the construction and apprenticeship subsidies, their standards and reversals."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from casework.domain import rules
from casework.domain.commands import PaySubsidy, ReverseSubsidy, SetSubsidyStandard
from casework.domain.decide.award import construction_commitment_fen
from casework.domain.decide.circumstances import Circumstances, not_blank, not_in_future, require
from casework.domain.errors import InvalidRequest, StateConflict
from casework.domain.events import SubsidyPaid, SubsidyReversed, SubsidyStandardSet
from casework.domain.state import Studio
from casework.domain.values import yuan

# --- money (第六条) ----------------------------------------------------------------


def subsidy_payment(command: PaySubsidy, state: Studio, circumstances: Circumstances) -> SubsidyPaid:
    not_blank(command.voucher_no, "voucher_no")
    if command.amount_fen <= 0:
        raise InvalidRequest.field("validation_failed", "amount", "must be more than zero")
    if command.kind == "construction":
        return _construction_subsidy(command, state, circumstances)
    return _apprenticeship_subsidy(command, state, circumstances.standards)


def _paying(command: PaySubsidy, state: Studio) -> None:
    require(state, rules.ACTIVE_STUDIO, "a subsidy payment", "第六条(一)")
    if state.payment(command.voucher_no) is not None:
        raise StateConflict("duplicate_voucher", f"voucher {command.voucher_no} is already recorded")


def _construction_subsidy(command: PaySubsidy, state: Studio, circumstances: Circumstances) -> SubsidyPaid:
    # Before the award the amount is the policy's of the payment date (the payment is then
    # refused by the status anyway); after it, what the award committed.
    amount = (
        construction_commitment_fen(state) or circumstances.policy(command.paid_on).construction_subsidy_fen
    )
    if command.amount_fen != amount:
        raise InvalidRequest.field(
            "wrong_subsidy_amount",
            "amount",
            f"the construction subsidy is exactly {yuan(amount)} yuan (第六条(一))",
        )
    if command.apprentice_id is not None:
        raise InvalidRequest.field(
            "validation_failed", "apprentice_id", "a construction subsidy names no apprentice (第六条(一))"
        )
    _paying(command, state)
    if state.level != "city":
        raise StateConflict(
            "construction_subsidy_city_only",
            "the construction subsidy is paid to city-level studios only (第六条(一))",
        )
    if state.standing_payments("construction"):
        raise StateConflict(
            "construction_subsidy_already_paid",
            "the construction subsidy is paid once per studio and has been paid (第六条(一))",
        )
    return SubsidyPaid(
        kind="construction",
        amount_fen=command.amount_fen,
        voucher_no=command.voucher_no,
        paid_on=command.paid_on,
    )


def _apprenticeship_subsidy(
    command: PaySubsidy, state: Studio, standards: tuple[SubsidyStandardSet, ...]
) -> SubsidyPaid:
    if command.apprentice_id is None:
        raise InvalidRequest.field(
            "validation_failed",
            "apprentice_id",
            "an apprenticeship subsidy names its apprentice (第六条(一))",
        )
    _paying(command, state)
    grade = _grade_due(command, state, command.apprentice_id)
    standard = standard_in_force(standards, command.paid_on)
    rate = standard.rates_fen.get(grade) if standard else None
    if standard is None or rate is None:
        raise StateConflict(
            "no_subsidy_standard",
            f"no subsidy standard recorded by the city office pays for {grade} on {command.paid_on} "
            "(第六条(一) 现有补助标准)",
        )
    if rate != command.amount_fen:
        raise InvalidRequest.field(
            "wrong_subsidy_amount",
            "amount",
            f"the apprenticeship subsidy for {grade} on {command.paid_on} is {yuan(rate)} yuan "
            f"({standard.document_no}, in force from {standard.in_force_from}; 第六条(一))",
        )
    return SubsidyPaid(
        kind="apprenticeship",
        amount_fen=command.amount_fen,
        voucher_no=command.voucher_no,
        paid_on=command.paid_on,
        apprentice_id=command.apprentice_id,
        grade=grade,
        rate_fen=rate,
    )


def _grade_due(command: PaySubsidy, state: Studio, apprentice_id: UUID) -> rules.CertificateGrade:
    """The highest grade the apprentice reached under the agreement, by the payment date, and
    not yet paid for: what this payment pays (第六条(一))."""
    apprentice = state.apprentice(apprentice_id)
    if apprentice is None:
        raise StateConflict("apprentice_not_enrolled", f"no apprentice {apprentice_id} in this studio")
    paid = {p.grade for p in state.standing_payments("apprenticeship") if p.apprentice_id == apprentice_id}
    signed = apprentice.agreement_signed_on
    if signed is None:
        raise StateConflict(
            "apprenticeship_subsidy_not_due",
            "the apprenticeship subsidy is paid under a signed 以师带徒 agreement, and this "
            "apprentice has none (第六条(一))",
        )
    due = [
        q.grade
        for q in apprentice.qualifications
        if signed <= q.qualified_on <= command.paid_on
        and q.grade in rules.TRAINING_COUNTED_GRADES
        and q.grade not in paid
    ]
    if not due:
        raise StateConflict(
            "apprenticeship_subsidy_not_due",
            "the apprentice has no qualification of 中级工 or higher, reached under the agreement, "
            "that is not yet paid for (第六条(一))",
        )
    return max(due, key=rules.CERTIFICATE_GRADES.index)


def standard_in_force(standards: tuple[SubsidyStandardSet, ...], on: dt.date) -> SubsidyStandardSet | None:
    """The subsidy standard in force on ``on``: the latest to start on or before it."""
    in_force = [s for s in standards if s.in_force_from <= on]
    return max(in_force, key=lambda s: s.in_force_from) if in_force else None


def subsidy_standard(
    command: SetSubsidyStandard, standards: tuple[SubsidyStandardSet, ...], today: dt.date
) -> SubsidyStandardSet:
    """Record the 现有补助标准 from a date; a later one takes over, none is ever edited."""
    not_in_future(command, today)
    not_blank(command.document_no, "document_no")
    if not command.rates_fen:
        raise InvalidRequest.field(
            "validation_failed", "rates", "name the rate of at least one grade (第六条(一))"
        )
    for grade, fen in command.rates_fen.items():
        if grade not in rules.TRAINING_COUNTED_GRADES:
            raise InvalidRequest.field(
                "validation_failed",
                f"rates.{grade}",
                "a grade of 中级工 or higher (中级工, 高级工, 技师, 高级技师)",
            )
        if fen <= 0:
            raise InvalidRequest.field("validation_failed", f"rates.{grade}", "must be more than zero")
    latest = max((s.in_force_from for s in standards), default=None)
    if latest is not None and command.in_force_from <= latest:
        raise StateConflict(
            "transition_not_allowed",
            f"a standard is in force from {latest}: a new one starts after it (standards are never edited)",
        )
    return SubsidyStandardSet(
        in_force_from=command.in_force_from,
        document_no=command.document_no,
        rates_fen=dict(command.rates_fen),
    )


def subsidy_reversal(command: ReverseSubsidy, state: Studio) -> SubsidyReversed:
    not_blank(command.voucher_no, "voucher_no")
    not_blank(command.reason, "reason")
    payment = state.payment(command.voucher_no)
    if payment is None or payment.reversed_on is not None:
        raise StateConflict(
            "payment_not_reversible",
            f"voucher {command.voucher_no} is no standing payment of this studio (第六条(一))",
        )
    return SubsidyReversed(
        voucher_no=command.voucher_no,
        amount_fen=payment.amount_fen,
        reason=command.reason,
        reversed_on=command.reversed_on,
    )
