"""County review, expert assessment and award (第五条), and what an award commits (第六条(一))."""

from __future__ import annotations

from casework.domain.commands import Assess, Award, ReviewAtCounty
from casework.domain.decide.application import check_materials
from casework.domain.decide.circumstances import Circumstances, not_blank, require
from casework.domain.errors import InvalidRequest
from casework.domain.events import Assessed, Awarded, CountyApproved, CountyRejected, Returned
from casework.domain.policy import MEASURES
from casework.domain.state import Studio

# --- review, assessment and award (第五条) ----------------------------------------


def county_review(command: ReviewAtCounty, state: Studio) -> CountyApproved | Returned | CountyRejected:
    not_blank(command.opinion, "opinion")
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
    require(state, {"submitted"}, "a county review", "第五条(一)")
    if command.decision == "approve":
        check_materials(state.proposal, "materials_incomplete")
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
    not_blank(command.opinion, "opinion")
    if command.score is not None and not (command.score.is_finite() and 0 <= command.score <= 100):
        raise InvalidRequest.field("validation_failed", "score", "must be between 0 and 100")
    require(state, {"county_approved"}, "an expert assessment", "第五条(二)")
    return Assessed(
        panel=command.panel,
        opinion=command.opinion,
        recommended=command.recommended,
        score=command.score,
        assessed_on=command.assessed_on,
    )


def award(command: Award, state: Studio, circumstances: Circumstances) -> Awarded:
    not_blank(command.decision_no, "decision_no")
    not_blank(command.plaque_no, "plaque_no")
    require(state, {"assessed"}, "an award", "第五条(三)")
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
