"""Configuration from the environment (ARCHITECTURE.md, "Configuration")."""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    data_dir: Path
    log_format: Literal["json", "console"]
    log_level: str
    host: str
    port: int
    jwt_secret: str | None
    signing_key: str | None
    id_key: str | None
    projection_batch: int
    workers: int = 1
    # How long a request waits for a database connection before answering 503 (seconds).
    db_timeout: float = 5.0
    # When set, tokens carry and must carry this issuer and audience.
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    # How long an Idempotency-Key is kept, then purged by the projection worker.
    idempotency_ttl_hours: float = 24.0
    # The public half of the signing key, for processes that serve signed heads but must
    # not hold the private key (API replicas); unset, it is derived from the signing key.
    public_key: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read every CASEWORK_* variable; unset means the embedded default."""
        env = os.environ if env is None else env
        log_format = env.get("CASEWORK_LOG_FORMAT", "console")
        if log_format not in ("json", "console"):
            msg = f"CASEWORK_LOG_FORMAT must be json or console, not {log_format!r}"
            raise ValueError(msg)
        return cls(
            database_url=env.get("CASEWORK_DATABASE_URL") or None,
            data_dir=Path(env.get("CASEWORK_DATA_DIR", "./.casework")).resolve(),
            log_format="json" if log_format == "json" else "console",
            log_level=env.get("CASEWORK_LOG_LEVEL", "info"),
            host=env.get("CASEWORK_HOST", "127.0.0.1"),
            port=int(env.get("CASEWORK_PORT", "8000")),
            jwt_secret=jwt_secret_setting(env.get("CASEWORK_JWT_SECRET")),
            signing_key=env.get("CASEWORK_SIGNING_KEY") or None,
            id_key=env.get("CASEWORK_ID_KEY") or None,
            projection_batch=int(env.get("CASEWORK_PROJECTION_BATCH", "500")),
            workers=int(env.get("CASEWORK_WORKERS", "1")),
            db_timeout=_bounded(env, "CASEWORK_DB_TIMEOUT", 5.0, 300, "seconds"),
            jwt_issuer=env.get("CASEWORK_JWT_ISSUER") or None,
            jwt_audience=env.get("CASEWORK_JWT_AUDIENCE") or None,
            idempotency_ttl_hours=_bounded(env, "CASEWORK_IDEMPOTENCY_TTL_HOURS", 24.0, 24 * 365, "hours"),
            public_key=public_key_setting(env.get("CASEWORK_PUBLIC_KEY") or None),
        )


# The words the deployment templates hold until someone sets a real secret.
PLACEHOLDERS = frozenset({"change-me", "changeme", "change_me", "secret", "password", "example"})
MIN_SECRET_BYTES = 32  # HS256 takes a key of the hash's length (RFC 7518 3.2)


def jwt_secret_setting(configured: str | None) -> str | None:
    """CASEWORK_JWT_SECRET as set: unset means generated into the data folder; set, even to
    nothing, it must be a real secret, or the start stops here, naming it."""
    if configured is None:
        return None
    if configured.strip().lower() in PLACEHOLDERS:
        msg = "CASEWORK_JWT_SECRET is a template's placeholder: set a random secret of 32 bytes or more"
        raise ValueError(msg)
    if len(configured.encode()) < MIN_SECRET_BYTES:
        msg = f"CASEWORK_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes (unset, one is generated)"
        raise ValueError(msg)
    return configured


def public_key_setting(configured: str | None) -> str | None:
    """CASEWORK_PUBLIC_KEY as set: the base64 of a raw 32-byte Ed25519 public key."""
    if configured is None:
        return None
    try:
        raw = base64.b64decode(configured, validate=True)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        msg = "CASEWORK_PUBLIC_KEY must be the base64 of a 32-byte Ed25519 public key (casework pubkey)"
        raise ValueError(msg)
    return configured


def _bounded(env: Mapping[str, str], name: str, default: float, most: float, unit: str) -> float:
    """A number setting above 0 and at most ``most``, or the default when unset."""
    text = env.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value <= most:
        msg = f"{name} must be a number of {unit} above 0 and at most {most:g}, not {text!r}"
        raise ValueError(msg)
    return value
