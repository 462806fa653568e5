"""Honours of a studio's people (第六条(三)(五)) and the recommendation to the province (第六条(四))."""

from __future__ import annotations

from casework.domain import rules
from casework.domain.commands import RecommendToProvince, RecordHonour
from casework.domain.decide.circumstances import Circumstances, not_blank, require
from casework.domain.errors import InvalidRequest, StateConflict
from casework.domain.events import HonourRecorded, RecommendedToProvince
from casework.domain.state import Studio


def honour(command: RecordHonour, state: Studio) -> HonourRecorded:
    not_blank(command.honour, "honour")
    not_blank(command.document_no, "document_no")
    require(state, rules.ACTIVE_STUDIO, "recording an honour", "第六条(三)(五)")
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


def province_recommendation(
    command: RecommendToProvince, state: Studio, circumstances: Circumstances
) -> RecommendedToProvince:
    if not 2013 <= command.year <= 9999:
        raise InvalidRequest.field("validation_failed", "year", "a year from 2013 on")
    require(state, {"awarded"}, "a recommendation to the province", "第六条(四)")
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
