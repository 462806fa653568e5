"""What every console page shares: its frame (who is signed in, what they may open), the
downloads of its tables, and the HTML pages of refusals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import Request, Response
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.exceptions import HTTPException
from litestar.plugins.htmx import HTMXDetails
from litestar.response import Redirect, Template
from litestar.template.config import TemplateConfig

from api.access import ROLES_BY_OPERATION
from api.console import words
from api.console.session import COOKIE, CSRF_FIELD, InvalidLink, NotSignedIn, csrf_token
from api.controllers.common import api_state, csv_response
from api.errors import ProblemError, on_unexpected, problem_for
from api.exports import XLSX
from casework.domain.permissions import Actor
from projections.reconciliation import xlsx

HERE = Path(__file__).parent
HTML = "text/html; charset=utf-8"

# The console's pages, in the order of its menu: path, title, the API operation whose roles may open it.
PAGES = (
    ("/console/", "总览", "get_summary_report"),
    ("/console/studios", "工作室名册", "list_studios"),
    ("/console/due", "到期事项", "get_due_report"),
    ("/console/ledger", "补助台账", "get_ledger_balances"),
    ("/console/reconciliations", "国库对账", "get_reconciliation"),
)


def may(actor: Actor, operation: str) -> bool:
    """Whether the actor's role may make the API call (and so open the page that shows it)."""
    return actor.role in ROLES_BY_OPERATION[operation]


def _configure(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.filters.update(money=words.money, day=words.day, moment=words.moment)
    env.globals.update(w=words, word=words.word, CSRF_FIELD=CSRF_FIELD)


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja2 templates from the package (autoescaped: every value is text until said otherwise)."""
    return TemplateConfig(
        directory=HERE / "templates", engine=JinjaTemplateEngine, engine_callback=_configure
    )


def page(
    request: Request[Any, Any, Any],
    viewer: Actor,
    template: str,
    *,
    api: str,
    status: int = 200,
    **context: Any,
) -> Template:
    """A page for the signed-in viewer; ``api`` is the API call that gives the same data."""
    session = request.cookies.get(COOKIE, "")
    menu = [(path, title) for path, title, operation in PAGES if may(viewer, operation)]
    return Template(
        template_name=template,
        context={
            "viewer": viewer,
            "csrf": csrf_token(api_state(request).jwt_secret, session),
            "menu": menu,
            "here": request.url.path,
            "api_call": api,
            "today": api_state(request).today(),
            **context,
        },
        status_code=status,
        media_type=HTML,
    )


def query(path: str, params: Mapping[str, Any]) -> str:
    """A path with the parameters that are set (the API link and the paging links of a page)."""
    given = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{path}?{urlencode(given)}" if given else path


FORMATS = ("csv", "xlsx")


def file_format(value: str | None) -> str | None:
    """The file a page's table is asked as (csv or xlsx), or None for the page itself."""
    if value not in (None, *FORMATS):
        raise ProblemError(422, "validation_failed", "format: csv or xlsx")
    return value


def day_of(text: str | None) -> dt.date | None:
    """A date given in a form or a link (blank: none); 422 naming the field otherwise."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ProblemError(
            422, "validation_failed", f"as_of: a date such as 2026-06-30, not {text!r}"
        ) from None


def download(
    fmt: str, name: str, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> Response[bytes]:
    """A page's table as a file: CSV (UTF-8 with a BOM, for Excel) or XLSX."""
    disposition = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    if fmt == "xlsx":
        body = xlsx(list(columns), [[_cell(r.get(c)) for c in columns] for r in rows], name[:31])
        return Response(content=body, media_type=XLSX, headers=disposition)
    return csv_response(rows, columns, f"{name}.csv")


def _cell(value: Any) -> Any:
    return value if isinstance(value, int | float | str) or value is None else str(value)


def wants_fragment(request: Request[Any, Any, Any]) -> bool:
    """Whether htmx asks for a part of the page (a filter changed, another page): a reload or a
    return through the browser's history gets the whole page."""
    htmx = HTMXDetails(request)
    return bool(htmx) and not htmx.history_restore_request


def on_not_signed_in(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """An htmx request gets a redirect header; a page, the page that says how to sign in."""
    if HTMXDetails(request):
        return Response(content=b"", status_code=401, headers={"HX-Redirect": "/console/signed-out"})
    return refusal(
        request, 401, "请先登录", f"{error}。请使用 casework token … --link 生成的一次性登录链接。"
    )


def on_error(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """The API's refusal (its status and detail) as a page; anything else is the API's 500."""
    if isinstance(error, InvalidLink):
        return refusal(request, 400, "登录链接无效", str(error))
    if isinstance(error, NotSignedIn):
        return on_not_signed_in(request, error)
    if isinstance(error, HTTPException):
        return refusal(request, error.status_code, "无法完成", str(error.detail))
    answer = problem_for(error)
    if answer is None:
        return on_unexpected(request, error)
    detail = msgspec.json.decode(answer.content)
    status = answer.status_code or 500
    titles = {403: "无权查看", 404: "未找到", 422: "输入有误", 503: "暂不可用"}
    return refusal(request, status, titles.get(status, "无法完成"), detail["detail"])


def refusal(request: Request[Any, Any, Any], status: int, title: str, detail: str) -> Template:
    return Template(
        template_name="refusal.html",
        context={"title": title, "detail": detail, "status": status, "menu": [], "viewer": None},
        status_code=status,
        media_type=HTML,
    )


def back_to(path: str) -> Redirect:
    return Redirect(path=path, status_code=303)
