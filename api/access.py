"""Who may call what: one table, read by the handlers and by the authorisation tests."""

from __future__ import annotations

from msgspec import Struct

from api.errors import ProblemError
from casework.domain import commands as c
from casework.domain.permissions import ALLOWED, Actor
from casework.domain.rules import ROLES

ALL = frozenset(ROLES)

# The commands' operations take their roles from the domain's one table (casework.domain.
# permissions.ALLOWED): "the studio's office" is both offices here, and the domain then
# tells them apart by the studio's level.
COMMANDS: dict[str, type[Struct]] = {
    "submit_application": c.Submit,
    "amend_application": c.Amend,
    "withdraw_application": c.Withdraw,
    "review_at_county": c.ReviewAtCounty,
    "record_assessment": c.Assess,
    "award_studio": c.Award,
    "record_subsidy_payment": c.PaySubsidy,
    "reverse_subsidy_payment": c.ReverseSubsidy,
    "enrol_apprentice": c.EnrollApprentice,
    "record_qualification": c.RecordQualification,
    "record_inspection": c.Inspect,
    "record_evaluation": c.Evaluate,
    "order_rectification": c.OrderRectification,
    "review_rectification": c.ReviewRectification,
    "record_honour": c.RecordHonour,
    "revoke_studio": c.Revoke,
    "recommend_to_province": c.RecommendToProvince,
    "set_subsidy_standard": c.SetSubsidyStandard,
}

# operation_id -> the roles that may call it
ROLES_BY_OPERATION: dict[str, frozenset[str]] = {
    **{operation: frozenset(ALLOWED[command][1]) for operation, command in COMMANDS.items()},
    "get_policy": ALL,
    "list_studios": ALL,
    "get_studio": ALL,
    "get_history": frozenset({"auditor", "city_office"}),
    "get_state": frozenset({"auditor", "city_office"}),
    "get_bundle": frozenset({"auditor"}),
    "get_integrity": frozenset({"auditor"}),
    "reconcile_statement": frozenset({"finance"}),
    "get_reconciliation": frozenset({"finance", "auditor"}),
    "list_audit": frozenset({"auditor", "city_office"}),
    "list_ledger_entries": frozenset({"finance", "auditor", "city_office"}),
    "get_ledger_balances": frozenset({"finance", "auditor", "city_office"}),
    "get_due_report": frozenset({"city_office", "county_reviewer"}),
    "get_summary_report": frozenset({"city_office", "auditor", "finance"}),
}


def require(actor: Actor, operation: str) -> None:
    """Refuse (403) a role the table does not name for the operation."""
    if actor.role not in ROLES_BY_OPERATION[operation]:
        raise ProblemError(
            403, "not_permitted", f"the role {actor.role} may not {operation.replace('_', ' ')}"
        )
