"""第六条(一): the 30,000 yuan construction subsidy and apprenticeship subsidies."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from msgspec.structs import replace

from casework.domain import commands as c
from casework.domain import rules
from casework.domain.decide.subsidies import subsidy_standard
from casework.domain.errors import InvalidRequest, StateConflict
from casework.domain.events import Event, SubsidyPaid, SubsidyReversed, SubsidyStandardSet
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


SIGNED = b.D(2014, 6, 1)


class TestApprenticeshipSubsidy:
    apprentice = uuid.UUID(int=7)

    def enrolled(
        self, sid: uuid.UUID, *grades: rules.CertificateGrade, signed: dt.date | None = SIGNED
    ) -> list[Event]:
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
                enrolled_on=b.D(2014, 6, 1),
                agreement_signed_on=signed,
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
        rate = 123_400
        standard = replace(b.STANDARD_2013, rates_fen={"中级工": rate})
        given(*self.enrolled(sid, "中级工")).under(standards=(standard,)).when(self.pay(sid, rate)).then(
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

    def test_an_apprentice_without_an_agreement_is_not_paid(self) -> None:
        # 多渠道 apprentices count toward the duty, but the subsidy is for 以师带徒 agreements.
        sid = uuid.uuid4()
        error = (
            given(*self.enrolled(sid, "中级工", signed=None))
            .when(self.pay(sid, 100_000))
            .then_raises("apprenticeship_subsidy_not_due", "conflict")
        )
        assert "agreement" in error.detail


class TestSubsidyStandards:
    """第六条(一) 根据现有补助标准: the rates are data that the city office records."""

    apprentice = TestApprenticeshipSubsidy.apprentice
    LATER = SubsidyStandardSet(
        in_force_from=b.D(2017, 7, 1), document_no="温人社发〔2017〕1号", rates_fen={"中级工": 120_000}
    )

    def history(self, sid: uuid.UUID) -> list[Event]:
        return TestApprenticeshipSubsidy().enrolled(sid, "中级工")

    def pay(self, sid: uuid.UUID, fen: int, on: dt.date) -> c.PaySubsidy:
        return replace(TestApprenticeshipSubsidy().pay(sid, fen), paid_on=on)

    def test_with_no_standard_recorded_nothing_is_paid(self) -> None:
        sid = uuid.uuid4()
        error = (
            given(*self.history(sid))
            .under(standards=())
            .when(self.pay(sid, 100_000, b.D(2017, 7, 1)))
            .then_raises("no_subsidy_standard", "conflict")
        )
        assert "现有补助标准" in error.detail

    def test_a_payment_dated_before_the_first_standard_is_refused(self) -> None:
        sid = uuid.uuid4()
        given(*self.history(sid)).under(standards=(self.LATER,)).when(
            self.pay(sid, 120_000, b.D(2017, 6, 30))
        ).then_raises("no_subsidy_standard")

    def test_the_standard_in_force_on_the_payment_date_fixes_the_amount(self) -> None:
        sid = uuid.uuid4()
        both = given(*self.history(sid)).under(standards=(b.STANDARD_2013, self.LATER))
        # The day before the later standard: the 2013 one's rate.
        both.when(self.pay(sid, 100_000, b.D(2017, 6, 30))).then_status("awarded")
        both.when(self.pay(sid, 120_000, b.D(2017, 6, 30))).then_raises("wrong_subsidy_amount", "invalid")
        # From its first day: the later one's.
        both.when(self.pay(sid, 120_000, b.D(2017, 7, 1))).then_status("awarded")
        error = both.when(self.pay(sid, 100_000, b.D(2017, 7, 1))).then_raises("wrong_subsidy_amount")
        assert "1200.00" in error.detail
        assert "温人社发〔2017〕1号" in error.detail

    def test_a_grade_the_standard_does_not_pay_is_refused(self) -> None:
        sid = uuid.uuid4()
        only_senior = replace(self.LATER, rates_fen={"高级工": 150_000})
        given(*self.history(sid)).under(standards=(only_senior,)).when(
            self.pay(sid, 100_000, b.D(2017, 7, 1))
        ).then_raises("no_subsidy_standard")

    def test_a_standard_is_recorded_from_its_date(self) -> None:
        command = c.SetSubsidyStandard(
            in_force_from=b.D(2017, 7, 1), document_no="文号", rates_fen={"中级工": 1}
        )
        assert subsidy_standard(command, (b.STANDARD_2013,), b.D(2026, 1, 1)) == SubsidyStandardSet(
            in_force_from=b.D(2017, 7, 1), document_no="文号", rates_fen={"中级工": 1}
        )

    def test_a_standard_is_never_edited_nor_backdated_before_the_latest(self) -> None:
        for day in (self.LATER.in_force_from, b.D(2016, 1, 1)):
            command = c.SetSubsidyStandard(in_force_from=day, document_no="文号", rates_fen={"中级工": 1})
            with pytest.raises(StateConflict):
                subsidy_standard(command, (b.STANDARD_2013, self.LATER), b.D(2026, 1, 1))

    @pytest.mark.parametrize(
        ("rates", "field"),
        [({}, "rates"), ({"初级工": 100}, "rates.初级工"), ({"中级工": 0}, "rates.中级工")],
    )
    def test_a_standard_names_positive_rates_of_counted_grades(
        self, rates: dict[str, int], field: str
    ) -> None:
        command = c.SetSubsidyStandard(in_force_from=b.D(2017, 7, 1), document_no="文号", rates_fen=rates)
        with pytest.raises(InvalidRequest) as refused:
            subsidy_standard(command, (), b.D(2026, 1, 1))
        assert refused.value.errors[0].field == field

    def test_a_standard_is_not_recorded_for_a_future_date(self) -> None:
        command = c.SetSubsidyStandard(
            in_force_from=b.D(2027, 1, 1), document_no="文号", rates_fen={"中级工": 1}
        )
        with pytest.raises(InvalidRequest) as refused:
            subsidy_standard(command, (), b.D(2026, 11, 30))
        assert refused.value.code == "date_in_future"
