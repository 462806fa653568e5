"""Prometheus text metrics: requests by route and status, latencies, command outcomes."""

from __future__ import annotations

import bisect
import itertools
import threading
from collections import defaultdict

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self.latency: dict[str, list[int]] = defaultdict(lambda: [0] * (len(BUCKETS) + 1))
        self.latency_sum: dict[str, float] = defaultdict(float)
        self.commands: dict[tuple[str, str], int] = defaultdict(int)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(method, route, status)] += 1
            # One count, in the first bucket that holds it; render() adds them up.
            self.latency[route][bisect.bisect_left(BUCKETS, seconds)] += 1
            self.latency_sum[route] += seconds

    def observe_command(self, operation: str, outcome: str) -> None:
        with self._lock:
            self.commands[(operation, outcome)] += 1

    def render(self, projections: list[tuple[str, int, int]]) -> str:
        lines = ["# TYPE casework_requests_total counter"]
        with self._lock:
            for (method, route, status), n in sorted(self.requests.items()):
                lines.append(
                    f'casework_requests_total{{method="{method}",route="{route}",status="{status}"}} {n}'
                )
            lines.append("# TYPE casework_request_seconds histogram")
            for route, counts in sorted(self.latency.items()):
                cumulative = list(itertools.accumulate(counts))
                for bound, n in zip((*BUCKETS, "+Inf"), cumulative, strict=True):
                    lines.append(f'casework_request_seconds_bucket{{route="{route}",le="{bound}"}} {n}')
                lines.append(f'casework_request_seconds_sum{{route="{route}"}} {self.latency_sum[route]:.6f}')
                lines.append(f'casework_request_seconds_count{{route="{route}"}} {cumulative[-1]}')
            lines.append("# TYPE casework_commands_total counter")
            for (operation, outcome), n in sorted(self.commands.items()):
                lines.append(f'casework_commands_total{{operation="{operation}",outcome="{outcome}"}} {n}')
        lines.append("# TYPE casework_projection_position gauge")
        for name, position, lag in projections:
            lines.append(f'casework_projection_position{{projection="{name}"}} {position}')
            lines.append(f'casework_projection_lag{{projection="{name}"}} {lag}')
        return "\n".join(lines) + "\n"


METRICS = Metrics()
