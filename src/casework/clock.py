"""The one clock, and business dates in Wenzhou's time.

Wenzhou keeps China Standard Time (Asia/Shanghai): UTC+8, with no daylight saving since
1991, so a fixed offset is exact for every date casework can hold and needs no time-zone
database on the host. Instants are stored in UTC; every business date (the default date
of an act, "today" for due dates, overdue deadlines, award years) is the date in Wenzhou:
an act at 07:30 on 1 March in Wenzhou is dated 1 March, though it is still 28 February in UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

WENZHOU = dt.timezone(dt.timedelta(hours=8), "CST")

Clock = Callable[[], dt.datetime]
"""An injected clock: the current instant, timezone-aware."""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def business_date(instant: dt.datetime) -> dt.date:
    """The date in Wenzhou (Asia/Shanghai) at ``instant``."""
    return instant.astimezone(WENZHOU).date()


def wenzhou_time(instant: dt.datetime) -> dt.datetime:
    """``instant`` as Wenzhou's clocks show it, with its +08:00 offset."""
    return instant.astimezone(WENZHOU)
