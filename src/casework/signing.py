"""The Ed25519 key that signs checkpoints: CASEWORK_SIGNING_KEY, or one made once in the data folder."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

from casework.integrity import Signer
from casework.keyfiles import read_or_create

_KEY_FILE = "signing.key"


def signer_from(configured: str | None, data_dir: Path) -> Signer:
    """The configured key (base64 of the 32-byte seed), else the data folder's, made on first use."""
    if configured:
        return Signer.from_seed(_seed(configured))
    text = read_or_create(data_dir / _KEY_FILE, lambda: base64.b64encode(secrets.token_bytes(32)).decode())
    return Signer.from_seed(_seed(text))


def _seed(text: str) -> bytes:
    try:
        seed = base64.b64decode(text, validate=True)
    except ValueError:
        seed = b""
    if len(seed) != 32:
        msg = "CASEWORK_SIGNING_KEY must be the base64 of a 32-byte Ed25519 seed"
        raise ValueError(msg)
    return seed


def public_key_from(configured: str | None, signing_key: str | None, data_dir: Path) -> str:
    """CASEWORK_PUBLIC_KEY if set (an API replica's way), else the signing key's public half."""
    return configured or signer_from(signing_key, data_dir).public_key
