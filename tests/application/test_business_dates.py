"""Business dates are Wenzhou's (Asia/Shanghai, UTC+8), from the application's one clock.

At 07:30 on 1 March in Wenzhou it is still 28 February in UTC; at 23:30 it is 15:30 UTC
on the same day. The application must date acts, and judge "the future", by Wenzhou's date.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from msgspec.structs import replace

from casework.application import Casework, Context
from casework.clock import WENZHOU, business_date
from casework.domain.errors import InvalidRequest
from tests import builders as b

MORNING = dt.datetime(2027, 3, 1, 7, 30, tzinfo=WENZHOU)  # 2027-02-28 23:30 UTC
NIGHT = dt.datetime(2027, 3, 1, 23, 30, tzinfo=WENZHOU)  # 2027-03-01 15:30 UTC


def ctx(who: b.Actor) -> Context:
    return Context(actor=who, correlation_id="corr", request_id=str(uuid.uuid4()))


def awarded(app: Casework) -> uuid.UUID:
    sid = uuid.uuid4()
    app.execute(b.submit(sid), ctx(b.applicant()))
    app.execute(b.approve(sid), ctx(b.reviewer()))
    app.execute(b.assess(sid), ctx(b.CITY_OFFICE))
    app.execute(b.award(sid), ctx(b.CITY_OFFICE))
    return sid


@pytest.mark.parametrize("moment", [MORNING, NIGHT])
def test_today_is_the_date_in_wenzhou(moment: dt.datetime) -> None:
    assert business_date(moment.astimezone(dt.UTC)) == dt.date(2027, 3, 1)


@pytest.mark.parametrize("moment", [MORNING, NIGHT])
def test_an_act_dated_today_in_wenzhou_is_recorded(database_url: str, moment: dt.datetime) -> None:
    with Casework(database_url, clock=lambda: moment.astimezone(dt.UTC)) as app:
        sid = awarded(app)
        payment = replace(b.construction_payment(sid), paid_on=dt.date(2027, 3, 1))
        app.execute(payment, ctx(b.FINANCE))
        meta = app.history(sid)[-1].meta
        assert meta.effective_on == dt.date(2027, 3, 1)
        assert meta.recorded_at == moment  # stored in UTC, the same instant


@pytest.mark.parametrize("moment", [MORNING, NIGHT])
def test_an_act_dated_tomorrow_in_wenzhou_is_refused(database_url: str, moment: dt.datetime) -> None:
    with Casework(database_url, clock=lambda: moment.astimezone(dt.UTC)) as app:
        sid = awarded(app)
        payment = replace(b.construction_payment(sid), paid_on=dt.date(2027, 3, 2))
        with pytest.raises(InvalidRequest) as refused:
            app.execute(payment, ctx(b.FINANCE))
        assert refused.value.code == "date_in_future"
        assert refused.value.errors[0].field == "paid_on"
        assert len(app.history(sid)) == 4  # nothing recorded


def test_the_application_s_today_is_wenzhou_s(database_url: str) -> None:
    with Casework(database_url, clock=lambda: MORNING.astimezone(dt.UTC)) as app:
        assert app.today() == dt.date(2027, 3, 1)
