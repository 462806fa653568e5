"""Liveness, readiness and metrics: for the load balancer and Prometheus, without a token."""

from __future__ import annotations

import time
from typing import Any

from litestar import Controller, Request, Response, get

from api.controllers.common import api_state, json_response
from api.database import is_database_down
from api.metrics import METRICS
from api.state import ApiState

MAX_READY_LAG = 1000


async def _projection_positions(request: Request[Any, Any, Any]) -> list[tuple[str, int, int]]:
    api = api_state(request)
    assert api.health is not None, "the lifespan opens the probe"
    positions = await api.health.positions()
    _observe(api, positions)
    return positions


def _observe(api: ApiState, positions: list[tuple[str, int, int]]) -> None:
    """Remember when each projection last moved (or had nothing to do)."""
    now = time.monotonic()
    for name, position, lag in positions:
        seen = api.progress.get(name)
        if seen is None or seen[0] != position or lag == 0:
            api.progress[name] = (position, now)


def stalled(api: ApiState, positions: list[tuple[str, int, int]]) -> dict[str, float]:
    """Projections behind the log that have not moved for ``api.stall_after`` seconds: a read
    side that stopped (no worker, a worker stuck) while the log grows, however small the lag."""
    now = time.monotonic()
    found = {}
    for name, _, lag in positions:
        since = now - api.progress.get(name, (0, now))[1]
        if lag > 0 and since >= api.stall_after:
            found[name] = since
    return found


class HealthController(Controller):
    path = "/"
    tags = ["operations"]  # noqa: RUF012

    @get("/health/live", operation_id="health_live")
    async def live(self) -> Response[bytes]:
        """The process answers."""
        return json_response({"status": "alive"})

    @get("/health/ready", operation_id="health_ready")
    async def ready(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """The database answers and every projection is close to the head of the log."""
        try:
            positions = await _projection_positions(request)
        except Exception as error:
            if not is_database_down(error):
                raise
            return json_response({"status": "unavailable", "database": False}, 503, {"Retry-After": "5"})
        lagging = {name: lag for name, _, lag in positions if lag > MAX_READY_LAG}
        stopped = stalled(api_state(request), positions)
        status = "stalled" if stopped else "lagging" if lagging else "ready"
        body = {
            "status": status,
            "database": True,
            "projections": [
                {"name": n, "position": p, "lag": lag, "stalled": n in stopped} for n, p, lag in positions
            ],
        }
        fine = status == "ready"
        return json_response(body, 200 if fine else 503, {} if fine else {"Retry-After": "5"})

    @get("/metrics", operation_id="metrics", media_type="text/plain; version=0.0.4")
    async def metrics(self, request: Request[Any, Any, Any]) -> Response[str]:
        """Prometheus text: requests, latencies, command outcomes, projection positions and lag."""
        try:
            positions = await _projection_positions(request)
        except Exception as error:
            if not is_database_down(error):
                raise
            positions = []
        api = api_state(request)
        pool = api.pool
        text = METRICS.render(positions)
        stopped = stalled(api, positions)
        text += "# TYPE casework_projection_stalled_seconds gauge\n" + "".join(
            f'casework_projection_stalled_seconds{{projection="{name}"}} {stopped.get(name, 0.0):.1f}\n'
            for name, _, _ in positions
        )
        if pool is not None:
            text += f"casework_db_pool_size {pool.get_size()}\ncasework_db_pool_idle {pool.get_idle_size()}\n"
        return Response(content=text, media_type="text/plain; version=0.0.4")
