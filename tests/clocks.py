"""Clocks for the application: a chosen instant in Wenzhou that then moves with real time."""

from __future__ import annotations

import datetime as dt
import time

from casework.clock import WENZHOU, Clock


def running_from(start: dt.datetime) -> Clock:
    """A clock that reads ``start`` now and advances with real time, so recording times keep
    increasing while every business date stays the one chosen (a test lasts minutes, not days)."""
    began = time.monotonic()

    def now() -> dt.datetime:
        return (start + dt.timedelta(seconds=time.monotonic() - began)).astimezone(dt.UTC)

    return now


def wenzhou(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An instant as Wenzhou's clocks show it (+08:00)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=WENZHOU)
