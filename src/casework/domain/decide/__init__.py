"""The decisions: one pure function per command, and the only place rules live.

``decide(command, state, circumstances)`` returns the events the command causes, or raises
a ``RuleViolation`` naming the rule. Checks that need no state (422) come before checks of
the state (409), so a malformed request is refused the same way always. Every value a rule
uses comes from the policy in force on the act's date (casework.domain.policy); what a rule
concludes is written into the event, so that ``evolve`` only copies facts. docs/measures.md
maps each article of the measures to the function here that applies it.
"""

from __future__ import annotations

import re

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
    StudioCommand,
    Submit,
    Withdraw,
)
from casework.domain.decide.application import amendment, submission, withdrawal
from casework.domain.decide.apprentices import apprentice_enrolment, apprentice_qualification
from casework.domain.decide.award import award, county_review, expert_assessment
from casework.domain.decide.circumstances import Circumstances, not_in_future
from casework.domain.decide.evaluation import evaluation, inspection
from casework.domain.decide.honours import honour, province_recommendation
from casework.domain.decide.rectification import rectification_order, rectification_review, revocation
from casework.domain.decide.subsidies import (
    standard_in_force,
    subsidy_payment,
    subsidy_reversal,
    subsidy_standard,
)
from casework.domain.errors import RuleViolation, StudioNotFound, TransitionNotAllowed
from casework.domain.events import Event
from casework.domain.state import Studio

# What the rest of casework uses; each stage's module is importable for the rest.
__all__ = ["ARTICLE_OF", "Circumstances", "decide", "standard_in_force", "subsidy_standard"]


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
