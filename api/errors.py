"""RFC 9457 problem details for every error, with the stable ``code`` clients switch on."""

from __future__ import annotations

import re
from typing import Any

import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from casework.application import StaleVersion
from casework.domain.errors import FieldError, NotPermitted, RuleViolation, StudioNotFound

log = structlog.get_logger("casework.api")

TITLES = {
    400: "Malformed request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Refused by the studio's state",
    412: "Precondition failed",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid request",
    500: "Internal error",
    503: "Service unavailable",
}


class ProblemError(Exception):
    """An error the API answers with a problem document of its own making."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        # Every 422 names what is wrong in ``errors``: the field, or the body as a whole.
        if status == 422 and not errors:
            field = (
                detail.split(":", 1)[0] if ":" in detail and " " not in detail.split(":", 1)[0] else "body"
            )
            errors = [FieldError(field=field, message=detail)]
        self.errors = errors or []
        self.headers = headers or {}


def problem(
    status: int,
    code: str,
    detail: str,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[bytes]:
    body: dict[str, Any] = {
        "type": f"https://casework.wenzhou/problems/{code}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    return Response(
        content=msgspec.json.encode(body),
        status_code=status,
        media_type="application/problem+json",
        headers=headers or {},
    )


def problem_for(error: Exception) -> Response[bytes] | None:
    """The answer to an error a client caused (None for anything else).

    This is the one place where the domain's errors become HTTP answers.
    """
    match error:
        case ProblemError():
            return problem(error.status, error.code, error.detail, error.errors, error.headers)
        case StaleVersion():
            return problem(412, "precondition_failed", error.detail)
        case RuleViolation():
            return problem(422 if error.kind == "invalid" else 409, error.code, error.detail, error.errors)
        case StudioNotFound():
            return problem(404, "not_found", "no such studio, or not one of yours")
        case NotPermitted():
            return problem(403, error.code, str(error))
    return None


def on_client_error(request: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    answer = problem_for(error)
    return answer if answer is not None else on_unexpected(request, error)


_FIELD = re.compile(r"at `\$\.?(.*)`")


def validation_errors(message: str) -> list[FieldError]:
    """msgspec's 'Expected `int`, got `str` - at `$.master.name`' as a field error."""
    found = _FIELD.search(message)
    field = found.group(1) if found and found.group(1) else "body"
    return [FieldError(field=field.replace("[", ".").replace("]", "") or "body", message=message)]


def on_validation(_: Request[Any, Any, Any], error: ValidationException) -> Response[bytes]:
    extra = error.extra if isinstance(error.extra, list) else []
    errors = [
        FieldError(field=str(e.get("key") or "body"), message=str(e.get("message")))
        for e in extra
        if isinstance(e, dict)
    ]
    if any("malformed" in e.message.lower() or "invalid json" in e.message.lower() for e in errors):
        return problem(400, "malformed_body", "the body is not well-formed JSON")
    return problem(422, "validation_failed", "; ".join(e.message for e in errors) or error.detail, errors)


def on_http(_: Request[Any, Any, Any], error: HTTPException) -> Response[bytes]:
    status = error.status_code
    codes = {
        400: "malformed_body",
        401: "unauthorized",
        403: "not_permitted",
        404: "not_found",
        405: "method_not_allowed",
        413: "body_too_large",
        415: "unsupported_media_type",
        503: "unavailable",
    }
    headers = dict(error.headers or {})
    if status == 503:
        headers.setdefault("Retry-After", "5")
    return problem(status, codes.get(status, "error"), error.detail, headers=headers)


def on_unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    from api.database import is_database_down  # noqa: PLC0415 - avoids an import cycle

    if is_database_down(error):
        return problem(
            503,
            "database_unavailable",
            "the database is unavailable; retry shortly",
            headers={"Retry-After": "5"},
        )
    log.exception("unexpected_error", path=request.url.path)
    return problem(500, "internal_error", "an unexpected error; it has been logged")
