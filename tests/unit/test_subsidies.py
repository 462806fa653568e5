"""第六条(一): the 30,000 yuan construction subsidy and apprenticeship subsidies."""

from __future__ import annotations

import uuid

import pytest
from msgspec.structs import replace

from casework.domain import commands as c
from casework.domain import rules
from casework.domain.events import Event, SubsidyPaid, SubsidyReversed
from tests import builders as b
from tests.unit.scenario import assessed, awarded, given, history


def reverse(sid: uuid.UUID, voucher_no: str = "V-2014-0001") -> c.ReverseSubsidy:
    return c.ReverseSubsidy(
        studio_id=sid, voucher_no=voucher_no, reason="收款账户有误", reversed_on=b.D(2014, 6, 5)
    )


class TestConstructionSubsidy:
    def test_exactly_30000_yuan_is_paid_to_an_awarded_city_level_studio(self) -> None:
        sid = uuid.uuid4()
        studio = (
            given(*awarded(sid))
            .when(b.construction_payment(sid))
            .then(
                SubsidyPaid(
                    kind="construction",
                    amount_fen=3_000_000,
                    voucher_no="V-2014-0001",
                    paid_on=b.D(2014, 6, 1),
                )
            )
        )
        assert [p.amount_fen for p in studio.standing_payments("construction")] == [3_000_000]

    @pytest.mark.parametrize("fen", [2_999_999, 3_000_001, 1_500_000])
    def test_any_other_amount_is_refused(self, fen: int) -> None:
        sid = uuid.uuid4()
        command = replace(b.construction_payment(sid), amount_fen=fen)
        error = given(*awarded(sid)).when(command).then_raises("wrong_subsidy_amount", "invalid")
        assert error.errors[0].field == "amount"

    def test_it_is_paid_once(self) -> None:
        sid = uuid.uuid4()
        past = [*awarded(sid), *history_of_payment(sid)]
        command = b.construction_payment(sid, voucher_no="V-2014-0002")
        given(*past).when(command).then_raises("construction_subsidy_already_paid", "conflict")

    def test_after_a_reversal_it_may_be_paid_again_under_a_new_voucher(self) -> None:
        sid = uuid.uuid4()
        past = [*awarded(sid), *history_of_payment(sid)]
        past += given(*past).when(reverse(sid)).events()
        studio = given(*past).when(b.construction_payment(sid, "V-2014-0002")).then_status("awarded")
        assert [p.voucher_no for p in studio.standing_payments("construction")] == ["V-2014-0002"]

    def test_a_county_level_studio_gets_no_construction_subsidy(self) -> None:
        sid = uuid.uuid4()
        past = awarded(sid, level="county")
        given(*past).when(b.construction_payment(sid)).then_raises("construction_subsidy_city_only")

    def test_nothing_is_paid_before_the_award(self) -> None:
        sid = uuid.uuid4()
        given(*assessed(sid)).when(b.construction_payment(sid)).then_raises("transition_not_allowed")

    def test_a_voucher_number_is_used_once_on_a_studio(self) -> None:
        sid = uuid.uuid4()
        past = [*awarded(sid), *history_of_payment(sid)]
        past += given(*past).when(reverse(sid)).events()
        given(*past).when(b.construction_payment(sid)).then_raises("duplicate_voucher", "conflict")

    def test_a_studio_under_rectification_is_still_paid(self) -> None:
        sid = uuid.uuid4()
        past = awarded(sid)
        past += (
            given(*past)
            .when(
                c.OrderRectification(
                    studio_id=sid,
                    reason="inspection",
                    findings="场所不符",
                    ordered_on=b.D(2014, 5, 20),
                    deadline=b.D(2014, 11, 20),
                )
            )
            .events()
        )
        given(*past).when(b.construction_payment(sid)).then_status("rectifying")


def history_of_payment(sid: uuid.UUID) -> list[Event]:
    return given(*awarded(sid)).when(b.construction_payment(sid)).events()


class TestReversal:
    def test_a_reversal_restores_the_amount_of_the_payment_it_names(self) -> None:
        sid = uuid.uuid4()
        past = [*awarded(sid), *history_of_payment(sid)]
        given(*past).when(reverse(sid)).then(
            SubsidyReversed(
                voucher_no="V-2014-0001",
                amount_fen=3_000_000,
                reason="收款账户有误",
                reversed_on=b.D(2014, 6, 5),
            )
        )

    def test_an_unknown_voucher_is_not_reversible(self) -> None:
        sid = uuid.uuid4()
        given(*awarded(sid)).when(reverse(sid, "V-X")).then_raises("payment_not_reversible")

    def test_a_payment_made_before_revocation_can_still_be_corrected(self) -> None:
        sid = uuid.uuid4()
        past = [*awarded(sid), *history_of_payment(sid)]
        revoke = c.Revoke(studio_id=sid, ground="host_dissolved", note="注销", decided_on=b.D(2014, 7, 1))
        past += given(*past).when(revoke).events()
        studio = given(*past).when(reverse(sid)).then_status("revoked")
        assert studio.standing_payments("construction") == []

    def test_a_payment_is_reversed_once(self) -> None:
        sid = uuid.uuid4()
        past = [*awarded(sid), *history_of_payment(sid)]
        past += given(*past).when(reverse(sid)).events()
        given(*past).when(reverse(sid)).then_raises("payment_not_reversible", "conflict")


class TestApprenticeshipSubsidy:
    apprentice = uuid.UUID(int=7)

    def enrolled(self, sid: uuid.UUID, *grades: rules.CertificateGrade) -> list[Event]:
        commands: list[c.StudioCommand] = [
            b.submit(sid),
            b.approve(sid),
            b.assess(sid),
            b.award(sid),
            c.EnrollApprentice(
                studio_id=sid,
                apprentice_id=self.apprentice,
                name="小王",
                id=b.protected(b.resident_id(501, "20000101")),
                born_on=b.D(2000, 1, 1),
                agreement_signed_on=b.D(2014, 6, 1),
            ),
        ]
        commands += [
            c.RecordQualification(
                studio_id=sid,
                apprentice_id=self.apprentice,
                grade=grade,
                certificate_no=f"C-{grade}",
                qualified_on=b.D(2015 + i, 6, 1),
            )
            for i, grade in enumerate(grades)
        ]
        return history(sid, *commands)

    def pay(self, sid: uuid.UUID, fen: int, voucher: str = "A-1") -> c.PaySubsidy:
        return c.PaySubsidy(
            studio_id=sid,
            kind="apprenticeship",
            amount_fen=fen,
            voucher_no=voucher,
            paid_on=b.D(2017, 7, 1),
            apprentice_id=self.apprentice,
        )

    def test_the_rate_in_force_for_the_grade_is_paid_and_recorded(self) -> None:
        sid = uuid.uuid4()
        rate = rules.apprenticeship_rate_fen("中级工", b.D(2017, 7, 1))
        assert rate is not None
        given(*self.enrolled(sid, "中级工")).when(self.pay(sid, rate)).then(
            SubsidyPaid(
                kind="apprenticeship",
                amount_fen=rate,
                voucher_no="A-1",
                paid_on=b.D(2017, 7, 1),
                apprentice_id=self.apprentice,
                grade="中级工",
                rate_fen=rate,
            )
        )

    def test_another_amount_is_refused_naming_the_rate(self) -> None:
        sid = uuid.uuid4()
        error = (
            given(*self.enrolled(sid, "中级工"))
            .when(self.pay(sid, 99_999))
            .then_raises("wrong_subsidy_amount")
        )
        assert "1000.00" in error.detail

    def test_a_grade_below_intermediate_earns_nothing(self) -> None:
        sid = uuid.uuid4()
        given(*self.enrolled(sid, "初级工")).when(self.pay(sid, 100_000)).then_raises(
            "apprenticeship_subsidy_not_due"
        )

    def test_each_grade_is_paid_once(self) -> None:
        sid = uuid.uuid4()
        past = self.enrolled(sid, "中级工")
        past += given(*past).when(self.pay(sid, 100_000)).events()
        given(*past).when(self.pay(sid, 100_000, "A-2")).then_raises("apprenticeship_subsidy_not_due")

    def test_an_apprentice_of_another_studio_is_not_paid(self) -> None:
        sid = uuid.uuid4()
        command = replace(self.pay(sid, 100_000), apprentice_id=uuid.uuid4())
        given(*self.enrolled(sid, "中级工")).when(command).then_raises("apprentice_not_enrolled")

    def test_the_apprentice_is_named(self) -> None:
        sid = uuid.uuid4()
        command = replace(self.pay(sid, 100_000), apprentice_id=None)
        given(*self.enrolled(sid, "中级工")).when(command).then_raises("validation_failed")

    def test_the_rate_table_applies_from_its_date(self) -> None:
        assert rules.apprenticeship_rate_fen("中级工", b.D(2013, 5, 7)) is None
        assert rules.apprenticeship_rate_fen("中级工", b.D(2013, 5, 8)) == 100_000
        assert rules.apprenticeship_rate_fen("初级工", b.D(2020, 1, 1)) is None
