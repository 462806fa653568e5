"""Who may do what (DOMAIN.md, "Actors and what each may do")."""

from __future__ import annotations

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
    RecordQualification,
    ReverseSubsidy,
    ReviewAtCounty,
    Revoke,
    Submit,
    Withdraw,
)
from casework.domain.errors import NotPermitted, StudioNotFound
from casework.domain.state import Studio


class Actor(Struct, frozen=True):
    """The person acting, as their credential states them."""

    subject: str
    role: rules.Role
    county: str | None = None

    def sees(self, studio: Studio) -> bool:
        """Whether the studio is within the actor's scope at all."""
        if self.role in rules.COUNTY_SCOPED_ROLES:
            return studio.county == self.county
        return True


ALLOWED: dict[type[Command], tuple[str, frozenset[rules.Role]]] = {
    Submit: ("submit an application", frozenset({"applicant", "city_office"})),
    Amend: ("amend an application", frozenset({"applicant"})),
    Withdraw: ("withdraw an application", frozenset({"applicant"})),
    ReviewAtCounty: ("review at county level", frozenset({"county_reviewer"})),
    Assess: ("record an expert assessment", frozenset({"city_office"})),
    Award: ("award a studio", frozenset({"city_office"})),
    PaySubsidy: ("record a subsidy payment", frozenset({"finance"})),
    ReverseSubsidy: ("reverse a subsidy payment", frozenset({"finance"})),
    EnrollApprentice: ("enrol an apprentice", frozenset({"city_office"})),
    RecordQualification: ("record a qualification", frozenset({"city_office"})),
    Inspect: ("record an inspection", frozenset({"city_office", "county_reviewer"})),
    Evaluate: ("record an evaluation", frozenset({"city_office"})),
    OrderRectification: ("order rectification", frozenset({"city_office"})),
    Revoke: ("revoke a studio", frozenset({"city_office"})),
    RecommendToProvince: ("recommend to the province", frozenset({"city_office"})),
}


def authorize(actor: Actor, command: Command, state: Studio | None) -> None:
    """Refuse an act outside the actor's role, or on a studio outside their scope."""
    act, roles = ALLOWED[type(command)]
    if actor.role not in roles:
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
