"""A studio's bundle and the key that checks it: what the API and the console serve auditors.

The API holds the public key only (CASEWORK_PUBLIC_KEY): the projection worker signs."""

from __future__ import annotations

from typing import Any

import anyio.to_thread

from api.errors import ProblemError
from casework import checkpoints
from casework.bundles import Bundle


def public_key(api: Any) -> str:
    """The key the stored heads are signed with; 503 when none is configured."""
    if api.public_key is None:
        raise ProblemError(503, "unavailable", "no signing key is configured", headers={"Retry-After": "60"})
    key: str = api.public_key
    return key


async def signed_bundle(api: Any, sid: Any, since: int | None) -> Bundle | None:
    """The bundle, once a signed head covers the studio's last event: the API holds no key,
    so it asks the projection worker to sign one and waits for it, as long as a read waits."""
    deadline = anyio.current_time() + api.read_wait
    while True:
        try:
            return await anyio.to_thread.run_sync(
                lambda: checkpoints.make_bundle(api.app, api.database_url, sid, since)
            )
        except LookupError as error:
            raise ProblemError(422, "validation_failed", str(error)) from error
        except checkpoints.NotYetSigned as pending:
            if anyio.current_time() >= deadline:
                raise ProblemError(
                    503,
                    "unavailable",
                    f"{pending}: the projection worker signs it shortly",
                    headers={"Retry-After": "5"},
                ) from pending
            position = pending.position
        await anyio.to_thread.run_sync(checkpoints.ask_to_sign, api.database_url, position)
        await anyio.sleep(0.2)
