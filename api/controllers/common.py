"""What every controller uses: the state, the actor, command execution, pagination, CSV."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar
from uuid import UUID

import anyio.to_thread
import msgspec
from litestar import Request, Response
from litestar.datastructures import MutableScopeHeaders
from litestar.openapi.datastructures import ResponseSpec
from litestar.response.base import ASGIResponse
from msgspec.structs import asdict

from api.access import require
from api.auth import InvalidToken, actor_from
from api.database import log_head
from api.errors import ProblemError, problem_for
from api.idempotency import Replay, answer_once, key_scope
from api.metrics import METRICS
from api.middleware import first_headers
from api.schemas import Problem, StudioView, studio_view
from api.state import ApiState
from casework.application import Context, Outcome
from casework.domain.commands import StudioCommand
from casework.domain.permissions import Actor
from casework.domain.policy import PolicyTable
from casework.store import RequestKey
from projections.register import row
from projections.spreadsheet import csv_cell

Done = TypeVar("Done")  # what executing a command gives its answer

MAX_LIMIT = 500
_PROBLEMS = {
    400: "malformed body",
    401: "no or bad token",
    403: "role not allowed",
    404: "unknown, or outside the caller's county",
    409: "refused by the studio's state (code says which rule)",
    412: "If-Match names another version",
    413: "body too large",
    415: "not JSON",
    422: "invalid request (code and errors name the rule and field)",
    503: "database unavailable; retry after Retry-After",
}
_COMMAND_PROBLEMS = (400, 401, 403, 404, 409, 412, 413, 415, 422, 503)
_QUERY_PROBLEMS = (401, 403, 404, 422, 503)


def documented(
    status: int,
    model: type[Any],
    *,
    command: bool = True,
    problems: Iterable[int] | None = None,
    description: str = "the answer",
    notes: Mapping[int, str] | None = None,
) -> dict[int, ResponseSpec]:
    """The OpenAPI responses of a handler: its answer, and the problems it may return.

    ``problems`` names the problem statuses when they are not those of a command (or, with
    ``command=False``, of a query); ``notes`` replaces the description of some of them.
    """
    if problems is None:
        problems = _COMMAND_PROBLEMS if command else _QUERY_PROBLEMS
    responses = {status: ResponseSpec(data_container=model, description=description, generate_examples=False)}
    for code in problems:
        responses[code] = ResponseSpec(
            data_container=Problem,
            description=(notes or {}).get(code, _PROBLEMS[code]),
            media_type="application/problem+json",
            generate_examples=False,
        )
    return responses


POSITION_HEADER = "Casework-Position"


async def reads_own_writes(request: Request[Any, Any, Any], actor: Actor, sent: str) -> None:
    """Before a query: wait (briefly) until the projections show what this user wrote (or
    the position ``sent`` in a Casework-Position header, a write made through another replica);
    a read side that cannot get there in time is a 503, never a stale or missing answer."""
    api = api_state(request)
    wanted = api.written.of(actor.subject)
    # ASCII digits only ("²".isdigit() is true, and int() refuses it), and no more than a
    # position can hold: anything else is ignored, as a header we do not understand.
    if sent.isascii() and sent.isdigit() and len(sent) <= _POSITION_DIGITS:
        wanted = max(wanted, int(sent))
    if wanted <= api.read_side.applied:
        return
    # A position past the log's head was never given out: wait for the head, no further.
    wanted = min(wanted, await log_head(api.db, api.app.store.events_table_name))
    if not await api.read_side.reach(api.db, wanted, api.read_wait):
        raise ProblemError(
            503,
            "read_side_behind",
            f"the read side has not yet applied position {wanted}; nothing is lost, retry shortly",
            headers={"Retry-After": "2"},
        )


def context_of(request: Request[Any, Any, Any], actor: Actor, key: RequestKey | None) -> Context:
    """Who asks, with the ids that tie the request to its events and logs, and its key."""
    state = request.scope["state"]
    return Context(
        actor=actor,
        correlation_id=state.get("correlation_id", ""),
        request_id=state.get("request_id", ""),
        idempotency=key,
    )


def api_state(request: Request[Any, Any, Any]) -> ApiState:
    state: ApiState = request.app.state.api
    return state


_POSITION_DIGITS = 18  # notification ids are PostgreSQL bigints
_AUTHORIZATION = b"authorization"
_POSITION = POSITION_HEADER.lower().encode()


async def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    """The authenticated actor (401 without a valid bearer token); a query first catches up."""
    # Straight from the scope: a Headers object for the whole request cost more than the
    # rest of this function.
    authorization, position = first_headers(request.scope, _AUTHORIZATION, _POSITION)
    try:
        api = api_state(request)
        actor = actor_from(
            None if authorization is None else authorization.decode("latin-1"),
            api.jwt_secret,
            api.settings.jwt_issuer,
            api.settings.jwt_audience,
        )
    except InvalidToken as error:
        raise ProblemError(401, "unauthorized", str(error), headers={"WWW-Authenticate": "Bearer"}) from None
    if request.method == "GET":
        await reads_own_writes(request, actor, position.decode("latin-1").strip() if position else "")
    return actor


def if_match(request: Request[Any, Any, Any]) -> int | None:
    """The version an If-Match header names (a stale or unreadable one can never match)."""
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return None
    text = header.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise ProblemError(412, "precondition_failed", f"If-Match {header!r} names no version of this studio")
    return int(text)


def render(outcome: Outcome, today: dt.date, policies: PolicyTable) -> StudioView:
    """The studio after a command, exactly as the register will show it."""
    values = row(outcome.studio, outcome.positions[-1], dt.datetime.now(dt.UTC))
    return studio_view(asdict(values), today, policies)


class JsonAnswer(ASGIResponse):
    """A JSON answer sent as it is built: the body encoded once, the headers once.

    Litestar turns a Response into an ASGIResponse whose headers it collects and encodes one
    by one; on GET a studio, the busiest route there is, that was about 8 % of the request
    (py-spy). Being an ASGIResponse already, it gets no headers or cookies from the app's
    layers (casework sets none). Errors still go through the exception handlers."""

    def __init__(self, body: Any, *, headers: Mapping[str, str] | None = None) -> None:
        # Every attribute of ASGIResponse is set here; its headers wrap a list made at once.
        self.body = msgspec.json.encode(body)
        self.content_length = len(self.body)
        self.status_code = 200
        self.background = None
        self.encoding = "utf-8"
        self.is_head_response = False
        self._encoded_cookies = ()
        raw = [(b"content-type", b"application/json"), (b"content-length", str(self.content_length).encode())]
        for name, text in (headers or {}).items():
            raw.append((name.lower().encode("latin-1"), text.encode("latin-1")))
        self.headers = MutableScopeHeaders({"headers": raw})


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response[bytes]:
    return Response(
        content=msgspec.json.encode(body),
        status_code=status,
        headers=headers or {},
        media_type="application/json",
    )


def operation_of(request: Request[Any, Any, Any]) -> str:
    """The operation a request calls: the operation id its route names (once, in the route)."""
    operation = request.route_handler.operation_id
    assert isinstance(operation, str), "every route names its operation_id"
    return operation


async def answer_command(
    request: Request[Any, Any, Any],
    actor: Actor,
    execute: Callable[[Context], Done],
    respond: Callable[[Done], Response[bytes]],
    replay: Replay,
) -> Response[bytes]:
    """Authorise the route's operation, execute the command in a worker thread and answer it,
    once for an Idempotency-Key (``replay`` answers again from what the store recorded). A
    refusal is its problem answer; the metrics count every outcome."""
    operation = operation_of(request)
    require(actor, operation)
    api = api_state(request)

    async def answer(key: RequestKey | None) -> Response[bytes]:
        try:
            done = await anyio.to_thread.run_sync(execute, context_of(request, actor, key))
        except Exception as error:
            refusal = problem_for(error)
            if refusal is None:
                raise
            METRICS.observe_command(operation, getattr(error, "code", "refused"))
            return refusal
        METRICS.observe_command(operation, "ok")
        return respond(done)

    return await answer_once(
        api.db,
        request,
        key_scope(actor),
        api.today(),
        answer,
        replay,
        api.settings.idempotency_ttl_hours,
    )


async def run_command(
    request: Request[Any, Any, Any],
    actor: Actor,
    build: Callable[[ApiState], StudioCommand],
    *,
    created: bool = False,
    answer: Callable[[StudioView, Outcome], Any] | None = None,
) -> Response[bytes]:
    """A command on a studio: built by ``build``, executed on the version If-Match names, and
    answered with the studio as it is now (``answer`` adds what some commands made)."""
    api = api_state(request)

    def execute(context: Context) -> Outcome:
        expected = if_match(request)
        return api.app.execute(build(api), context, expected_version=expected)

    def respond_with(outcome: Outcome, today: dt.date) -> Response[bytes]:
        # Read-your-writes: this user's next query waits, if need be, until the read side
        # has applied this position; another replica learns it from the Casework-Position header.
        position = outcome.positions[-1]
        api.written.record(actor.subject, position)
        view = render(outcome, today, api.app.policies)
        headers = {"ETag": f'"{outcome.studio.version}"', POSITION_HEADER: str(position)}
        if created:
            headers["Location"] = f"/api/v1/studios/{outcome.studio.id}"
        body = answer(view, outcome) if answer else view
        return json_response(body, 201 if created else 200, headers)

    async def replay(stream: UUID, first: int, last: int, today: dt.date) -> Response[bytes]:
        studio, events, positions = await anyio.to_thread.run_sync(api.app.outcome_of, stream, first, last)
        assert studio is not None, "a studio's command"
        return respond_with(Outcome(studio=studio, events=events, positions=positions), today)  # type: ignore[arg-type]

    return await answer_command(
        request, actor, execute, lambda outcome: respond_with(outcome, api.today()), replay
    )


def limit_of(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise ProblemError(422, "validation_failed", f"limit: between 1 and {MAX_LIMIT}")
    return limit


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode([str(v) for v in values])).decode()


def decode_cursor(cursor: str | None, kinds: Sequence[Callable[[str], Any]]) -> list[Any] | None:
    """The values a cursor carries, each made by its kind (str, int, UUID); anything but a
    cursor this API gave out is a 422 naming the cursor, never a query that fails (500)."""
    if cursor is None:
        return None
    try:
        values = msgspec.json.decode(base64.urlsafe_b64decode(cursor.encode()), type=list[str])
        if len(values) != len(kinds):
            raise ValueError
        return [kind(value) for kind, value in zip(kinds, values, strict=True)]
    except (ValueError, TypeError, msgspec.DecodeError):
        raise ProblemError(422, "validation_failed", "cursor: not one this API gave out") from None


def csv_response(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], filename: str) -> Response[bytes]:
    """UTF-8 with a BOM, so that Excel opens the Chinese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for item in rows:
        writer.writerow([csv_cell(item.get(c)) for c in columns])
    return Response(
        content=("\ufeff" + out.getvalue()).encode("utf-8"),
        media_type="text/csv",  # Litestar adds the charset (utf-8)
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def studio_uuid(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise ProblemError(404, "not_found", "no such studio, or not one of yours") from None
