"""Tamper evidence over HTTP: the check of the stored signed tree heads, and a studio's bundle.

The handlers hold the public key only (CASEWORK_PUBLIC_KEY): the projection worker signs."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from litestar import Controller, Request, Response, get

from api import answers as a
from api.access import require
from api.controllers.common import api_state, documented, json_response, studio_uuid
from api.errors import ProblemError
from casework import checkpoints
from casework.bundles import Bundle
from casework.domain.permissions import Actor

_NO_KEY = {503: "database unavailable, or no signing key configured; retry after Retry-After"}


class IntegrityController(Controller):
    path = "/api/v1"
    tags = ["audit"]  # noqa: RUF012

    @get(
        "/integrity",
        operation_id="get_integrity",
        responses=documented(200, a.IntegrityVerdict, problems=(401, 403, 503), notes=_NO_KEY),
    )
    async def integrity(self, request: Request[Any, Any, Any], actor: Actor) -> Response[bytes]:
        """Check every stored signed tree head against the key and the stored Merkle tree
        (``casework verify``, run where the database is, rereads the whole log)."""
        require(actor, "get_integrity")
        api = api_state(request)
        key = _public_key(api)
        verdict = await anyio.to_thread.run_sync(lambda: checkpoints.check_heads(api.database_url, key))
        return json_response({
            "ok": verdict.ok, "events": verdict.events, "checkpoints": verdict.checkpoints,
            "problem": verdict.problem, "position": verdict.position, "studio_id": verdict.studio_id,
            "public_key": key,
        })  # fmt: skip

    @get(
        "/studios/{studio_id:str}/history/bundle",
        operation_id="get_bundle",
        responses=documented(
            200,
            a.Bundle,
            problems=(401, 403, 404, 422, 503),
            description="the bundle (a JSON file: Content-Disposition attachment)",
            notes=_NO_KEY,
        ),
    )
    async def bundle(
        self, request: Request[Any, Any, Any], actor: Actor, studio_id: str, since: int | None = None
    ) -> Response[bytes]:
        """The studio's history as a self-contained bundle, verifiable offline (casework
        verify-bundle): its events with their inclusion proofs under the latest signed tree
        head, and the earlier heads (``since``: also the head of that many events, whose
        holder can then check that the log only grew) with their consistency proofs."""
        require(actor, "get_bundle")
        api = api_state(request)
        _public_key(api)
        if since is not None and not 1 <= since < 2**63:
            raise ProblemError(422, "validation_failed", "since: the size of a signed tree head, 1 or more")
        sid = studio_uuid(studio_id)
        made = await _signed_bundle(api, sid, since)
        if made is None:
            raise ProblemError(404, "not_found", "no such studio, or not one of yours")
        return json_response(
            made, headers={"Content-Disposition": f'attachment; filename="studio-{sid}.json"'}
        )


def _public_key(api: Any) -> str:
    if api.public_key is None:
        raise ProblemError(503, "unavailable", "no signing key is configured", headers={"Retry-After": "60"})
    key: str = api.public_key
    return key


async def _signed_bundle(api: Any, sid: Any, since: int | None) -> Bundle | None:
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
