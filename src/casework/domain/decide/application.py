"""The application (第四条, 第五条(一)): submission, amendment and withdrawal."""

from __future__ import annotations

import re

from msgspec.structs import replace

from casework.domain import rules
from casework.domain.commands import Amend, Submit, Withdraw
from casework.domain.decide.circumstances import not_blank, require
from casework.domain.errors import FieldError, InvalidRequest
from casework.domain.events import Amended, Submitted, Withdrawn
from casework.domain.ids import check_credit_code
from casework.domain.policy import MEASURES, Policy
from casework.domain.state import Studio
from casework.domain.values import Proposal

# --- submission rules (第四条, 第五条) ---------------------------------------------

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def check_proposal(proposal: Proposal, policy: Policy = MEASURES.revisions[0]) -> Proposal:
    """Every submission rule; an amendment re-checks them all on the amended proposal.

    Returns the proposal as it is recorded (the credit code in its normal form)."""
    for field, value in (
        ("name", proposal.name),
        ("occupation", proposal.occupation),
        ("master.name", proposal.master.name),
        ("host.name", proposal.host.name),
    ):
        not_blank(value, field)
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
    check_materials(proposal, "materials_incomplete")
    return proposal


def _check_members_and_plan(proposal: Proposal) -> None:
    # 第五条(一)2: the report introduces the master and the members, and sets out the plan.
    if not proposal.members:
        raise InvalidRequest.field(
            "validation_failed", "members", "at least one member besides the master (第五条(一)2)"
        )
    for i, member in enumerate(proposal.members):
        not_blank(member.name, f"members[{i}].name")
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


def check_materials(proposal: Proposal, code: str) -> None:
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
    require(state, {"returned"}, "an amendment", "第五条(一)")
    if changes.host is not None:
        changes = replace(changes, host=amended.host)
    return Amended(changes=changes, amended_on=command.amended_on)


def withdrawal(command: Withdraw, state: Studio) -> Withdrawn:
    not_blank(command.reason, "reason")
    require(state, rules.BEFORE_AWARD, "a withdrawal", "第五条")
    return Withdrawn(reason=command.reason, withdrawn_on=command.withdrawn_on)
