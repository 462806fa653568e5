"""What every decision shares: the circumstances it is taken in, the dates an act may carry
(第八条), and the two checks every act makes (a status that allows it, no blank text)."""

from __future__ import annotations

import datetime as dt

from msgspec import Struct

from casework.domain import rules
from casework.domain.errors import InvalidRequest, TransitionNotAllowed
from casework.domain.events import SubsidyStandardSet
from casework.domain.policy import MEASURES, Policy, PolicyTable
from casework.domain.state import Studio

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


def require(
    state: Studio, allowed: frozenset[rules.Status] | set[rules.Status], act: str, article: str
) -> None:
    if state.status not in allowed:
        raise TransitionNotAllowed(act, state.status, article)


def not_blank(value: str, field: str) -> None:
    if not value.strip():
        raise InvalidRequest.field("validation_failed", field, "must not be empty")
