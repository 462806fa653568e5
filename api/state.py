"""What the handlers share: the application, the read pool, the runner, the keys, the clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from api.database import HealthProbe
from api.writes import LastWrites
from casework.application import Casework
from casework.integrity import Signer
from casework.settings import Settings
from casework.vault import Vault
from projections.readside import ReadSideWatch
from projections.runner import ProjectionRunner


@dataclass
class ApiState:
    settings: Settings
    database_url: str
    app: Casework
    vault: Vault
    jwt_secret: str
    run_projections: bool = True
    # The key of the in-process projection runner, which signs tree heads; None in a replica
    # (serve --no-projections, a worker of serve --workers): the handlers never sign.
    signer: Signer | None = None
    # What the handlers check stored signed heads with and name (CASEWORK_PUBLIC_KEY).
    public_key: str | None = None
    pool: asyncpg.Pool[Any] | None = None
    health: HealthProbe | None = None
    read_side: ReadSideWatch = field(default_factory=ReadSideWatch)
    runner: ProjectionRunner | None = None
    # Read-your-writes: the last log position each user wrote (shared by the workers of one
    # serve); what the read side has applied is read_side.applied (most reads need not ask).
    written: LastWrites = field(default_factory=LastWrites)
    # How long a query waits for the read side to reach the position it must show (then 503
    # read_side_behind), and after how long without progress, while behind, the read side is
    # reported stalled (readiness 503, casework_projection_stalled_seconds).
    read_wait: float = 5.0
    stall_after: float = 10.0
    # Readiness and metrics read the database at most once in this many seconds.
    health_fresh_for: float = 1.0
    # Per projection: the last position seen, and when it last moved (time.monotonic()).
    progress: dict[str, tuple[int, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.public_key is None and self.signer is not None:
            self.public_key = self.signer.public_key

    def today(self) -> dt.date:
        """Today's business date in Asia/Shanghai, by the application's one clock."""
        return self.app.today()

    @property
    def db(self) -> asyncpg.Pool[Any]:
        assert self.pool is not None, "the lifespan opens the pool"
        return self.pool
