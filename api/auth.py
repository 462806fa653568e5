"""Bearer tokens: signed JWTs naming the user, their role and (for some roles) their county."""

from __future__ import annotations

import datetime as dt
import functools
import secrets
import time
from pathlib import Path
from typing import Any, cast, get_args

import jwt

from casework.domain import rules
from casework.domain.permissions import Actor
from casework.keyfiles import read_or_create
from casework.settings import jwt_secret_setting

ALGORITHM = "HS256"
_SECRET_FILE = "jwt.secret"  # noqa: S105 - a file name, not a secret


class InvalidToken(Exception):
    """No token, a malformed one, a bad signature, or an expired one."""


def jwt_secret(configured: str | None, data_dir: Path) -> str:
    """CASEWORK_JWT_SECRET, else the data folder's secret, made once (so token and serve agree).

    A secret that is set must be one: set but empty, shorter than 32 bytes, or a template's
    placeholder stops the start, naming the setting, as the other keys do."""
    checked = jwt_secret_setting(configured)
    if checked is None:
        return read_or_create(data_dir / _SECRET_FILE, lambda: secrets.token_urlsafe(48))
    return checked


def issue_token(
    secret: str,
    *,
    role: str,
    subject: str,
    county: str | None = None,
    ttl: dt.timedelta = dt.timedelta(hours=8),
    now: dt.datetime | None = None,
    issuer: str | None = None,
    audience: str | None = None,
) -> str:
    """A signed token for ``subject`` acting as ``role``."""
    if role not in get_args(rules.Role):
        msg = f"role must be one of {', '.join(get_args(rules.Role))}"
        raise ValueError(msg)
    if role in rules.COUNTY_SCOPED_ROLES and county not in rules.SCOPES:
        msg = f"a {role} token names its county: one of {', '.join(rules.SCOPES)}"
        raise ValueError(msg)
    issued = now or dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {"sub": subject, "role": role, "iat": issued, "exp": issued + ttl}
    if county is not None:
        claims["county"] = county
    if issuer:
        claims["iss"] = issuer
    if audience:
        claims["aud"] = audience
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def actor_from(
    header: str | None, secret: str, issuer: str | None = None, audience: str | None = None
) -> Actor:
    """The actor an ``Authorization: Bearer`` header proves, or InvalidToken; with an issuer
    or an audience configured (CASEWORK_JWT_ISSUER, CASEWORK_JWT_AUDIENCE) the token must name it."""
    if not header or not header.lower().startswith("bearer "):
        raise InvalidToken("send Authorization: Bearer <token>")
    actor, expires = _verified(header[7:].strip(), secret, issuer, audience)
    if expires <= time.time():
        raise InvalidToken("the token has expired")
    return actor


# Verifying a signature costs more than the rest of a read; a client sends the same token
# for hours, so remember the verified ones (expiry is still checked on every request).
@functools.lru_cache(maxsize=4096)
def _verified(token: str, secret: str, issuer: str | None, audience: str | None) -> tuple[Actor, float]:
    required = ["sub", "role", "exp", *(["iss"] if issuer else []), *(["aud"] if audience else [])]
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=issuer or None,
            audience=audience or None,
            options={"require": required, "verify_aud": bool(audience)},
        )
    except jwt.ExpiredSignatureError:
        raise InvalidToken("the token has expired") from None
    except (jwt.InvalidIssuerError, jwt.InvalidAudienceError) as error:
        raise InvalidToken(f"the token is not valid here ({error})") from None
    except jwt.PyJWTError:
        raise InvalidToken("the token is not valid") from None
    role = claims.get("role")
    if role not in get_args(rules.Role):
        raise InvalidToken("the token names no known role")
    county = claims.get("county")
    if role in rules.COUNTY_SCOPED_ROLES and county not in rules.SCOPES:
        raise InvalidToken("the token of a county role names no county")
    return Actor(subject=str(claims["sub"]), role=cast(rules.Role, role), county=county), float(claims["exp"])
