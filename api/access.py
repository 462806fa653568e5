"""Who may call what: one table, read by the handlers and by the authorisation tests."""

from __future__ import annotations

from api.errors import ProblemError
from casework.domain.permissions import Actor
from casework.domain.rules import ROLES

ALL = frozenset(ROLES)

# operation_id -> the roles API.md names for it
ROLES_BY_OPERATION: dict[str, frozenset[str]] = {
    "submit_application": frozenset({"applicant", "city_office"}),
    "amend_application": frozenset({"applicant"}),
    "withdraw_application": frozenset({"applicant"}),
    "review_at_county": frozenset({"county_reviewer"}),
    "record_assessment": frozenset({"city_office"}),
    "award_studio": frozenset({"city_office"}),
    "record_subsidy_payment": frozenset({"finance"}),
    "reverse_subsidy_payment": frozenset({"finance"}),
    "enrol_apprentice": frozenset({"city_office"}),
    "record_qualification": frozenset({"city_office"}),
    "record_inspection": frozenset({"city_office", "county_reviewer"}),
    "record_evaluation": frozenset({"city_office"}),
    "order_rectification": frozenset({"city_office"}),
    "revoke_studio": frozenset({"city_office"}),
    "recommend_to_province": frozenset({"city_office"}),
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
    """Refuse (403) a role that API.md does not name for the operation."""
    if actor.role not in ROLES_BY_OPERATION[operation]:
        raise ProblemError(403, "forbidden", f"the role {actor.role} may not {operation.replace('_', ' ')}")
