"""The domain's refusals. Each carries a stable ``code`` that clients switch on."""

from __future__ import annotations

from typing import Literal

from msgspec import Struct


class FieldError(Struct, frozen=True):
    field: str
    message: str


class CaseworkError(Exception):
    """Root of every error casework raises on purpose."""


class RuleViolation(CaseworkError):
    """A rule of the measures (or of our policy) refuses the act; nothing is recorded.

    ``kind`` says whether the request is wrong in itself (``invalid``) or valid but
    refused by the state of a studio (``conflict``); the API maps them to 422 and 409.
    """

    kind: Literal["invalid", "conflict"] = "invalid"

    def __init__(self, code: str, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.errors = errors or []


class InvalidRequest(RuleViolation):
    """The request breaks a rule whatever the state of any studio."""

    kind = "invalid"

    @classmethod
    def field(cls, code: str, field: str, message: str) -> InvalidRequest:
        """A refusal that names one field."""
        return cls(code, f"{field}: {message}", [FieldError(field=field, message=message)])


class StateConflict(RuleViolation):
    """The request is valid, but the studio's state (or another studio's) refuses it."""

    kind = "conflict"


class TransitionNotAllowed(StateConflict):
    def __init__(self, act: str, status: str, article: str) -> None:
        super().__init__(
            "transition_not_allowed",
            f"{act} is not allowed while the studio is {status} (the life cycle of {article})",
        )


class StudioNotFound(CaseworkError):
    """No such studio, or one the actor may not see (never a hint which)."""

    def __init__(self, studio_id: object) -> None:
        super().__init__(f"studio {studio_id} not found")
        self.studio_id = studio_id


class NotPermitted(CaseworkError):
    """The actor's role may not perform this act at all."""

    def __init__(self, role: str, act: str) -> None:
        super().__init__(f"the role {role} may not {act}")
        self.role = role
        self.act = act
        self.code = "not_permitted"
