"""Inspection and the performance evaluation every two years (第七条(二), 附件)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from casework.domain import rules
from casework.domain.commands import Evaluate, Inspect
from casework.domain.decide.circumstances import Circumstances, not_blank, require
from casework.domain.errors import InvalidRequest, StateConflict
from casework.domain.events import Evaluated, Inspected
from casework.domain.policy import MEASURES, Policy
from casework.domain.state import Studio
from casework.domain.values import Bonus, ItemScore

# --- inspections (第七条(二)) ---


def inspection(command: Inspect, state: Studio) -> Inspected:
    not_blank(command.inspector, "inspector")
    not_blank(command.findings, "findings")
    require(state, rules.ACTIVE_STUDIO, "an inspection", "第七条(二)")
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
    require(state, rules.ACTIVE_STUDIO, "an evaluation", "第七条(二)")
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
