"""Who may do what: the one role table (docs/measures.md, "Who acts"), read by the API too."""

from __future__ import annotations

from typing import Final

from msgspec import Struct

from casework.domain import rules
from casework.domain.commands import (
    Amend,
    Assess,
    Award,
    Command,
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
    Submit,
    Withdraw,
)
from casework.domain.errors import NotPermitted, StudioNotFound
from casework.domain.policy import MEASURES_2013, Policy
from casework.domain.state import Studio


class Actor(Struct, frozen=True):
    """The person acting, as their credential states them."""

    subject: str
    role: rules.Role
    county: str | None = None

    def sees(self, studio: Studio) -> bool:
        """Whether the studio is within the actor's scope at all."""
        return self.sees_county(studio.county)

    def sees_county(self, county: str) -> bool:
        """Whether a studio of ``county`` is within the actor's scope (a county role: its own)."""
        return self.role not in rules.COUNTY_SCOPED_ROLES or county == self.county


# The studio's office: the city office for a city-level studio, and the
# reviewer of the studio's own county for a county-level one (第七条(一) 各县（市、区）人力社保
# 行政部门负责本级技能大师工作室的管理). Which of the two it is depends on the studio.
STUDIO_OFFICE: Final[frozenset[rules.Role]] = frozenset({"city_office", "county_reviewer"})

ALLOWED: dict[type[Struct], tuple[str, frozenset[rules.Role]]] = {
    Submit: ("submit an application", frozenset({"applicant", "city_office"})),
    Amend: ("amend an application", frozenset({"applicant"})),
    Withdraw: ("withdraw an application", frozenset({"applicant"})),
    ReviewAtCounty: ("review at county level", frozenset({"county_reviewer"})),
    Assess: ("record an expert assessment", STUDIO_OFFICE),
    Award: ("award a studio", STUDIO_OFFICE),
    PaySubsidy: ("record a subsidy payment", frozenset({"finance"})),
    ReverseSubsidy: ("reverse a subsidy payment", frozenset({"finance"})),
    EnrollApprentice: ("enrol an apprentice", STUDIO_OFFICE),
    RecordQualification: ("record a qualification", STUDIO_OFFICE),
    # 第七条(二) 各级人力社保行政部门应不定期检查: every office, whatever the studio's level.
    Inspect: ("record an inspection", frozenset({"city_office", "county_reviewer"})),
    Evaluate: ("record an evaluation", STUDIO_OFFICE),
    OrderRectification: ("order rectification", STUDIO_OFFICE),
    ReviewRectification: ("review a rectification", STUDIO_OFFICE),
    RecordHonour: ("record an honour", STUDIO_OFFICE),
    Revoke: ("revoke a studio", STUDIO_OFFICE),
    RecommendToProvince: ("recommend to the province", frozenset({"city_office"})),
    SetSubsidyStandard: ("record a subsidy standard", frozenset({"city_office"})),
}


def require_role(actor: Actor, command: type[Struct]) -> tuple[str, frozenset[rules.Role]]:
    """Refuse a role the table does not name for the command; the act and its roles."""
    act, roles = ALLOWED[command]
    if actor.role not in roles:
        raise NotPermitted(actor.role, act)
    return act, roles


def office_of(studio: Studio) -> rules.Role:
    """The role that manages the studio: the city office, or its county's reviewer."""
    return "city_office" if studio.level == "city" else "county_reviewer"


def authorize(actor: Actor, command: Command, state: Studio | None, policy: Policy = MEASURES_2013) -> None:
    """Refuse an act outside the actor's role, or on a studio outside their scope."""
    act, roles = require_role(actor, type(command))
    if isinstance(command, Submit) and actor.role == "city_office" and not policy.city_office_may_submit:
        raise NotPermitted(actor.role, act)
    if state is not None and not actor.sees(state):
        # Out of scope looks exactly like absent: no hint that the studio exists.
        raise StudioNotFound(command.studio_id)
    if (
        isinstance(command, Submit)
        and actor.role in rules.COUNTY_SCOPED_ROLES
        and command.proposal.host.county != actor.county
    ):
        raise NotPermitted(actor.role, f"submit for a host outside {actor.county}")
    city_direct = actor.role == "county_reviewer" and actor.county == rules.CITY_DIRECT
    if city_direct and not isinstance(command, ReviewAtCounty):
        # A 市直 reviewer is an industry authority, not a 人力社保行政部门: it reviews only.
        raise NotPermitted(actor.role, f"{act}: a {rules.CITY_DIRECT} reviewer reviews applications only")
    if roles is STUDIO_OFFICE and state is not None:
        office = office_of(state)
        if actor.role != office or (office == "county_reviewer" and actor.county == rules.CITY_DIRECT):
            whose = "the city office's" if office == "city_office" else f"the {state.county} office's"
            raise NotPermitted(actor.role, f"{act}: a {state.level}-level studio is {whose} to manage")
