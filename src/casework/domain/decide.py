"""The decisions: one pure function per command, and the only place rules live.

``decide(command, state, circumstances)`` returns the events the command causes, or raises
a ``RuleViolation`` naming the rule. Checks that need no state (422) come before checks of
the state (409), so a malformed request is refused the same way always. Every value a rule
uses comes from the policy in force on the act's date (casework.domain.policy); what a rule
concludes is written into the event, so that ``evolve`` only copies facts. docs/measures.md
maps each article of the measures to the function here that applies it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from msgspec import Struct
from msgspec.structs import replace

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
    RecordHonour,
    RecordQualification,
    ReverseSubsidy,
    ReviewAtCounty,
    ReviewRectification,
    Revoke,
    SetSubsidyStandard,
    StudioCommand,
    Submit,
    Withdraw,
)
from casework.domain.errors import (
    FieldError,
    InvalidRequest,
    RuleViolation,
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
    SubsidyStandardSet,
    Withdrawn,
)
from casework.domain.ids import check_credit_code
from casework.domain.policy import MEASURES, Policy, PolicyTable
from casework.domain.state import Studio
from casework.domain.training import is_young
from casework.domain.values import Bonus, ItemScore, Proposal, yuan

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
MEASURES_IN_FORCE = MEASURES.revisions[0].in_force_from
# Dates a command carries that are no business date of the act (a birth date).
_NOT_BUSINESS_DATES = frozenset({"born_on"})
# The one date of an act that may lie in the future.
_FUTURE_ALLOWED = frozenset({"deadline"})


class Circumstances(Struct, frozen=True, kw_only=True):
    """What a decision knows besides the studio: today's business date (in Asia/Shanghai,
    from the caller's clock), the policy table and the subsidy standards recorded so far."""

    today: dt.date
    policies: PolicyTable = MEASURES
    standards: tuple[SubsidyStandardSet, ...] = ()

    def policy(self, on: dt.date) -> Policy:
        return self.policies.on(on)


# The article of the measures each act carries out: named by every refusal of the act that
# does not name a more precise one.
ARTICLE_OF: dict[type[StudioCommand], str] = {
    Submit: "第四条, 第五条(一)",
    Amend: "第五条(一)",
    Withdraw: "第五条",
    ReviewAtCounty: "第五条(一)",
    Assess: "第五条(二)",
    Award: "第五条(三)",
    PaySubsidy: "第六条(一)",
    ReverseSubsidy: "第六条(一)",
    EnrollApprentice: "第三条(二)",
    RecordQualification: "第三条(二)",
    Inspect: "第七条(二)",
    Evaluate: "第七条(二), 附件",
    OrderRectification: "第七条(四)",
    ReviewRectification: "第七条(四)3",
    RecordHonour: "第六条(三)(五)",
    Revoke: "第七条(四)",
    RecommendToProvince: "第六条(四)",
}


def decide(command: StudioCommand, state: Studio | None, circumstances: Circumstances) -> list[Event]:
    """The events ``command`` causes on a studio in ``state`` (None: no such studio yet)."""
    try:
        return _decide(command, state, circumstances)
    except RuleViolation as refusal:
        if not _ARTICLE.search(refusal.detail):
            refusal.detail = f"{refusal.detail} ({ARTICLE_OF[type(command)]})"
            refusal.args = (f"{refusal.code}: {refusal.detail}",)
        raise


_ARTICLE = re.compile(r"第.条|附件")


def _decide(command: StudioCommand, state: Studio | None, circumstances: Circumstances) -> list[Event]:
    not_in_future(command, circumstances.today)
    if isinstance(command, Submit):
        if state is not None:
            raise TransitionNotAllowed("a new submission", state.status, "第五条")
        return [submission(command, circumstances.policy(command.submitted_on))]
    if state is None:
        raise StudioNotFound(command.studio_id)
    match command:
        case Amend():
            return [amendment(command, state, circumstances.policy(command.amended_on))]
        case Withdraw():
            return [withdrawal(command, state)]
        case ReviewAtCounty():
            return [county_review(command, state)]
        case Assess():
            return [expert_assessment(command, state)]
        case Award():
            return [award(command, state, circumstances)]
        case PaySubsidy():
            return [subsidy_payment(command, state, circumstances)]
        case ReverseSubsidy():
            return [subsidy_reversal(command, state)]
        case EnrollApprentice():
            return [apprentice_enrolment(command, state)]
        case RecordQualification():
            return [apprentice_qualification(command, state, circumstances)]
        case Inspect():
            return [inspection(command, state)]
        case Evaluate():
            return [evaluation(command, state, circumstances)]
        case OrderRectification():
            return [rectification_order(command, state)]
        case ReviewRectification():
            return [rectification_review(command, state)]
        case RecordHonour():
            return [honour(command, state)]
        case Revoke():
            return [revocation(command, state)]
        case RecommendToProvince():
            return [province_recommendation(command, state, circumstances)]
    msg = f"unknown command {type(command).__name__}"  # pragma: no cover
    raise TypeError(msg)


def not_in_future(command: Struct, today: dt.date) -> None:
    """A business date of an act may lie in the past, never after today (a deadline may),
    nor before the measures took effect (第八条 自发布之日起施行)."""
    for field in command.__struct_fields__:
        value = getattr(command, field)
        if not isinstance(value, dt.date) or field in _NOT_BUSINESS_DATES:
            continue
        if value < MEASURES_IN_FORCE:
            raise InvalidRequest.field(
                "validation_failed",
                field,
                f"{value} is before the measures took effect (第八条, {MEASURES_IN_FORCE})",
            )
        if field not in _FUTURE_ALLOWED and value > today:
            raise InvalidRequest.field(
                "date_in_future",
                field,
                f"{value} is after today ({today}, Asia/Shanghai): an act is dated when it took effect",
            )


def _require(
    state: Studio, allowed: frozenset[rules.Status] | set[rules.Status], act: str, article: str
) -> None:
    if state.status not in allowed:
        raise TransitionNotAllowed(act, state.status, article)


def _blank(value: str, field: str) -> None:
    if not value.strip():
        raise InvalidRequest.field("validation_failed", field, "must not be empty")


# --- submission rules (第四条, 第五条) ---------------------------------------------


def check_proposal(proposal: Proposal, policy: Policy = MEASURES.revisions[0]) -> Proposal:
    """Every submission rule; an amendment re-checks them all on the amended proposal.

    Returns the proposal as it is recorded (the credit code in its normal form)."""
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
            f"must be one of Wenzhou's counties or {rules.CITY_DIRECT} (第五条(一))",
        )
    if proposal.level == "county" and proposal.host.county == rules.CITY_DIRECT:
        raise InvalidRequest.field(
            "validation_failed",
            "level",
            f"a county-level studio belongs to a county office (第七条(一)); a {rules.CITY_DIRECT} host "
            "applies for a city-level studio",
        )
    code = check_credit_code(proposal.host.credit_code, "host.credit_code")
    proposal = replace(proposal, host=replace(proposal.host, credit_code=code))
    _check_name(proposal)
    _check_master(proposal)
    _check_host(proposal, policy)
    _check_members_and_plan(proposal)
    _check_materials(proposal, "materials_incomplete")
    return proposal


def _check_members_and_plan(proposal: Proposal) -> None:
    # 第五条(一)2: the report introduces the master and the members, and sets out the plan.
    if not proposal.members:
        raise InvalidRequest.field(
            "validation_failed", "members", "at least one member besides the master (第五条(一)2)"
        )
    for i, member in enumerate(proposal.members):
        _blank(member.name, f"members[{i}].name")
    if not proposal.plan.strip():
        raise InvalidRequest.field(
            "validation_failed", "plan", "the work plan must not be empty (第五条(一)2)"
        )


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


def _check_host(proposal: Proposal, policy: Policy) -> None:
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
        least = policy.min_education_fund_share_pct
        if share is None or not share.is_finite() or share < least or share > 100:
            errors.append(
                FieldError(
                    field="host.education_fund_share_pct",
                    message=f"an enterprise spends at least {least}% of its employee education fund "
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
                "validation_failed",
                f"materials[{i}].sha256",
                "must be 64 lower-case hex digits (the SHA-256 of the material, 第五条(一))",
            )
        if material.copies < 1:
            raise InvalidRequest.field(
                "validation_failed", f"materials[{i}].copies", "must be at least 1 (第五条(一))"
            )
    for kind, copies in rules.REQUIRED_MATERIALS.items():
        present = sum(m.copies for m in proposal.materials if m.kind == kind)
        if present < copies:
            errors.append(
                FieldError(
                    field="materials",
                    message=f"{kind}: {copies} required, {present} given",
                )
            )
    # 第五条(一)5 "申报材料应包括" 有关佐证材料: at least one item of evidence.
    if not any(m.kind == "supporting_evidence" for m in proposal.materials):
        errors.append(
            FieldError(
                field="materials",
                message="supporting_evidence: at least one item (certificates, appraisals, publications)",
            )
        )
    if errors:
        raise InvalidRequest(
            code,
            "the application lacks required materials (第五条(一)): " + "; ".join(e.message for e in errors),
            errors,
        )


def submission(command: Submit, policy: Policy) -> Submitted:
    proposal = check_proposal(command.proposal, policy)
    return Submitted(proposal=proposal, case_no=command.case_no, submitted_on=command.submitted_on)


def amendment(command: Amend, state: Studio, policy: Policy) -> Amended:
    changes = command.changes
    if changes.host is not None and changes.host.county != state.county:
        # A studio never moves to another county's queue (and out of its reviewer's sight).
        raise InvalidRequest.field(
            "validation_failed",
            "host.county",
            f"an amendment keeps the host's county ({state.county}), whose office reviews it (第五条(一)); "
            "withdraw and apply there instead",
        )
    amended = check_proposal(changes.apply_to(state.proposal), policy)
    _require(state, {"returned"}, "an amendment", "第五条(一)")
    if changes.host is not None:
        changes = replace(changes, host=amended.host)
    return Amended(changes=changes, amended_on=command.amended_on)


def withdrawal(command: Withdraw, state: Studio) -> Withdrawn:
    _blank(command.reason, "reason")
    _require(state, rules.BEFORE_AWARD, "a withdrawal", "第五条")
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
            "validation_failed", "missing", "a return names what is missing or to amend (第五条(一))"
        )
    _require(state, {"submitted"}, "a county review", "第五条(一)")
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
    if command.score is not None and not (command.score.is_finite() and 0 <= command.score <= 100):
        raise InvalidRequest.field("validation_failed", "score", "must be between 0 and 100")
    _require(state, {"county_approved"}, "an expert assessment", "第五条(二)")
    return Assessed(
        panel=command.panel,
        opinion=command.opinion,
        recommended=command.recommended,
        score=command.score,
        assessed_on=command.assessed_on,
    )


def award(command: Award, state: Studio, circumstances: Circumstances) -> Awarded:
    _blank(command.decision_no, "decision_no")
    _blank(command.plaque_no, "plaque_no")
    _require(state, {"assessed"}, "an award", "第五条(三)")
    # 第六条(一): the award of a city-level studio commits its construction subsidy.
    policy = circumstances.policy(command.published_on)
    return Awarded(
        decision_no=command.decision_no,
        published_on=command.published_on,
        plaque_no=command.plaque_no,
        construction_subsidy_fen=policy.construction_subsidy_fen if state.level == "city" else 0,
    )


def construction_commitment_fen(state: Studio) -> int:
    """The construction subsidy the studio's award committed (0 before an award)."""
    if state.award is None:
        return 0
    return committed_fen(state.award.construction_subsidy_fen, state.level)


def committed_fen(recorded: int | None, level: str) -> int:
    """What an award committed: as its event recorded it, or for an award recorded before
    2026-11-30 (None), the 2013 amount for a city-level studio."""
    if recorded is None:
        return MEASURES.revisions[0].construction_subsidy_fen if level == "city" else 0
    return recorded


# --- money (第六条) ----------------------------------------------------------------


def subsidy_payment(command: PaySubsidy, state: Studio, circumstances: Circumstances) -> SubsidyPaid:
    _blank(command.voucher_no, "voucher_no")
    if command.amount_fen <= 0:
        raise InvalidRequest.field("validation_failed", "amount", "must be more than zero")
    if command.kind == "construction":
        return _construction_subsidy(command, state, circumstances)
    return _apprenticeship_subsidy(command, state, circumstances.standards)


def _paying(command: PaySubsidy, state: Studio) -> None:
    _require(state, rules.ACTIVE_STUDIO, "a subsidy payment", "第六条(一)")
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
    apprentice = state.apprentice(command.apprentice_id)
    if apprentice is None:
        raise StateConflict(
            "apprentice_not_enrolled", f"no apprentice {command.apprentice_id} in this studio"
        )
    paid = {
        p.grade for p in state.standing_payments("apprenticeship") if p.apprentice_id == command.apprentice_id
    }
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
    grade = max(due, key=rules.CERTIFICATE_GRADES.index)
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


def standard_in_force(standards: tuple[SubsidyStandardSet, ...], on: dt.date) -> SubsidyStandardSet | None:
    """The subsidy standard in force on ``on``: the latest to start on or before it."""
    in_force = [s for s in standards if s.in_force_from <= on]
    return max(in_force, key=lambda s: s.in_force_from) if in_force else None


def subsidy_standard(
    command: SetSubsidyStandard, standards: tuple[SubsidyStandardSet, ...], today: dt.date
) -> SubsidyStandardSet:
    """Record the 现有补助标准 from a date; a later one takes over, none is ever edited."""
    not_in_future(command, today)
    _blank(command.document_no, "document_no")
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
    _blank(command.voucher_no, "voucher_no")
    _blank(command.reason, "reason")
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


# --- apprentices and inspections (第三条(二), 第七条(二)) -------------------------


def apprentice_enrolment(command: EnrollApprentice, state: Studio) -> ApprenticeEnrolled:
    _blank(command.name, "name")
    signed = command.agreement_signed_on
    if signed is not None and command.born_on >= signed:
        raise InvalidRequest.field(
            "validation_failed",
            "agreement_signed_on",
            "must be after the birth date in the ID number (第三条(二))",
        )
    _require(state, rules.ACTIVE_STUDIO, "enrolling an apprentice", "第三条(二)")
    if state.apprentice(command.apprentice_id) is not None or any(
        a.id.token == command.id.token for a in state.apprentices
    ):
        raise StateConflict(
            "apprentice_already_enrolled", "this apprentice is already enrolled in the studio (第三条(二))"
        )
    return ApprenticeEnrolled(
        apprentice_id=command.apprentice_id,
        name=command.name,
        id=command.id,
        born_on=command.born_on,
        agreement_signed_on=signed,
        enrolled_on=command.enrolled_on,
    )


def apprentice_qualification(
    command: RecordQualification, state: Studio, circumstances: Circumstances
) -> ApprenticeQualified:
    _blank(command.certificate_no, "certificate_no")
    _require(state, rules.ACTIVE_STUDIO, "recording a qualification", "第三条(二)")
    apprentice = state.apprentice(command.apprentice_id)
    if apprentice is None:
        raise StateConflict(
            "apprentice_not_enrolled", f"no apprentice {command.apprentice_id} in this studio"
        )
    if any(q.grade == command.grade for q in apprentice.qualifications):
        raise StateConflict(
            "qualification_already_recorded",
            f"the apprentice's {command.grade} certificate is already recorded (第三条(二))",
        )
    if command.qualified_on < apprentice.enrolled_on:
        raise StateConflict(
            "qualification_before_enrolment",
            f"a qualification counts for the studio only when reached after the apprentice joined it "
            f"({apprentice.enrolled_on}; 第三条(二))",
        )
    return ApprenticeQualified(
        apprentice_id=command.apprentice_id,
        grade=command.grade,
        certificate_no=command.certificate_no,
        qualified_on=command.qualified_on,
        # 第三条(二) 青年: decided now, by the policy of the qualification date.
        young=is_young(apprentice.born_on, command.qualified_on, circumstances.policies),
    )


def inspection(command: Inspect, state: Studio) -> Inspected:
    _blank(command.inspector, "inspector")
    _blank(command.findings, "findings")
    _require(state, rules.ACTIVE_STUDIO, "an inspection", "第七条(二)")
    return Inspected(
        inspector=command.inspector, findings=command.findings, inspected_on=command.inspected_on
    )


# --- performance evaluation (第七条(二), 附件) -------------------------------------


def _check_score(value: Decimal, maximum: Decimal, field: str, step: Decimal) -> None:
    if not value.is_finite() or value < 0 or value > maximum:
        raise InvalidRequest.field("invalid_scores", field, f"must be between 0 and {maximum}")
    if value % step != 0:
        raise InvalidRequest.field("invalid_scores", field, f"must be a multiple of {step}")


def score_sheet(
    scores: dict[str, ItemScore], bonus: tuple[Bonus, ...], policy: Policy = MEASURES.revisions[0]
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
        _check_score(score.self_score, item.maximum, f"scores.{item.code}.self", policy.score_step)
        _check_score(score.assessed, item.maximum, f"scores.{item.code}.assessed", policy.score_step)
    for i, extra in enumerate(bonus):
        _check_score(extra.points, policy.bonus_cap, f"bonus[{i}].points", policy.score_step)
    # Only the bureau's assessed score counts; the studio's self score is kept beside it.
    # One decimal place always, so that 50, 50.0 and 5E+1 all read 50.0.
    tenth = Decimal("0.1")
    base = sum((s.assessed for s in scores.values()), Decimal(0)).quantize(tenth)
    bonus_total = min(sum((b.points for b in bonus), Decimal(0)), policy.bonus_cap).quantize(tenth)
    total = base + bonus_total
    graded = total if policy.bonus_counts_toward_grade else base
    return base, bonus_total, total, policy.grade_for(graded)


def _period_years(period: str) -> tuple[int, int]:
    years = rules.period_years(period)
    if years is None:
        raise InvalidRequest.field(
            "validation_failed",
            "period",
            "two consecutive calendar years, e.g. 2014-2015 (第七条(二) 每两年)",
        )
    return years


def evaluation(command: Evaluate, state: Studio, circumstances: Circumstances) -> Evaluated:
    first, last = _period_years(command.period)
    if command.evaluated_on < dt.date(first, 1, 1):
        raise InvalidRequest.field(
            "validation_failed",
            "evaluated_on",
            f"a period is evaluated on or after its first day ({first}-01-01; 第七条(二))",
        )
    policy = circumstances.policy(command.evaluated_on)
    base, bonus_total, total, grade = score_sheet(command.scores, command.bonus, policy)
    _require(state, rules.ACTIVE_STUDIO, "an evaluation", "第七条(二)")
    assert state.award is not None, "an active studio was awarded"
    if last < state.award.published_on.year:
        raise StateConflict(
            "evaluation_period_invalid",
            f"the period {command.period} ends before the award year {state.award.published_on.year} "
            "(第七条(二): evaluated after the award)",
        )
    latest = state.latest_evaluation
    # Under rectification the studio may be evaluated again for its latest period.
    again = state.status == "rectifying" and latest is not None and latest.period == command.period
    if not again:
        for earlier in state.evaluations:
            earlier_first, earlier_last = _period_years(earlier.period)
            if first <= earlier_last and earlier_first <= last:
                raise StateConflict(
                    "evaluation_period_taken",
                    f"the period {command.period} overlaps {earlier.period} "
                    f"(evaluated on {earlier.evaluated_on}; 第七条(二) 每两年进行一次)",
                )
    order = state.open_rectification
    return Evaluated(
        period=command.period,
        scores=command.scores,
        bonus=command.bonus,
        evaluated_on=command.evaluated_on,
        base=base,
        bonus_total=bonus_total,
        total=total,
        grade=grade,
        # 第七条(四)3: a pass ends a rectification only if it looks at the studio after the order.
        ends_rectification=order is not None and grade != "fail" and command.evaluated_on >= order.ordered_on,
    )


# --- rectification, revocation, recommendation (第七条(四), 第六条(四)) -----------


def rectification_order(command: OrderRectification, state: Studio) -> RectificationOrdered:
    _blank(command.findings, "findings")
    if command.deadline <= command.ordered_on:
        raise InvalidRequest.field(
            "invalid_deadline", "deadline", "the deadline must be after the order date (第七条(四) 限期整改)"
        )
    _require(state, {"awarded"}, "a rectification order", "第七条(四)")
    latest = state.latest_evaluation
    if command.reason == "failed_evaluation" and (latest is None or latest.grade != "fail"):
        raise StateConflict(
            "rectification_precondition",
            "a rectification for a failed evaluation needs the latest evaluation to be a fail (第七条(四)3)",
        )
    return RectificationOrdered(
        reason=command.reason,
        findings=command.findings,
        ordered_on=command.ordered_on,
        deadline=command.deadline,
    )


def rectification_review(command: ReviewRectification, state: Studio) -> RectificationReviewed:
    _blank(command.findings, "findings")
    if command.score is not None and not (command.score.is_finite() and 0 <= command.score <= 110):
        raise InvalidRequest.field("validation_failed", "score", "must be between 0 and 110")
    _require(state, {"rectifying"}, "a rectification review", "第七条(四)3")
    order = state.open_rectification
    assert order is not None, "a rectifying studio has an open order"
    if command.reviewed_on < order.ordered_on:
        raise StateConflict(
            "rectification_precondition",
            f"a review looks at the studio after the order of {order.ordered_on}",
        )
    return RectificationReviewed(
        reviewed_on=command.reviewed_on, passed=command.passed, findings=command.findings, score=command.score
    )


def honour(command: RecordHonour, state: Studio) -> HonourRecorded:
    _blank(command.honour, "honour")
    _blank(command.document_no, "document_no")
    _require(state, rules.ACTIVE_STUDIO, "recording an honour", "第六条(三)(五)")
    return HonourRecorded(
        honour_id=command.honour_id,
        person=command.person,
        person_name=_person_name(command.person, state),
        honour=command.honour,
        level=command.level,
        conferred_on=command.conferred_on,
        document_no=command.document_no,
    )


def _person_name(person: str, state: Studio) -> str:
    """The name of "master", "member-N" (1 for the first member) or an apprentice's id."""
    if person == "master":
        return state.proposal.master.name
    members = state.proposal.members
    if person.startswith("member-") and person[7:].isdigit() and 1 <= int(person[7:]) <= len(members):
        return members[int(person[7:]) - 1].name
    apprentice = next((a for a in state.apprentices if str(a.apprentice_id) == person), None)
    if apprentice is not None:
        return apprentice.name
    raise StateConflict(
        "person_not_found",
        f"{person} is not this studio's master, one of its {len(members)} members (member-1 …) "
        "or one of its apprentices (第六条(三)(五))",
    )


def revocation(command: Revoke, state: Studio) -> Revoked:
    _blank(command.note, "note")
    _require(state, rules.ACTIVE_STUDIO, "a revocation", "第七条(四)")
    if command.ground == "failed_after_rectification":
        _failed_after_rectification(state, command.decided_on)
    return Revoked(ground=command.ground, note=command.note, decided_on=command.decided_on)


def _failed_after_rectification(state: Studio, decided_on: dt.date) -> None:
    """第七条(四)3 经限期整改后仍达不到合格标准: someone looked again after the deadline, and
    the decision follows that review."""
    order = state.open_rectification
    if order is None:
        raise StateConflict(
            "revocation_precondition", "the studio is under no rectification order (第七条(四)3)"
        )
    if order.reason not in rules.REVIEWABLE_FAILURES:
        raise StateConflict(
            "revocation_precondition",
            f"the order was made for {order.reason}; this ground follows a failed evaluation or fraud",
        )
    if not any(not r.passed and order.deadline <= r.reviewed_on <= decided_on for r in order.reviews):
        raise StateConflict(
            "revocation_precondition",
            f"no review on or after the deadline {order.deadline}, and by the decision of {decided_on}, "
            "found the rectification failed: a deadline that passed is not enough, the studio must be "
            "checked again (第七条(四)3 经限期整改后)",
        )


def province_recommendation(
    command: RecommendToProvince, state: Studio, circumstances: Circumstances
) -> RecommendedToProvince:
    if not 2013 <= command.year <= 9999:
        raise InvalidRequest.field("validation_failed", "year", "a year from 2013 on")
    _require(state, {"awarded"}, "a recommendation to the province", "第六条(四)")
    if state.level != "city":
        raise StateConflict(
            "recommendation_precondition",
            "only city-level studios are recommended to the province (第六条(四) 确定的市级技能大师工作室)",
        )
    latest = state.latest_evaluation
    grades = circumstances.policy(command.recommended_on).recommendable_grades
    if latest is None or latest.grade not in grades:
        raise StateConflict(
            "recommendation_precondition",
            "only a studio whose latest evaluation is " + " or ".join(sorted(grades)) + " is recommended",
        )
    if command.year in state.province_recommendations:
        raise StateConflict("recommendation_precondition", f"already recommended for {command.year}")
    return RecommendedToProvince(year=command.year, note=command.note, recommended_on=command.recommended_on)
