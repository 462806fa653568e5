"""Signing in to the console: a link works once, sets a strict cookie, and ends with the token."""

from __future__ import annotations

import datetime as dt
import io
import json

from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.auth import issue_token
from api.console.session import COOKIE, csrf_token, sign_in_link
from api.state import ApiState
from tests.api.test_logging import captured
from tests.console.conftest import link_path, sign_in

__all__ = ["captured"]

Client = AsyncTestClient[Litestar]


async def test_a_link_signs_in_once_with_a_strict_cookie(client: Client, api_state: ApiState) -> None:
    path = link_path(api_state, "city_office")
    first = await client.get(path, follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/console/"
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower()
    assert "Path=/console" in cookie
    assert "Secure" not in cookie  # plain HTTP here: a Secure cookie would never come back
    max_age = int(cookie.split("Max-Age=")[1].split(";")[0])
    assert 8 * 3600 - 60 < max_age <= 8 * 3600  # the session lasts as long as the token
    overview = await client.get("/console/")
    assert overview.status_code == 200
    assert "总览" in overview.text
    client.cookies.clear()
    again = await client.get(path, follow_redirects=False)
    assert again.status_code == 400
    assert "already been used" in again.text
    assert COOKIE not in again.headers.get("set-cookie", "")


async def test_the_cookie_is_secure_under_https(litestar_app: Litestar, api_state: ApiState) -> None:
    async with AsyncTestClient(app=litestar_app, base_url="https://testserver.local") as secure:
        answer = await secure.get(link_path(api_state, "auditor"), follow_redirects=False)
    assert answer.status_code == 303
    assert "Secure" in answer.headers["set-cookie"]


async def test_a_link_is_no_bearer_token_and_a_token_is_no_link(client: Client, api_state: ApiState) -> None:
    link = link_path(api_state, "city_office").split("link=")[1]
    api = await client.get("/api/v1/studios", headers={"Authorization": f"Bearer {link}"})
    assert api.status_code == 401
    token = issue_token(api_state.jwt_secret, role="city_office", subject="x")
    forged = await client.get(f"/console/sign-in?link={token}", follow_redirects=False)
    assert forged.status_code == 400
    assert "not a sign-in link" in forged.text


async def test_an_expired_link_is_refused(client: Client, api_state: ApiState) -> None:
    old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    url = sign_in_link(api_state.jwt_secret, "http://x", role="finance", subject="f", now=old)
    answer = await client.get(url.removeprefix("http://x"), follow_redirects=False)
    assert answer.status_code == 400
    assert "expired" in answer.text


async def test_without_a_session_or_with_an_expired_one_a_page_says_how_to_sign_in(
    client: Client, api_state: ApiState
) -> None:
    nobody = await client.get("/console/studios")
    assert nobody.status_code == 401
    assert "--link" in nobody.text
    old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=9)
    expired = issue_token(api_state.jwt_secret, role="city_office", subject="x", now=old)
    client.cookies.set(COOKIE, expired, path="/console")
    answer = await client.get("/console/studios")
    assert answer.status_code == 401
    assert "expired" in answer.text


async def test_signing_out_needs_the_forms_csrf_token(client: Client, api_state: ApiState) -> None:
    await sign_in(client, api_state, "auditor")
    session = client.cookies[COOKIE]
    for sent in (
        {"nothing": ""},
        {"_csrf": "0" * 64},
        {"_csrf": csrf_token(api_state.jwt_secret, "another session")},
    ):
        refused = await client.post("/console/sign-out", data=sent, follow_redirects=False)
        assert refused.status_code == 403, sent
        assert "CSRF" in refused.text
        assert (await client.get("/console/")).status_code == 200  # still signed in
    out = await client.post(
        "/console/sign-out", data={"_csrf": csrf_token(api_state.jwt_secret, session)}, follow_redirects=False
    )
    assert out.status_code == 303
    assert out.headers["location"] == "/console/signed-out"
    assert (await client.get("/console/")).status_code == 401


async def test_every_page_view_is_logged_like_an_api_request(
    client: Client, api_state: ApiState, captured: io.StringIO
) -> None:
    await sign_in(client, api_state, "city_office")
    answer = await client.get("/console/studios", headers={"X-Request-ID": "page-view-1"})
    assert answer.status_code == 200
    assert answer.headers["x-request-id"] == "page-view-1"
    lines = [json.loads(line) for line in captured.getvalue().splitlines() if line.startswith("{")]
    views = [line for line in lines if line.get("request_id") == "page-view-1" and line["event"] == "request"]
    assert len(views) == 1
    assert views[0]["route"] == "/console/studios"
    assert views[0]["status"] == 200
    assert views[0]["method"] == "GET"
    # The link and the session never reach the service's log (the test client logs its own URLs).
    ours = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines if line.get("logger") != "httpx")
    assert "link=" not in ours
    assert client.cookies[COOKIE] not in ours
