"""The application on a real PostgreSQL: load, decide, save, and what the store holds."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from msgspec.structs import replace

from casework.application import Casework, Context, EditConflict, StaleVersion
from casework.domain import commands as c
from casework.domain.errors import InvalidRequest, NotPermitted, StateConflict, StudioNotFound
from casework.domain.events import Assessed, Awarded, CountyApproved, Submitted, SubsidyPaid
from casework.domain.permissions import Actor
from casework.domain.state import fold
from casework.vault import Vault
from tests import builders as b

NOW = dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC)


def ctx(actor: Actor, request: str = "req-1") -> Context:
    return Context(actor=actor, correlation_id="corr-1", request_id=request)


def awarded_studio(app: Casework, **changes: Any) -> uuid.UUID:
    sid = uuid.uuid4()
    county = changes.get("county", "鹿城区")
    app.execute(b.submit(sid, **changes), ctx(b.applicant(county)))
    app.execute(b.approve(sid), ctx(b.reviewer(county)))
    app.execute(b.assess(sid), ctx(b.CITY_OFFICE))
    app.execute(b.award(sid), ctx(b.CITY_OFFICE))
    return sid


def event_count(app: Casework) -> int:
    return app.recorder.max_notification_id() or 0


class TestUseCases:
    def test_a_studio_lives_through_its_events_and_the_store_replays_them(self, database_url: str) -> None:
        with Casework(database_url, clock=lambda: NOW) as app:
            sid = awarded_studio(app)
            outcome = app.execute(b.construction_payment(sid), ctx(b.FINANCE, "req-pay"))
            assert outcome.studio.version == 5
            assert outcome.positions == [5]
            history = app.history(sid)
            assert [type(e.event) for e in history] == [
                Submitted,
                CountyApproved,
                Assessed,
                Awarded,
                SubsidyPaid,
            ]
            assert [e.originator_version for e in history] == [1, 2, 3, 4, 5]
            assert fold([e.event for e in history], sid) == app.load(sid) == outcome.studio

    def test_every_event_carries_who_when_and_why(self, database_url: str) -> None:
        with Casework(database_url, clock=lambda: NOW) as app:
            sid = awarded_studio(app)
            app.execute(b.construction_payment(sid), ctx(b.FINANCE, "req-pay"))
            meta = app.history(sid)[-1].meta
            assert (meta.actor, meta.role, meta.correlation_id, meta.request_id) == (
                "finance.clerk",
                "finance",
                "corr-1",
                "req-pay",
            )
            assert meta.effective_on == dt.date(2014, 6, 1)  # the business date, not today
            assert meta.recorded_at == NOW

    def test_a_past_version_is_loaded_as_it_stood(self, app: Casework) -> None:
        sid = awarded_studio(app)
        past = app.studio(sid, b.CITY_OFFICE, version=2)
        assert (past.version, past.status) == (2, "county_approved")

    def test_a_studio_out_of_scope_is_not_found(self, app: Casework) -> None:
        sid = awarded_studio(app)
        with pytest.raises(StudioNotFound):
            app.studio(sid, b.reviewer("泰顺县"))
        with pytest.raises(StudioNotFound):
            app.studio(uuid.uuid4(), b.CITY_OFFICE)
        assert app.studio(sid, b.reviewer("鹿城区")).id == sid

    def test_case_numbers_never_repeat(self, app: Casework) -> None:
        numbers = [app.new_case_no(dt.date(2026, 1, 1)) for _ in range(3)]
        assert len(set(numbers)) == 3
        assert all(n.startswith("WZJDS-2026-") for n in numbers)


class TestRefusals:
    @pytest.mark.parametrize(
        ("make", "error"),
        [
            (lambda sid: replace(b.construction_payment(sid), amount_fen=1), InvalidRequest),
            (b.award, StateConflict),
            (lambda sid: replace(b.approve(sid), studio_id=sid), NotPermitted),
        ],
    )
    def test_a_refused_command_stores_nothing(
        self, app: Casework, make: Callable[[uuid.UUID], c.StudioCommand], error: type[Exception]
    ) -> None:
        sid = awarded_studio(app)
        before = event_count(app)
        actor = b.FINANCE if isinstance(make(sid), c.PaySubsidy) else b.CITY_OFFICE
        with pytest.raises(error):
            app.execute(make(sid), ctx(actor))
        assert event_count(app) == before
        assert app.load(sid).version == 4  # type: ignore[union-attr]

    def test_a_stale_expected_version_is_refused(self, app: Casework) -> None:
        sid = awarded_studio(app)
        with pytest.raises(StaleVersion) as caught:
            app.execute(b.construction_payment(sid), ctx(b.FINANCE), expected_version=3)
        assert (caught.value.expected, caught.value.actual) == (3, 4)
        assert (
            app.execute(b.construction_payment(sid), ctx(b.FINANCE), expected_version=4).studio.version == 5
        )


class TestPersonalData:
    def test_no_resident_id_number_is_stored_in_plain_text(self, database_url: str, vault: Vault) -> None:
        number = b.resident_id(42)
        proposal = b.proposal()
        master = replace(proposal.master, id=vault.protect(number, "master.id_number"))
        with Casework(database_url) as app:
            sid = uuid.uuid4()
            submit = c.Submit(
                studio_id=sid,
                proposal=replace(proposal, master=master),
                case_no="X-1",
                submitted_on=b.D(2014, 1, 1),
            )
            app.execute(submit, ctx(b.applicant()))
            studio = app.load(sid)
        with psycopg.connect(database_url) as conn:
            rows = conn.execute("SELECT state FROM casework_events").fetchall()
            claims = conn.execute("SELECT key FROM casework_claims").fetchall()
        stored = b"".join(bytes(r[0]) for r in rows)
        assert number.encode() not in stored
        assert number[:17].encode() not in stored
        assert master.id.masked.encode() in stored
        assert all(number not in key for (key,) in claims)
        assert studio is not None
        assert vault.reveal(studio.proposal.master.id) == number


class _Rendezvous(Casework):
    """Holds every writer at the door of its first save until all have decided."""

    name = "casework"  # the library names tables after the class unless told
    barrier: threading.Barrier | None = None
    _seen = threading.local()

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        if self.barrier is not None and not getattr(self._seen, "waited", False):
            self._seen.waited = True
            self.barrier.wait(timeout=60)
        return super().save(*objs, **kwargs)


def run_together(app: _Rendezvous, jobs: list[Callable[[], object]]) -> list[object]:
    """Run the jobs in threads that all decide first and then save at once."""
    app.barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def work(i: int) -> None:
        try:
            results[i] = jobs[i]()
        except Exception as error:  # the test inspects what each writer got
            results[i] = error

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    app.barrier = None
    return results


def outcome(result: object) -> str:
    """A writer's result as a word: ok, a refusal's code, or an unexpected error's repr."""
    if isinstance(result, StateConflict):
        return result.code
    if isinstance(result, Exception):
        return repr(result)
    return "ok"


class TestConcurrency:
    def test_a_concurrent_writer_of_the_same_studio_is_retried_on_the_new_state(
        self, database_url: str
    ) -> None:
        with _Rendezvous(database_url) as app:
            sid = awarded_studio(app)
            inspect = c.Inspect(
                studio_id=sid, inspector="市局", findings="正常", inspected_on=b.D(2015, 1, 1)
            )
            results = run_together(app, [lambda: app.execute(inspect, ctx(b.CITY_OFFICE))] * 2)
            assert not [r for r in results if isinstance(r, Exception)], results
            studio = app.load(sid)
            assert studio is not None
            assert (studio.version, studio.inspections) == (6, 2)
            assert [e.originator_version for e in app.history(sid)] == [1, 2, 3, 4, 5, 6]

    def test_the_retry_decides_again_so_a_rule_still_holds(self, database_url: str) -> None:
        with _Rendezvous(database_url) as app:
            sid = awarded_studio(app)
            jobs = [
                lambda v=v: app.execute(b.construction_payment(sid, v), ctx(b.FINANCE))
                for v in ("A", "B", "C")
            ]
            results = run_together(app, jobs)
            refused = [r for r in results if isinstance(r, StateConflict)]
            assert len([r for r in results if not isinstance(r, Exception)]) == 1
            assert {r.code for r in refused} <= {"construction_subsidy_already_paid", "edit_conflict"}
            studio = app.load(sid)
            assert studio is not None
            assert len(studio.standing_payments("construction")) == 1

    def test_a_writer_that_loses_twice_gets_an_edit_conflict(self, database_url: str) -> None:
        rival = Casework(database_url)

        class AlwaysOvertaken(Casework):
            name = "casework"

            def save(self, *objs: Any, **kwargs: Any) -> Any:
                sid = objs[0].originator_id
                inspect = c.Inspect(
                    studio_id=sid, inspector="对手", findings="抢先", inspected_on=b.D(2015, 1, 1)
                )
                rival.execute(inspect, ctx(b.CITY_OFFICE))
                return super().save(*objs, **kwargs)

        try:
            sid = awarded_studio(rival)
            with AlwaysOvertaken(database_url) as app:
                with pytest.raises(EditConflict) as caught:
                    app.execute(b.construction_payment(sid), ctx(b.FINANCE))
                assert caught.value.code == "edit_conflict"
                studio = app.load(sid)
                assert studio is not None
                assert studio.payments == ()
                assert studio.inspections == 2
        finally:
            rival.close()

    def test_one_master_leads_one_living_studio_under_concurrent_submissions(self, database_url: str) -> None:
        with _Rendezvous(database_url) as app:
            jobs = [lambda: app.execute(b.submit(), ctx(b.applicant())) for _ in range(6)]
            results = run_together(app, jobs)
            codes = sorted(outcome(r) for r in results)
            assert codes == ["master_already_active"] * 5 + ["ok"]
            assert event_count(app) == 1

    def test_a_master_whose_application_ended_may_apply_again(self, app: Casework) -> None:
        first = b.submit()
        app.execute(first, ctx(b.applicant()))
        with pytest.raises(StateConflict):
            app.execute(b.submit(), ctx(b.applicant()))
        withdraw = c.Withdraw(studio_id=first.studio_id, reason="暂缓", withdrawn_on=b.D(2014, 4, 1))
        app.execute(withdraw, ctx(b.applicant()))
        assert app.execute(b.submit(), ctx(b.applicant())).studio.status == "submitted"

    def test_a_voucher_number_is_used_once_across_studios_under_concurrency(self, database_url: str) -> None:
        with _Rendezvous(database_url) as app:
            studios = [awarded_studio(app, serial=n, master_name=f"张{n}") for n in range(1, 5)]
            jobs = [
                lambda s=s: app.execute(b.construction_payment(s, "GK-1"), ctx(b.FINANCE)) for s in studios
            ]
            results = run_together(app, jobs)
            codes = sorted(outcome(r) for r in results)
            assert codes == ["duplicate_voucher"] * 3 + ["ok"]
            paid = [s for s in studios if app.load(s).payments]  # type: ignore[union-attr]
            assert len(paid) == 1
