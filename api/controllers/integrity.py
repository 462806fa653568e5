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
from api.queries.bundles import public_key, signed_bundle
from casework import checkpoints
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
        key = public_key(api)
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
        public_key(api)
        if since is not None and not 1 <= since < 2**63:
            raise ProblemError(422, "validation_failed", "since: the size of a signed tree head, 1 or more")
        sid = studio_uuid(studio_id)
        made = await signed_bundle(api, sid, since)
        if made is None:
            raise ProblemError(404, "not_found", "no such studio, or not one of yours")
        return json_response(
            made, headers={"Content-Disposition": f'attachment; filename="studio-{sid}.json"'}
        )
