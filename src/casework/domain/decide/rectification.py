"""Rectification and revocation (第七条(四))."""

from __future__ import annotations

import datetime as dt

from casework.domain import rules
from casework.domain.commands import OrderRectification, ReviewRectification, Revoke
from casework.domain.decide.circumstances import not_blank, require
from casework.domain.errors import InvalidRequest, StateConflict
from casework.domain.events import RectificationOrdered, RectificationReviewed, Revoked
from casework.domain.state import Studio

# --- rectification, revocation, recommendation (第七条(四), 第六条(四)) -----------


def rectification_order(command: OrderRectification, state: Studio) -> RectificationOrdered:
    not_blank(command.findings, "findings")
    if command.deadline <= command.ordered_on:
        raise InvalidRequest.field(
            "invalid_deadline", "deadline", "the deadline must be after the order date (第七条(四) 限期整改)"
        )
    require(state, {"awarded"}, "a rectification order", "第七条(四)")
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
    not_blank(command.findings, "findings")
    if command.score is not None and not (command.score.is_finite() and 0 <= command.score <= 110):
        raise InvalidRequest.field("validation_failed", "score", "must be between 0 and 110")
    require(state, {"rectifying"}, "a rectification review", "第七条(四)3")
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


def revocation(command: Revoke, state: Studio) -> Revoked:
    not_blank(command.note, "note")
    require(state, rules.ACTIVE_STUDIO, "a revocation", "第七条(四)")
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
