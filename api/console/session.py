"""Signing in to the console: one-time links, the session cookie, and the forms' CSRF token.

A link carries a token signed with a key of its own (derived from the JWT secret), so that a
link is never a bearer token of the API; it is good for a few minutes and once only (its id
is recorded when used). Using it sets the session cookie: the user's bearer token, HttpOnly,
SameSite=Strict (Secure under HTTPS), which expires with the token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time
import uuid
from typing import Any
from urllib.parse import quote

import asyncpg
import jwt
from litestar import Request

from api.auth import ALGORITHM, InvalidToken, actor_from, issue_token
from api.controllers.common import api_state
from casework.domain.permissions import Actor

COOKIE = "casework_session"
CSRF_FIELD = "_csrf"
CSRF_HEADER = "x-csrf-token"
LINK_TTL = dt.timedelta(minutes=15)
SIGN_IN_PATH = "/console/sign-in"

# The ids of the links used (kept past their expiry, which makes them worthless anyway).
CREATE_LINKS = (
    "CREATE TABLE IF NOT EXISTS console_sign_in_links ("
    "link_id text PRIMARY KEY, used_at timestamptz NOT NULL DEFAULT now(), subject text NOT NULL)",
)


class NotSignedIn(Exception):
    """No session cookie, or one whose token is not (or no longer) valid."""


class InvalidLink(Exception):
    """A sign-in link that is malformed, expired, or already used."""


def _link_key(secret: str) -> str:
    return hmac.new(secret.encode(), b"casework console sign-in link", hashlib.sha256).hexdigest()


def sign_in_link(
    secret: str,
    base_url: str,
    *,
    role: str,
    subject: str,
    county: str | None = None,
    session: dt.timedelta = dt.timedelta(hours=8),
    now: dt.datetime | None = None,
) -> str:
    """A one-time sign-in link for ``subject`` acting as ``role`` (ValueError for a bad role)."""
    issue_token(secret, role=role, subject=subject, county=county)  # the same checks as a token
    issued = now or dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {
        "sub": subject,
        "role": role,
        "jti": uuid.uuid4().hex,
        "iat": issued,
        "exp": issued + min(LINK_TTL, session),
        "session_exp": int((issued + session).timestamp()),
    }
    if county is not None:
        claims["county"] = county
    token = jwt.encode(claims, _link_key(secret), algorithm=ALGORITHM)
    return f"{base_url.rstrip('/')}{SIGN_IN_PATH}?link={quote(token)}"


def read_link(link: str, secret: str) -> dict[str, Any]:
    """The claims of a link signed here and still good (InvalidLink otherwise)."""
    try:
        claims: dict[str, Any] = jwt.decode(
            link,
            _link_key(secret),
            algorithms=[ALGORITHM],
            options={"require": ["sub", "role", "jti", "exp", "session_exp"]},
        )
    except jwt.ExpiredSignatureError:
        raise InvalidLink(
            "this sign-in link has expired: ask for a new one (casework token --link)"
        ) from None
    except jwt.PyJWTError:
        raise InvalidLink("this is not a sign-in link of this service") from None
    return claims


async def use_link(db: asyncpg.Pool[Any], claims: dict[str, Any]) -> None:
    """Record the link as used; InvalidLink when it was used before."""
    used = await db.fetchval(
        "INSERT INTO console_sign_in_links (link_id, subject) VALUES ($1, $2) "
        "ON CONFLICT (link_id) DO NOTHING RETURNING link_id",
        claims["jti"],
        claims["sub"],
    )
    if used is None:
        raise InvalidLink("this sign-in link has already been used: a link signs in once")


def session_token(secret: str, claims: dict[str, Any], issuer: str | None, audience: str | None) -> str:
    """The session's bearer token, expiring when the link said the session does."""
    now = dt.datetime.now(dt.UTC)
    ends = dt.datetime.fromtimestamp(claims["session_exp"], dt.UTC)
    return issue_token(
        secret,
        role=claims["role"],
        subject=claims["sub"],
        county=claims.get("county"),
        ttl=ends - now,
        now=now,
        issuer=issuer,
        audience=audience,
    )


def csrf_token(secret: str, session: str) -> str:
    """The token a form of this session carries: bound to the session, unknown to other sites."""
    return hmac.new(secret.encode(), b"csrf " + session.encode(), hashlib.sha256).hexdigest()


def check_csrf(request: Request[Any, Any, Any], sent: str | None) -> bool:
    """Whether a form (or an htmx request's header) carries this session's CSRF token."""
    session = request.cookies.get(COOKIE)
    given = sent or request.headers.get(CSRF_HEADER)
    if not session or not given:
        return False
    return hmac.compare_digest(given, csrf_token(api_state(request).jwt_secret, session))


async def provide_viewer(request: Request[Any, Any, Any]) -> Actor:
    """The signed-in user of the console (NotSignedIn without a valid session)."""
    session = request.cookies.get(COOKIE)
    if not session:
        raise NotSignedIn("not signed in")
    api = api_state(request)
    try:
        return actor_from(
            f"Bearer {session}", api.jwt_secret, api.settings.jwt_issuer, api.settings.jwt_audience
        )
    except InvalidToken as error:
        raise NotSignedIn(str(error)) from None


def seconds_left(token: str) -> int:
    """How long the session token is good for (the cookie's Max-Age)."""
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    return max(0, int(expires - time.time()))
