"""Liveness, readiness and metrics: for the load balancer and Prometheus, without a token."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Controller, Request, Response, get

from api.controllers.common import api_state, json_response
from api.database import is_database_down
from api.metrics import METRICS

MAX_READY_LAG = 1000


async def _projection_positions(request: Request[Any, Any, Any]) -> list[tuple[str, int, int]]:
    api = api_state(request)
    async with asyncio.timeout(2):
        head = await api.db.fetchval(
            f"SELECT coalesce(max(notification_id), 0) FROM {api.app.store.events_table_name}"  # noqa: S608
        )
        rows = await api.db.fetch(
            "SELECT c.name, coalesce(t.notification_id, 0) AS position FROM casework_projections c "
            "LEFT JOIN casework_projection_tracking t ON t.application_name = c.name || ':g' || c.generation "
            "ORDER BY c.name"
        )
    return [(r["name"], r["position"], max(0, head - r["position"])) for r in rows]


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
        body = {
            "status": "ready" if not lagging else "lagging",
            "database": True,
            "projections": [{"name": n, "position": p, "lag": lag} for n, p, lag in positions],
        }
        return json_response(body, 200 if not lagging else 503, {} if not lagging else {"Retry-After": "5"})

    @get("/metrics", operation_id="metrics", media_type="text/plain; version=0.0.4")
    async def metrics(self, request: Request[Any, Any, Any]) -> Response[str]:
        """Prometheus text: requests, latencies, command outcomes, projection positions and lag."""
        try:
            positions = await _projection_positions(request)
        except Exception as error:
            if not is_database_down(error):
                raise
            positions = []
        pool = api_state(request).pool
        text = METRICS.render(positions)
        if pool is not None:
            text += f"casework_db_pool_size {pool.get_size()}\ncasework_db_pool_idle {pool.get_idle_size()}\n"
        return Response(content=text, media_type="text/plain; version=0.0.4")
