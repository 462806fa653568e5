"""Request ids, correlation ids and one structured log line per request."""

from __future__ import annotations

import random
import time
from typing import Any

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api.metrics import METRICS

log = structlog.get_logger("casework.api")

# A random 128-bit number made a version 4 UUID: its version nibble 4, its variant bits 10.
_UUID4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_UUID4_SET = (0x4000 << 64) | (0x8000 << 48)


def first_headers(scope: Scope, *names: bytes) -> list[bytes | None]:
    """The first value of each named header (names in lower case), in one pass over the
    request's headers, as Litestar's Headers.get reads them but without building them all:
    this runs on every request."""
    found: list[bytes | None] = [None] * len(names)
    lengths = {len(name) for name in names}
    for key, value in scope["headers"]:
        if len(key) in lengths:  # most headers are passed over unread
            lowered = key.lower()
            for i, name in enumerate(names):
                if found[i] is None and lowered == name:
                    found[i] = value
                    break
    return found


def _sane(value: bytes | None) -> str | None:
    if value is None:
        return None
    text = value.decode("latin-1").strip()
    # Echo only a sane id: never let a header inject arbitrary text into our logs.
    return text[:128] if text and text.isprintable() else None


def _new_id() -> str:
    """A random (version 4) UUID for a request that came without an id.

    From the process's pseudo-random generator: a request id must be unique, not secret,
    and uuid4() makes a system call, a visible share of a GET (py-spy: 3 % of the request).
    """
    # The version (4) and variant (10) bits set by hand: uuid.UUID() and str() of it
    # cost three times as much as the formatting (timeit).
    bits = random.getrandbits(128) & _UUID4_CLEAR | _UUID4_SET
    text = f"{bits:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


class RequestContext:
    """Binds request and correlation ids to every log line of the request, and echoes them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._log: Any = None

    def _logger(self) -> Any:
        # A logger bound once, at the first request (logging is configured by then): the
        # module's lazy proxy would rebuild one for every line, on the hottest path there is.
        if self._log is None:
            self._log = log.bind()
        return self._log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        sent_request_id, sent_correlation_id = first_headers(scope, b"x-request-id", b"x-correlation-id")
        request_id = _sane(sent_request_id) or _new_id()
        correlation_id = _sane(sent_correlation_id) or request_id
        state = scope["state"]  # made by Litestar before the handler this wraps
        state["request_id"] = request_id
        state["correlation_id"] = correlation_id
        ids = [(b"x-request-id", request_id.encode()), (b"x-correlation-id", correlation_id.encode())]
        started = time.perf_counter()
        status = 500

        async def send_with_ids(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), *ids]
            await send(message)

        tokens = structlog.contextvars.bind_contextvars(request_id=request_id, correlation_id=correlation_id)
        try:
            await self.app(scope, receive, send_with_ids)
        finally:
            seconds = time.perf_counter() - started
            route = _route(scope)
            METRICS.observe_request(str(scope.get("method", "?")), route, status, seconds)
            self._logger().info(
                "request",
                method=scope.get("method"),
                route=route,
                status=status,
                duration_ms=round(seconds * 1000, 2),
            )
            structlog.contextvars.reset_contextvars(**tokens)


def _route(scope: Scope) -> str:
    """The matched route's template (/api/v1/studios/{studio_id}), never the raw path; a
    request that routing refused (an unknown path, or 405 on a known one) is "unmatched"."""
    template = scope.get("path_template")
    return str(template) if template else "unmatched"
