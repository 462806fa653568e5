"""The console over a real PostgreSQL: the API's fixtures, and signing in as any role."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.console.session import COOKIE, sign_in_link
from api.state import ApiState
from tests.api.conftest import api_state, client, litestar_app, policies, starts_at, tokens

__all__ = ["api_state", "client", "litestar_app", "policies", "starts_at", "tokens"]


def link_path(state: ApiState, role: str, county: str | None = None, subject: str | None = None) -> str:
    """The path and query of a fresh one-time sign-in link."""
    if county is None and role in ("applicant", "county_reviewer"):
        county = "鹿城区"
    url = urlsplit(sign_in_link(state.jwt_secret, "http://testserver.local", role=role,
                                subject=subject or f"{role}.user", county=county))  # fmt: skip
    return f"{url.path}?{url.query}"


async def sign_in(
    client: AsyncTestClient[Litestar], state: ApiState, role: str, county: str | None = None
) -> Any:
    """Sign the client in as ``role`` (out of any earlier session); the answer to the link."""
    client.cookies.clear()
    answer = await client.get(link_path(state, role, county), follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert COOKIE in client.cookies
    return answer
