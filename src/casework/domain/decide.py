"""The decisions: one pure function per command, and the only place rules live.

``decide(command, state)`` returns the events the command causes, or raises a
``RuleViolation`` naming the rule. Checks that need no state (422) come before
checks of the state (409), so a malformed request is refused the same way always.
"""

from __future__ import annotations

import re
from decimal import Decimal

from casework.domain import rules
from casework.domain.commands import (
    Amend,
    Assess,
    Award,
    EnrollApprentice,
    Evaluate,
    Inspect,
    OrderRectification,
    PaySubsidy,
    RecommendToProvince,
    RecordQualification,
    ReverseSubsidy,
    ReviewAtCounty,
    Revoke,
    StudioCommand,
    Submit,
    Withdraw,
)
from casework.domain.errors import (
    FieldError,
    InvalidRequest,
    StateConflict,
    StudioNotFound,
    TransitionNotAllowed,
)
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
from casework.domain.ids import check_credit_code
from casework.domain.state import Studio
from casework.domain.values import Bonus, ItemScore, Proposal

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_PERIOD = re.compile(r"^(\d{4})-(\d{4})$")


def decide(command: StudioCommand, state: Studio | None) -> list[Event]:
    """The events ``command`` causes on a studio in ``state`` (None: no such studio yet)."""
    if isinstance(command, Submit):
        if state is not None:
            raise TransitionNotAllowed("a new submission", state.status)
        return [submission(command)]
    if state is None:
        raise StudioNotFound(command.studio_id)
    match command:
        case Amend():
            return [amendment(command, state)]
        case Withdraw():
            return [withdrawal(command, state)]
        case ReviewAtCounty():
            return [county_review(command, state)]
        case Assess():
            return [expert_assessment(command, state)]
        case Award():
            return [award(command, state)]
        case PaySubsidy():
            return [subsidy_payment(command, state)]
        case ReverseSubsidy():
            return [subsidy_reversal(command, state)]
        case EnrollApprentice():
            return [apprentice_enrolment(command, state)]
        case RecordQualification():
            return [apprentice_qualification(command, state)]
        case Inspect():
            return [inspection(command, state)]
        case Evaluate():
            return [evaluation(command, state)]
        case OrderRectification():
            return [rectification_order(command, state)]
        case Revoke():
            return [revocation(command, state)]
        case RecommendToProvince():
            return [province_recommendation(command, state)]
    msg = f"unknown command {type(command).__name__}"  # pragma: no cover
    raise TypeError(msg)


def _require(state: Studio, allowed: frozenset[rules.Status] | set[rules.Status], act: str) -> None:
    if state.status not in allowed:
        raise TransitionNotAllowed(act, state.status)


def _blank(value: str, field: str) -> None:
    if not value.strip():
        raise InvalidRequest.field("validation_failed", field, "must not be empty")


# --- submission rules (第四条, 第五条) ---------------------------------------------


def check_proposal(proposal: Proposal) -> None:
    """Every submission rule; an amendment re-checks them all on the amended proposal."""
    for field, value in (
        ("name", proposal.name),
        ("occupation", proposal.occupation),
        ("master.name", proposal.master.name),
        ("host.name", proposal.host.name),
    ):
        _blank(value, field)
    if proposal.host.county not in rules.SCOPES:
        raise InvalidRequest.field(
            "validation_failed",
            "host.county",
            f"must be one of Wenzhou's counties or {rules.CITY_DIRECT}",
        )
    check_credit_code(proposal.host.credit_code, "host.credit_code")
    _check_name(proposal)
    _check_master(proposal)
    _check_host(proposal)
    _check_materials(proposal, "materials_incomplete")


def _check_name(proposal: Proposal) -> None:
    if proposal.level != "city":
        return
    expected = rules.expected_studio_name(proposal.master.name, proposal.occupation)
    if proposal.name != expected:
        raise InvalidRequest(
            "invalid_studio_name",
            f"the name of a city-level studio must be exactly {expected} "
            "(温州市 + master's name + occupation + 技能大师工作室, 第五条(一)2)",
            [FieldError(field="name", message=f"expected {expected}")],
        )


def _check_master(proposal: Proposal) -> None:
    master = proposal.master
    errors: list[FieldError] = []
    if master.qualification not in rules.MASTER_QUALIFICATIONS and not master.unique_skills:
        errors.append(
            FieldError(
                field="master.qualification",
                message="a master must be a 技师 or 高级技师, or have recognised unique skills",
            )
        )
    if not master.grounds:
        errors.append(
            FieldError(
                field="master.grounds",
                message="at least one merit ground (major_innovation, craft_heritage, "
                "key_technology) is required",
            )
        )
    errors.extend(
        FieldError(field=f"master.grounds[{i}].description", message="must describe the merit")
        for i, ground in enumerate(master.grounds)
        if not ground.description.strip()
    )
    if errors:
        raise InvalidRequest(
            "master_not_eligible",
            "the master does not meet 第四条(一): " + "; ".join(e.message for e in errors),
            errors,
        )


def _check_host(proposal: Proposal) -> None:
    host = proposal.host
    errors = [
        FieldError(field=f"host.{name}", message=f"the host must commit {what}")
        for name, what, given in (
            ("commits_funding", "funding", host.commits_funding),
            ("commits_premises", "premises", host.commits_premises),
            ("commits_equipment", "equipment", host.commits_equipment),
        )
        if not given
    ]
    if host.kind == "enterprise":
        share = host.education_fund_share_pct
        if share is None or share < rules.MIN_EDUCATION_FUND_SHARE_PCT or share > 100:
            errors.append(
                FieldError(
                    field="host.education_fund_share_pct",
                    message="an enterprise spends at least 30% of its employee education fund "
                    "on high-skill talent (第四条(二))",
                )
            )
    if errors:
        raise InvalidRequest(
            "host_not_eligible",
            "the host unit does not meet 第四条: " + "; ".join(e.message for e in errors),
            errors,
        )


def _check_materials(proposal: Proposal, code: str) -> None:
    errors: list[FieldError] = []
    for i, material in enumerate(proposal.materials):
        if not _SHA256.match(material.sha256):
            raise InvalidRequest.field(
                "validation_failed", f"materials[{i}].sha256", "must be 64 lower-case hex digits"
            )
        if material.copies < 1:
            raise InvalidRequest.field("validation_failed", f"materials[{i}].copies", "must be at least 1")
    for kind, copies in rules.REQUIRED_MATERIALS.items():
        present = sum(m.copies for m in proposal.materials if m.kind == kind)
        if present < copies:
            errors.append(
                FieldError(
                    field="materials",
                    message=f"{kind}: {copies} required, {present} given",
                )
            )
    if errors:
        raise InvalidRequest(
            code,
            "the application lacks required materials (第五条(一)): " + "; ".join(e.message for e in errors),
            errors,
        )


def submission(command: Submit) -> Submitted:
    check_proposal(command.proposal)
    return Submitted(proposal=command.proposal, case_no=command.case_no, submitted_on=command.submitted_on)


def amendment(command: Amend, state: Studio) -> Amended:
    check_proposal(command.changes.apply_to(state.proposal))
    _require(state, {"returned"}, "an amendment")
    return Amended(changes=command.changes, amended_on=command.amended_on)


def withdrawal(command: Withdraw, state: Studio) -> Withdrawn:
    _blank(command.reason, "reason")
    _require(state, rules.BEFORE_AWARD, "a withdrawal")
    return Withdrawn(reason=command.reason, withdrawn_on=command.withdrawn_on)


# --- review, assessment and award (第五条) ----------------------------------------


def county_review(command: ReviewAtCounty, state: Studio) -> CountyApproved | Returned | CountyRejected:
    _blank(command.opinion, "opinion")
    if command.decision == "approve" and not command.originals_verified:
        raise InvalidRequest.field(
            "originals_not_verified",
            "originals_verified",
            "an approval certifies every required material against its original (第五条(一))",
        )
    if command.decision == "return" and not command.missing:
        raise InvalidRequest.field(
            "validation_failed", "missing", "a return names what is missing or to amend"
        )
    _require(state, {"submitted"}, "a county review")
    if command.decision == "approve":
        _check_materials(state.proposal, "materials_incomplete")
        return CountyApproved(
            reviewer_unit=command.reviewer_unit,
            opinion=command.opinion,
            originals_verified=True,
            approved_on=command.reviewed_on,
        )
    if command.decision == "return":
        return Returned(
            reviewer_unit=command.reviewer_unit,
            opinion=command.opinion,
            missing=command.missing,
            returned_on=command.reviewed_on,
        )
    return CountyRejected(
        reviewer_unit=command.reviewer_unit,
        opinion=command.opinion,
        rejected_on=command.reviewed_on,
    )


def expert_assessment(command: Assess, state: Studio) -> Assessed:
    if not command.panel or any(not name.strip() for name in command.panel):
        raise InvalidRequest.field("validation_failed", "panel", "name every expert on the panel")
    _blank(command.opinion, "opinion")
    if command.score is not None and not Decimal(0) <= command.score <= Decimal(100):
        raise InvalidRequest.field("validation_failed", "score", "must be between 0 and 100")
    _require(state, {"county_approved"}, "an expert assessment")
    return Assessed(
        panel=command.panel,
        opinion=command.opinion,
        recommended=command.recommended,
        score=command.score,
        assessed_on=command.assessed_on,
    )


def award(command: Award, state: Studio) -> Awarded:
    _blank(command.decision_no, "decision_no")
    _blank(command.plaque_no, "plaque_no")
    _require(state, {"assessed"}, "an award")
    return Awarded(
        decision_no=command.decision_no,
        published_on=command.published_on,
        plaque_no=command.plaque_no,
    )


# --- money (第六条) ----------------------------------------------------------------


def subsidy_payment(command: PaySubsidy, state: Studio) -> SubsidyPaid:
    _blank(command.voucher_no, "voucher_no")
    if command.amount_fen <= 0:
        raise InvalidRequest.field("validation_failed", "amount", "must be more than zero")
    if command.kind == "construction":
        return _construction_subsidy(command, state)
    return _apprenticeship_subsidy(command, state)


def _paying(command: PaySubsidy, state: Studio) -> None:
    _require(state, rules.ACTIVE_STUDIO, "a subsidy payment")
    if state.payment(command.voucher_no) is not None:
        raise StateConflict("duplicate_voucher", f"voucher {command.voucher_no} is already recorded")


def _construction_subsidy(command: PaySubsidy, state: Studio) -> SubsidyPaid:
    if command.amount_fen != rules.CONSTRUCTION_SUBSIDY_FEN:
        raise InvalidRequest.field(
            "wrong_subsidy_amount",
            "amount",
            "the construction subsidy is exactly 30000.00 yuan (第六条(一))",
        )
    if command.apprentice_id is not None:
        raise InvalidRequest.field(
            "validation_failed", "apprentice_id", "a construction subsidy names no apprentice"
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
            "the construction subsidy is paid once per studio and has been paid",
        )
    return SubsidyPaid(
        kind="construction",
        amount_fen=command.amount_fen,
        voucher_no=command.voucher_no,
        paid_on=command.paid_on,
    )


def _apprenticeship_subsidy(command: PaySubsidy, state: Studio) -> SubsidyPaid:
    if command.apprentice_id is None:
        raise InvalidRequest.field(
            "validation_failed", "apprentice_id", "an apprenticeship subsidy names its apprentice"
        )
    _paying(command, state)
    apprentice = state.apprentice(command.apprentice_id)
    if apprentice is None:
        raise StateConflict(
            "apprentice_not_enrolled", f"no apprentice {command.apprentice_id} in this studio"
        )
    paid = {
        p.grade for p in state.standing_payments("apprenticeship") if p.apprentice_id == command.apprentice_id
    }
    due = [
        q.grade
        for q in apprentice.qualifications
        if q.qualified_on <= command.paid_on
        and q.grade in rules.TRAINING_COUNTED_GRADES
        and q.grade not in paid
    ]
    if not due:
        raise StateConflict(
            "apprenticeship_subsidy_not_due",
            "the apprentice has no qualification of 中级工 or higher that is not yet paid for",
        )
    grade = max(due, key=rules.CERTIFICATE_GRADES.index)
    rate = rules.apprenticeship_rate_fen(grade, command.paid_on)
    if rate is None or rate != command.amount_fen:
        expected = "no rate applies" if rate is None else f"{rate // 100}.{rate % 100:02d} yuan"
        raise InvalidRequest.field(
            "wrong_subsidy_amount",
            "amount",
            f"the apprenticeship subsidy for {grade} on {command.paid_on} is {expected}",
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


def subsidy_reversal(command: ReverseSubsidy, state: Studio) -> SubsidyReversed:
    _blank(command.voucher_no, "voucher_no")
    _blank(command.reason, "reason")
    payment = state.payment(command.voucher_no)
    if payment is None or payment.reversed_on is not None:
        raise StateConflict(
            "payment_not_reversible",
            f"voucher {command.voucher_no} is no standing payment of this studio",
        )
    return SubsidyReversed(
        voucher_no=command.voucher_no,
        amount_fen=payment.amount_fen,
        reason=command.reason,
        reversed_on=command.reversed_on,
    )


# --- apprentices and inspections (第三条(二), 第七条(二)) -------------------------


def apprentice_enrolment(command: EnrollApprentice, state: Studio) -> ApprenticeEnrolled:
    _blank(command.name, "name")
    if command.born_on >= command.agreement_signed_on:
        raise InvalidRequest.field("validation_failed", "born_on", "must be before the agreement was signed")
    _require(state, {"awarded"}, "enrolling an apprentice")
    if state.apprentice(command.apprentice_id) is not None or any(
        a.id.token == command.id.token for a in state.apprentices
    ):
        raise StateConflict(
            "apprentice_already_enrolled", "this apprentice is already enrolled in the studio"
        )
    return ApprenticeEnrolled(
        apprentice_id=command.apprentice_id,
        name=command.name,
        id=command.id,
        born_on=command.born_on,
        agreement_signed_on=command.agreement_signed_on,
    )


def apprentice_qualification(command: RecordQualification, state: Studio) -> ApprenticeQualified:
    _blank(command.certificate_no, "certificate_no")
    _require(state, rules.ACTIVE_STUDIO, "recording a qualification")
    apprentice = state.apprentice(command.apprentice_id)
    if apprentice is None:
        raise StateConflict(
            "apprentice_not_enrolled", f"no apprentice {command.apprentice_id} in this studio"
        )
    if any(q.grade == command.grade for q in apprentice.qualifications):
        raise StateConflict(
            "qualification_already_recorded",
            f"the apprentice's {command.grade} certificate is already recorded",
        )
    if command.qualified_on < apprentice.agreement_signed_on:
        raise StateConflict(
            "qualification_before_enrolment",
            "a qualification counts only when reached after the agreement was signed",
        )
    return ApprenticeQualified(
        apprentice_id=command.apprentice_id,
        grade=command.grade,
        certificate_no=command.certificate_no,
        qualified_on=command.qualified_on,
    )


def inspection(command: Inspect, state: Studio) -> Inspected:
    _blank(command.inspector, "inspector")
    _blank(command.findings, "findings")
    _require(state, rules.ACTIVE_STUDIO, "an inspection")
    return Inspected(
        inspector=command.inspector, findings=command.findings, inspected_on=command.inspected_on
    )


# --- performance evaluation (第七条(二), 附件) -------------------------------------


def _check_score(value: Decimal, maximum: Decimal, field: str) -> None:
    if not value.is_finite() or value < 0 or value > maximum:
        raise InvalidRequest.field("invalid_scores", field, f"must be between 0 and {maximum}")
    if value % rules.SCORE_STEP != 0:
        raise InvalidRequest.field("invalid_scores", field, "must be a multiple of 0.5")


def score_sheet(
    scores: dict[str, ItemScore], bonus: tuple[Bonus, ...]
) -> tuple[Decimal, Decimal, Decimal, rules.Grade]:
    """Base, capped bonus, total and grade of a complete, valid sheet."""
    for code in scores:
        if code not in rules.SCORING_ITEMS:
            raise InvalidRequest.field("invalid_scores", f"scores.{code}", "no such item on the sheet")
    for item in rules.SCORING_SHEET:
        score = scores.get(item.code)
        if score is None:
            raise InvalidRequest.field(
                "invalid_scores", f"scores.{item.code}", "every item of the sheet must be scored"
            )
        _check_score(score.self_score, item.maximum, f"scores.{item.code}.self")
        _check_score(score.assessed, item.maximum, f"scores.{item.code}.assessed")
    for i, extra in enumerate(bonus):
        _check_score(extra.points, rules.BONUS_CAP, f"bonus[{i}].points")
    # Only the bureau's assessed score counts; the studio's self score is kept beside it.
    # One decimal place always, so that 50, 50.0 and 5E+1 all read 50.0.
    tenth = Decimal("0.1")
    base = sum((s.assessed for s in scores.values()), Decimal(0)).quantize(tenth)
    bonus_total = min(sum((b.points for b in bonus), Decimal(0)), rules.BONUS_CAP).quantize(tenth)
    total = base + bonus_total
    return base, bonus_total, total, rules.grade_for(total)


def evaluation(command: Evaluate, state: Studio) -> Evaluated:
    match = _PERIOD.match(command.period)
    if match is None or int(match[2]) != int(match[1]) + 1:
        raise InvalidRequest.field(
            "validation_failed", "period", "two consecutive calendar years, e.g. 2014-2015"
        )
    base, bonus_total, total, grade = score_sheet(command.scores, command.bonus)
    _require(state, rules.ACTIVE_STUDIO, "an evaluation")
    # A studio under rectification is evaluated again for the same period.
    if state.status == "awarded" and any(e.period == command.period for e in state.evaluations):
        raise StateConflict("evaluation_period_taken", f"the period {command.period} has been evaluated")
    return Evaluated(
        period=command.period,
        scores=command.scores,
        bonus=command.bonus,
        evaluated_on=command.evaluated_on,
        base=base,
        bonus_total=bonus_total,
        total=total,
        grade=grade,
    )


# --- rectification, revocation, recommendation (第七条(四), 第六条(四)) -----------


def rectification_order(command: OrderRectification, state: Studio) -> RectificationOrdered:
    _blank(command.findings, "findings")
    if command.deadline <= command.ordered_on:
        raise InvalidRequest.field(
            "invalid_deadline", "deadline", "the deadline must be after the order date"
        )
    _require(state, {"awarded"}, "a rectification order")
    latest = state.latest_evaluation
    if command.reason == "failed_evaluation" and (latest is None or latest.grade != "fail"):
        raise StateConflict(
            "rectification_precondition",
            "a rectification for a failed evaluation needs the latest evaluation to be a fail",
        )
    return RectificationOrdered(
        reason=command.reason,
        findings=command.findings,
        ordered_on=command.ordered_on,
        deadline=command.deadline,
    )


def revocation(command: Revoke, state: Studio) -> Revoked:
    _blank(command.note, "note")
    _require(state, rules.ACTIVE_STUDIO, "a revocation")
    if command.ground == "failed_after_rectification":
        order = state.rectification
        if order is None:
            raise StateConflict(
                "revocation_precondition", "no rectification order was ever made for this studio"
            )
        if command.decided_on <= order.deadline:
            raise StateConflict(
                "revocation_precondition",
                f"the rectification deadline {order.deadline} has not passed",
            )
        if order.passed_on is not None:
            raise StateConflict(
                "revocation_precondition",
                f"an evaluation of 60 or more was recorded after the order, on {order.passed_on}",
            )
    return Revoked(ground=command.ground, note=command.note, decided_on=command.decided_on)


def province_recommendation(command: RecommendToProvince, state: Studio) -> RecommendedToProvince:
    if not 2013 <= command.year <= 9999:
        raise InvalidRequest.field("validation_failed", "year", "a year from 2013 on")
    _require(state, {"awarded"}, "a recommendation to the province")
    latest = state.latest_evaluation
    if latest is None or latest.grade not in rules.RECOMMENDABLE_GRADES:
        raise StateConflict(
            "recommendation_precondition",
            "only a studio whose latest evaluation is excellent or good is recommended",
        )
    if command.year in state.province_recommendations:
        raise StateConflict("recommendation_precondition", f"already recommended for {command.year}")
    return RecommendedToProvince(year=command.year, note=command.note, recommended_on=command.recommended_on)
