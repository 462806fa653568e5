"""Protection of resident ID numbers: tokenised for uniqueness, sealed for the few.

The key lives outside the database (CASEWORK_ID_KEY, or a file generated once in the
data folder), so a copy of the event store alone reveals no ID number.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from casework.domain.ids import check_resident_id, mask_resident_id
from casework.domain.values import ProtectedId
from casework.keyfiles import read_or_create

_KEY_FILE = "id.key"
_AAD = b"casework resident id"


class Vault:
    """Turns a resident ID number into its protected form, and back for those entitled."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            msg = "the ID key must be 32 bytes"
            raise ValueError(msg)
        # Separate subkeys so that the token reveals nothing about the sealing key.
        self._token_key = hmac.digest(key, b"token", hashlib.sha256)
        self._seal = AESGCM(hmac.digest(key, b"seal", hashlib.sha256))

    @classmethod
    def from_setting(cls, configured: str | None, data_dir: Path) -> Vault:
        """The configured key (hex or base64), else the data folder's, made on first use."""
        if configured:
            return cls(_decode_key(configured))
        return cls(_decode_key(read_or_create(data_dir / _KEY_FILE, lambda: secrets.token_hex(32))))

    def token(self, number: str) -> str:
        return hmac.new(self._token_key, number.encode(), hashlib.sha256).hexdigest()

    def protect(self, raw: str, field: str) -> ProtectedId:
        """Check the number (GB 11643) and return its protected form."""
        number = check_resident_id(raw, field)
        nonce = secrets.token_bytes(12)
        sealed = nonce + self._seal.encrypt(nonce, number.encode(), _AAD)
        return ProtectedId(
            token=self.token(number),
            masked=mask_resident_id(number),
            sealed=base64.b64encode(sealed).decode(),
        )

    def reveal(self, protected: ProtectedId) -> str:
        """The number in clear, for the roles that need it."""
        sealed = base64.b64decode(protected.sealed)
        return self._seal.decrypt(sealed[:12], sealed[12:], _AAD).decode()


def _decode_key(text: str) -> bytes:
    try:
        return bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text, validate=True)
    except ValueError:
        msg = "CASEWORK_ID_KEY must be 32 bytes as 64 hex digits or base64"
        raise ValueError(msg) from None
