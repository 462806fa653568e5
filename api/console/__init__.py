"""The bureau's web console: server-rendered pages over the API's projections, roles and scopes.

Read-only but for the reconciliation upload; sign-in by one-time link (api.console.session).
"""

from __future__ import annotations

from litestar import Router
from litestar.di import Provide
from litestar.exceptions import HTTPException, ValidationException
from litestar.static_files import create_static_files_router

from api.console.finance_pages import FinancePages
from api.console.render import HERE, on_error, template_config
from api.console.report_pages import ReportPages
from api.console.session import CREATE_LINKS, provide_viewer
from api.console.signing_in import SigningIn
from api.console.studio_pages import StudioPages
from api.errors import ProblemError
from casework.domain.errors import NotPermitted, RuleViolation, StudioNotFound

# The API's own handlers answer these in JSON: on a page, a page says it.
HANDLED = (
    Exception,
    HTTPException,
    ValidationException,
    ProblemError,
    StudioNotFound,
    NotPermitted,
    RuleViolation,
)

__all__ = ["CREATE_LINKS", "console_router", "template_config"]


def console_router() -> Router:
    """The console's routes under /console, out of the OpenAPI document (they are no API)."""
    return Router(
        path="/",
        route_handlers=[
            SigningIn,
            ReportPages,
            StudioPages,
            FinancePages,
            create_static_files_router(
                path="/console/static", directories=[HERE / "static"], include_in_schema=False
            ),
        ],
        dependencies={"viewer": Provide(provide_viewer)},
        exception_handlers=dict.fromkeys(HANDLED, on_error),
        include_in_schema=False,
    )
