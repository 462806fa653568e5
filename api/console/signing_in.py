"""The console's door: the one-time sign-in link, signing out, and the page that says how to sign in."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from api.console.render import back_to, refusal
from api.console.session import (
    COOKIE,
    CSRF_FIELD,
    check_csrf,
    read_link,
    seconds_left,
    session_token,
    use_link,
)
from api.controllers.common import api_state
from api.errors import ProblemError


class SigningIn(Controller):
    path = "/console"

    @get("/sign-in", name="console-sign-in")
    async def sign_in(self, request: Request[Any, Any, Any], link: str) -> Redirect:
        """Use a one-time link: the session cookie is set and the overview opens."""
        api = api_state(request)
        claims = read_link(link, api.jwt_secret)
        await use_link(api.db, claims)
        token = session_token(api.jwt_secret, claims, api.settings.jwt_issuer, api.settings.jwt_audience)
        answer = back_to("/console/")
        answer.set_cookie(
            COOKIE,
            token,
            path="/console",
            max_age=seconds_left(token),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return answer

    @post("/sign-out", name="console-sign-out", status_code=303)
    async def sign_out(self, request: Request[Any, Any, Any]) -> Redirect:
        """End the session (a form of the console: it carries the CSRF token)."""
        form = await request.form()
        if not check_csrf(request, form.get(CSRF_FIELD)):
            raise ProblemError(403, "csrf_refused", "这个表单不是本会话发出的（CSRF 校验失败）")
        answer = back_to("/console/signed-out")
        answer.delete_cookie(COOKIE, path="/console")
        return answer

    @get("/signed-out", name="console-signed-out")
    async def signed_out(self, request: Request[Any, Any, Any]) -> Template:
        return refusal(
            request, 200, "已退出", "请使用 casework token … --link 生成的一次性登录链接再次登录。"
        )
