"""create_app(): the Litestar application assembled from small pieces."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
import msgspec
from litestar import Litestar, Request
from litestar.di import Provide
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.params import Parameter

from api import errors
from api.console import CREATE_LINKS, console_router, template_config
from api.controllers.common import POSITION_HEADER, provide_actor
from api.controllers.finance import ReconciliationController
from api.controllers.health import HealthController
from api.controllers.integrity import IntegrityController
from api.controllers.policy import PolicyController
from api.controllers.records import (
    AuditController,
    HistoryController,
    LedgerController,
    ReportController,
)
from api.controllers.studios import StudioController
from api.database import HealthProbe, create_pool
from api.idempotency import CREATE as CREATE_IDEMPOTENCY
from api.middleware import RequestContext
from api.state import ApiState
from casework.application import StaleVersion
from casework.domain.errors import InvalidRequest, NotPermitted, RuleViolation, StudioNotFound
from casework.store import SCHEMA_LOCK
from projections.runner import ProjectionRunner

MAX_BODY = 1024 * 1024  # 1 MiB
# Bodies that are not JSON, by path (a treasury statement comes as CSV).
OTHER_BODIES = {
    "/api/v1/reconciliations": (
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/octet-stream",
    ),
    # The console's forms: the statement upload and signing out.
    "/console/reconciliations": ("multipart/form-data",),
    "/console/sign-out": ("application/x-www-form-urlencoded", "multipart/form-data"),
}


_NUL = "text may not contain the NUL character (U+0000)"


async def _check_request(request: Request[Any, Any, Any]) -> None:
    """Before anything parses a request: 415 for a POST whose body is not what the endpoint
    reads, and 422 for a NUL character, which PostgreSQL text cannot hold (a query would fail
    with a 500, and a stored event would stop every projection writing it to a text column)."""
    # A NUL reaches a query parameter only percent-encoded: most requests are passed unparsed.
    if b"%00" in request.scope["query_string"]:
        for name, value in request.query_params.items():
            if "\x00" in value:
                raise InvalidRequest.field("validation_failed", name, _NUL)
    if request.method != "POST":
        return
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    accepted = OTHER_BODIES.get(request.url.path, ("application/json",))
    if not any(content_type.startswith(a) for a in accepted):
        raise errors.ProblemError(415, "unsupported_media_type", f"send the body as {' or '.join(accepted)}")
    if accepted != ("application/json",):
        return
    body = await request.body()  # read once and kept for the handler
    # In JSON a NUL can only be written escaped.
    if b"\\u0000" in body:
        raise errors.ProblemError(422, "validation_failed", _NUL)
    if nesting(body) > MAX_NESTING:
        # The decoder recurses per level: a 2 KB body of brackets exhausted the stack (a 500).
        raise errors.ProblemError(
            422, "validation_failed", f"the body nests more than {MAX_NESTING} levels deep"
        )
    odd = odd_decimal(body)
    if odd is not None:
        raise errors.ProblemError(
            422, "validation_failed", f"{odd[0]}: write a plain decimal such as 35 or 7.5, not {odd[1]!r}"
        )


# The request fields that hold a decimal number. Litestar decodes bodies leniently, so that
# "-0" or "3.5e1" arrive as 0 and 35: their spelling is checked on the body itself.
DECIMAL_FIELDS = frozenset({"education_fund_share_pct", "score", "self", "assessed", "points"})
_DECIMAL_KEYS = tuple(f'"{field}"'.encode() for field in DECIMAL_FIELDS)
_PLAIN_DECIMAL = re.compile(r"-?\d+(\.\d+)?")


def odd_decimal(body: bytes) -> tuple[str, object] | None:
    """The first decimal field (its path, its value) not written as a plain decimal, if any."""
    if not any(field in body for field in _DECIMAL_KEYS):
        return None  # most commands carry no decimal: their bodies are not decoded twice
    try:
        document = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return None  # not JSON: the decoder says so (400)
    stack: list[tuple[str, object]] = [("", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                named = f"{path}.{key}" if path else str(key)
                if key in DECIMAL_FIELDS and not _plain_decimal(item):
                    return named, item
                stack.append((named, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
    return None


def _plain_decimal(value: object) -> bool:
    if value is None or isinstance(value, bool):
        return True  # absent, or not a number at all: the body's own check says so
    if isinstance(value, int):
        return True
    # A JSON number with a fraction comes as a float: its shortest spelling is what it says.
    text = repr(value) if isinstance(value, float) else value
    if not isinstance(text, str):
        return True  # a list or an object: the body's own check refuses it by type
    if _PLAIN_DECIMAL.fullmatch(text) is None:
        return False
    return not (text.startswith("-") and not text.strip("-0."))  # minus zero is no amount


# The deepest body of the contract nests four levels (scores.S1.self); room to spare.
MAX_NESTING = 32
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def nesting(body: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest (brackets inside strings aside)."""
    deepest = depth = 0
    for bracket in _STRINGS.sub(b"", body).translate(None, _NOT_BRACKETS):
        depth += 1 if bracket in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _configure_openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="casework",
        version="1.0.0",
        description="System of record for Wenzhou's skill master studios (温州市技能大师工作室).",
        path="/schema",
        render_plugins=[ScalarRenderPlugin()],
        components=Components(
            security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
        ),
        security=[{"bearer": []}],
    )


def _configure_exception_handlers() -> dict[Any, Any]:
    return {
        errors.ProblemError: errors.on_client_error,
        StaleVersion: errors.on_client_error,
        RuleViolation: errors.on_client_error,
        StudioNotFound: errors.on_client_error,
        NotPermitted: errors.on_client_error,
        ValidationException: errors.on_validation,
        HTTPException: errors.on_http,
        Exception: errors.on_unexpected,
    }


def _configure_lifespan(state: ApiState) -> Any:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        state.pool = await create_pool(state.database_url, timeout=state.settings.db_timeout)
        state.health = HealthProbe(
            state.database_url, state.app.store.events_table_name, fresh_for=state.health_fresh_for
        )
        async with state.pool.acquire() as conn, conn.transaction():
            await conn.execute(SCHEMA_LOCK)
            for statement in (*CREATE_IDEMPOTENCY, *CREATE_LINKS):
                await conn.execute(statement)
        # This app's own runner: another app over the same state (a test's second replica)
        # must not be the one that stops it.
        runner: ProjectionRunner | None = None
        if state.run_projections:
            runner = ProjectionRunner(
                state.app,
                state.database_url,
                signer=state.signer,
                batch_size=state.settings.projection_batch,
                idempotency_ttl_hours=state.settings.idempotency_ttl_hours,
            )
            await anyio.to_thread.run_sync(runner.start)
            state.runner = runner
        try:
            yield
        finally:
            if runner is not None:
                await anyio.to_thread.run_sync(runner.stop)
            await state.health.close()
            await state.pool.close()

    return lifespan


# The consistency token, documented on every route of the API (the handlers read it from the
# scope themselves, api.controllers.common.provide_actor).
CONSISTENCY = {
    "casework_position": Parameter(
        str | None,
        header=POSITION_HEADER,
        required=False,
        description=(
            "On a query: answer only once the read side has applied this log position (every "
            "command's answer carries its position in this header; pass it on to read your own "
            "write through any replica). A position past the log's head counts as the head; a read "
            "side that cannot get there within 5 s answers 503 read_side_behind. Ignored on commands."
        ),
    )
}


def create_app(state: ApiState) -> Litestar:
    """The API over a running application (see ``api.cli`` for how serve builds the state)."""
    app = Litestar(
        parameters=CONSISTENCY,
        route_handlers=[
            StudioController,
            HistoryController,
            AuditController,
            LedgerController,
            ReportController,
            IntegrityController,
            ReconciliationController,
            PolicyController,
            HealthController,
            console_router(),
        ],
        template_config=template_config(),
        dependencies={"actor": Provide(provide_actor)},
        exception_handlers=_configure_exception_handlers(),
        openapi_config=_configure_openapi(),
        lifespan=[_configure_lifespan(state)],
        request_max_body_size=MAX_BODY,
        before_request=_check_request,
        debug=False,
        logging_config=None,  # structlog is configured once, by the CLI
    )
    app.state.api = state
    # Request ids, the log line and the metrics wrap the whole application, outside its
    # exception handling, as Litestar itself adds CORS: given as route middleware, they
    # would make Litestar put a second exception layer, with its own wrapper of send, under
    # every route (measured: 5 % of a GET a studio).
    app.asgi_handler = RequestContext(app.asgi_handler)
    return app
