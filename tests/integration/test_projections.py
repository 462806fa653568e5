"""Each read model's rows after realistic scenarios, including reversals and rectification."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.rows import dict_row

from api.database import create_pool
from api.queries import reports
from casework.application import Casework, Context
from casework.domain import commands as c
from casework.domain.permissions import Actor
from projections.ledger import balances_sql
from projections.models import all_projections
from projections.register import search_grams
from projections.runner import Projector
from tests import builders as b


def ctx(actor: Actor) -> Context:
    return Context(actor=actor, correlation_id="corr", request_id="req")


def catch_up(projector: Projector) -> None:
    for projection in all_projections():
        projector.catch_up(projection, limit=7)  # small batches: many transactions


def query(database_url: str, sql: str, *params: Any) -> list[dict[str, Any]]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


class Story:
    """One studio from application to revocation, with every kind of money movement."""

    def __init__(self, app: Casework, county: str = "瑞安市", serial: int = 1) -> None:
        if not app.subsidy_standards():
            app.set_subsidy_standard(STANDARD, ctx(b.CITY_OFFICE))
        self.app = app
        self.sid = uuid.uuid4()
        self.county = county
        self.serial = serial
        self.apprentice = uuid.uuid4()

    def run(self, command: c.StudioCommand, actor: Actor) -> None:
        self.app.execute(command, ctx(actor))

    def award(self) -> Story:
        sid = self.sid
        self.run(
            b.submit(sid, county=self.county, serial=self.serial, master_name=f"张{self.serial}"),
            b.applicant(self.county),
        )
        self.run(b.approve(sid), b.reviewer(self.county))
        self.run(b.assess(sid), b.CITY_OFFICE)
        self.run(b.award(sid), b.CITY_OFFICE)
        return self

    def pay_reverse_repay(self) -> Story:
        self.run(b.construction_payment(self.sid, f"V{self.serial}-1"), b.FINANCE)
        reverse = c.ReverseSubsidy(
            studio_id=self.sid, voucher_no=f"V{self.serial}-1", reason="账户错误", reversed_on=b.D(2014, 6, 3)
        )
        self.run(reverse, b.FINANCE)
        self.run(b.construction_payment(self.sid, f"V{self.serial}-2"), b.FINANCE)
        return self

    def apprentice_paid(self) -> Story:
        self.run(
            c.EnrollApprentice(
                studio_id=self.sid,
                apprentice_id=self.apprentice,
                name="小李",
                id=b.protected(b.resident_id(900 + self.serial, "20000101")),
                born_on=b.D(2000, 1, 1),
                enrolled_on=b.D(2014, 7, 1),
                agreement_signed_on=b.D(2014, 7, 1),
            ),
            b.CITY_OFFICE,
        )
        self.run(
            c.RecordQualification(
                studio_id=self.sid,
                apprentice_id=self.apprentice,
                grade="中级工",
                certificate_no="Z1",
                qualified_on=b.D(2015, 7, 1),
            ),
            b.CITY_OFFICE,
        )
        self.run(
            c.PaySubsidy(
                studio_id=self.sid,
                kind="apprenticeship",
                amount_fen=100_000,
                voucher_no=f"A{self.serial}",
                paid_on=b.D(2015, 8, 1),
                apprentice_id=self.apprentice,
            ),
            b.FINANCE,
        )
        return self

    def fail_and_rectify(self) -> Story:
        self.run(b.evaluate(self.sid, "55"), b.CITY_OFFICE)
        self.run(
            c.OrderRectification(
                studio_id=self.sid,
                reason="failed_evaluation",
                findings="台账缺失",
                ordered_on=b.D(2016, 3, 20),
                deadline=b.D(2016, 9, 20),
            ),
            b.CITY_OFFICE,
        )
        return self

    def review_and_honour(self) -> Story:
        self.run(b.review(self.sid, passed=False, on=b.D(2016, 9, 25)), b.CITY_OFFICE)
        self.run(
            c.RecordHonour(
                studio_id=self.sid,
                honour_id=uuid.uuid4(),
                person="member-1",
                honour="瓯江技能大奖",
                level="city",
                conferred_on=b.D(2016, 10, 1),
                document_no="温政发〔2016〕9号",
            ),
            b.CITY_OFFICE,
        )
        return self


# The tests' subsidy standard (the measures give no figures), recorded by the city office.
STANDARD = c.SetSubsidyStandard(
    in_force_from=b.STANDARD_2013.in_force_from,
    document_no=b.STANDARD_2013.document_no,
    rates_fen=b.STANDARD_2013.rates_fen,
)


class TestRegister:
    def test_a_studio_under_rectification_reads_as_the_register_describes_it(
        self, app: Casework, projector: Projector, database_url: str
    ) -> None:
        story = Story(app).award().pay_reverse_repay().apprentice_paid().fail_and_rectify()
        catch_up(projector)
        (row,) = query(database_url, "SELECT * FROM register_studios WHERE id = %s", story.sid)
        assert row["status"] == "rectifying"
        assert row["version"] == 12
        assert row["name"] == "温州市张1数控车工技能大师工作室"
        assert row["county"] == "瑞安市"
        assert row["master_id_masked"] == "3303" + "*" * 14
        assert row["award_published_on"] == dt.date(2014, 5, 8)
        assert row["construction_paid_fen"] == 3_000_000  # the reversed payment does not count
        assert row["apprenticeship_paid_fen"] == 100_000
        # Qualified on 2015-07-01: in the second award year (from 2015-05-08).
        assert row["training_per_award_year"] == [0, 1]
        assert (row["last_period"], row["last_total"], row["last_grade"]) == (
            "2014-2015",
            Decimal(55),
            "fail",
        )
        assert (row["rectification_reason"], row["rectification_deadline"]) == (
            "failed_evaluation",
            dt.date(2016, 9, 20),
        )
        assert row["next_evaluation_due"] == dt.date(2018, 5, 8)
        assert (row["rectification_reviewed_on"], row["rectification_review_passed"], row["honours"]) == (
            None,
            None,
            [],
        )
        assert b.resident_id(1).encode() not in bytes(row["state"])

    def test_a_failed_review_and_an_honour_read_in_the_register(
        self, app: Casework, projector: Projector, database_url: str
    ) -> None:
        story = Story(app).award().fail_and_rectify().review_and_honour()
        catch_up(projector)
        (row,) = query(database_url, "SELECT * FROM register_studios WHERE id = %s", story.sid)
        assert (row["status"], row["rectification_reviewed_on"], row["rectification_review_passed"]) == (
            "rectifying",
            dt.date(2016, 9, 25),
            False,
        )
        (honour,) = row["honours"]
        assert (honour["person"], honour["person_name"], honour["honour"], honour["conferred_on"]) == (
            "member-1",
            "李四",
            "瓯江技能大奖",
            "2016-10-01",
        )

    def test_a_passing_evaluation_closes_the_rectification_in_the_register(
        self, app: Casework, projector: Projector, database_url: str
    ) -> None:
        story = Story(app).award().fail_and_rectify()
        catch_up(projector)
        story.run(b.evaluate(story.sid, "72", on=b.D(2016, 9, 1)), b.CITY_OFFICE)
        catch_up(projector)
        (row,) = query(database_url, "SELECT * FROM register_studios WHERE id = %s", story.sid)
        assert (row["status"], row["rectification_deadline"], row["last_grade"]) == ("awarded", None, "pass")

    def test_names_are_found_by_any_part_in_chinese(
        self, app: Casework, projector: Projector, database_url: str
    ) -> None:
        Story(app, serial=1).award()
        Story(app, serial=2).award()
        catch_up(projector)
        for text, expected in (("张1", 1), ("数控车工", 2), ("张", 2), ("焊工", 0)):
            rows = query(
                database_url,
                "SELECT id FROM register_studios WHERE name_grams @> %s AND name LIKE %s",
                search_grams(text),
                f"%{text}%",
            )
            assert len(rows) == expected, text


class TestAuditTrail:
    def test_one_row_per_event_with_who_when_and_a_summary(
        self, app: Casework, projector: Projector, database_url: str
    ) -> None:
        story = Story(app).award().pay_reverse_repay()
        catch_up(projector)
        rows = query(
            database_url, "SELECT * FROM audit_trail WHERE studio_id = %s ORDER BY position", story.sid
        )
        assert [r["type"] for r in rows] == [
            "Submitted",
            "CountyApproved",
            "Assessed",
            "Awarded",
            "SubsidyPaid",
            "SubsidyReversed",
            "SubsidyPaid",
        ]
        assert [r["version"] for r in rows] == list(range(1, 8))
        assert rows[1]["actor"] == "county.reviewer"
        assert rows[1]["role"] == "county_reviewer"
        assert rows[5]["summary"] == "payment V1-1 of 30000.00 reversed: 账户错误"
        assert rows[5]["effective_on"] == dt.date(2014, 6, 3)
        assert all(r["correlation_id"] == "corr" for r in rows)


class TestLedger:
    def test_commitment_payment_reversal_and_release_in_double_entry(
        self, app: Casework, projector: Projector, database_url: str
    ) -> None:
        paid = Story(app, "瑞安市", 1).award().pay_reverse_repay().apprentice_paid()
        unpaid = Story(app, "瑞安市", 2).award()
        unpaid.run(
            c.Revoke(studio_id=unpaid.sid, ground="host_dissolved", note="注销", decided_on=b.D(2015, 1, 1)),
            b.CITY_OFFICE,
        )
        Story(app, "泰顺县", 3).award()
        catch_up(projector)
        lines = query(database_url, "SELECT * FROM ledger_lines ORDER BY position, line")
        assert sum(line["amount_fen"] for line in lines) == 0
        per_entry: dict[tuple[int, str], int] = {}
        for line in lines:
            key = (line["position"], line["entry"])
            per_entry[key] = per_entry.get(key, 0) + line["amount_fen"]
        assert set(per_entry.values()) == {0}, "every entry balances by itself"
        by_studio = {r["studio_id"]: r for r in query(database_url, balances_sql("studio"))}
        # Committed 30,000 + 1,000; paid 30,000 twice and 1,000; one payment reversed.
        assert by_studio[paid.sid] == {
            "studio_id": paid.sid,
            "committed_fen": 3_100_000,
            "paid_fen": 6_100_000,
            "reversed_fen": 3_000_000,
            "released_fen": 0,
            "outstanding_fen": 0,
        }
        assert by_studio[unpaid.sid]["committed_fen"] == 3_000_000
        assert by_studio[unpaid.sid]["released_fen"] == 3_000_000
        assert by_studio[unpaid.sid]["outstanding_fen"] == 0
        by_county = {r["county"]: r for r in query(database_url, balances_sql("county"))}
        assert by_county["泰顺县"]["outstanding_fen"] == 3_000_000
        assert by_county["瑞安市"]["paid_fen"] == 6_100_000

    def test_a_reversal_restores_what_is_owed(
        self, app: Casework, projector: Projector, database_url: str
    ) -> None:
        story = Story(app).award()
        story.run(b.construction_payment(story.sid, "V-1"), b.FINANCE)
        story.run(
            c.ReverseSubsidy(
                studio_id=story.sid, voucher_no="V-1", reason="退回", reversed_on=b.D(2014, 7, 1)
            ),
            b.FINANCE,
        )
        catch_up(projector)
        (balance,) = query(database_url, balances_sql("studio"))
        assert (balance["paid_fen"], balance["reversed_fen"], balance["outstanding_fen"]) == (
            3_000_000,
            3_000_000,
            3_000_000,
        )

    def test_money_returned_by_a_revoked_studio_is_released_whatever_the_batches(
        self, app: Casework, projector: Projector, database_url: str
    ) -> None:
        story = Story(app).award()
        story.run(b.construction_payment(story.sid, "V-1"), b.FINANCE)
        catch_up(projector)
        revoke = c.Revoke(studio_id=story.sid, ground="misconduct", note="违纪", decided_on=b.D(2015, 1, 1))
        story.run(revoke, b.CITY_OFFICE)
        catch_up(projector)  # the revocation alone in its batch: no line, but the ledger must remember it
        reverse = c.ReverseSubsidy(
            studio_id=story.sid, voucher_no="V-1", reason="追回", reversed_on=b.D(2015, 2, 1)
        )
        story.run(reverse, b.FINANCE)
        catch_up(projector)
        (balance,) = query(database_url, balances_sql("studio"))
        assert (balance["reversed_fen"], balance["released_fen"], balance["outstanding_fen"]) == (
            3_000_000,
            3_000_000,
            0,
        )


class TestReports:
    def test_due_and_overdue_evaluations_and_deadlines(
        self, app: Casework, projector: Projector, database_url: str
    ) -> None:
        rectifying = Story(app, serial=1).award().fail_and_rectify()
        awarded = Story(app, serial=2).award()
        catch_up(projector)

        async def read(reader: Actor) -> tuple[dict[str, Any], dict[str, Any]]:
            # The API's own query module, on the API's driver: what GET /reports/* answers.
            pool = await create_pool(database_url, size=1)
            try:
                due = await reports.due(pool, reader, dt.date(2016, 10, 1), within_days=30)
                return due, await reports.summary(pool)
            finally:
                await pool.close()

        due, summary = asyncio.run(read(b.CITY_OFFICE))
        assert [(r["id"], r["overdue"]) for r in due["rectification_deadlines"]] == [(rectifying.sid, True)]
        evaluations = {r["id"]: r for r in due["evaluations_due"]}
        assert evaluations[awarded.sid]["due_on"] == dt.date(2016, 5, 8)
        assert evaluations[awarded.sid]["overdue"] is True
        assert summary["counts_by_county_and_status"] == [
            {"county": "瑞安市", "status": "awarded", "studios": 1},
            {"county": "瑞安市", "status": "rectifying", "studios": 1},
        ]
        (construction,) = summary["subsidy_totals"]
        assert (construction["committed"], construction["outstanding"]) == ("60000.00", "60000.00")
        elsewhere = Actor(subject="reviewer", role="county_reviewer", county="鹿城区")
        theirs, _ = asyncio.run(read(elsewhere))
        assert theirs == {"evaluations_due": [], "rectification_deadlines": []}, (
            "瑞安市's studios are not 鹿城区's"
        )
