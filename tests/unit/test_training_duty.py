"""第三条(二): on average at least five young technicians a year reach 中级工 or higher.

Award years, completed years only, apprentices under 35 on the qualification date (the
birth date read from the ID number), any channel, one person once a year at the highest
grade, a shortfall flagged only for active studios (casework.domain.training).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from msgspec.structs import replace

from casework.domain import commands as c
from casework.domain import rules
from casework.domain.events import ApprenticeQualified, Event
from casework.domain.policy import MEASURES, MEASURES_2013, PolicyTable
from casework.domain.state import Studio, fold
from casework.domain.training import completed_years, trained_per_award_year, training_duty
from tests import builders as b
from tests.unit.scenario import awarded, given
from tests.unit.test_apprentices_and_inspections import enrol, qualify

AWARDED = b.D(2014, 5, 8)  # b.award's publication date
DUTY = MEASURES_2013.training_duty_per_year


def studio_with(sid: uuid.UUID, *steps: c.StudioCommand) -> Studio:
    """The studio after an award and ``steps``, each decided on the state before it."""
    events: list[Event] = awarded(sid)
    for step in steps:
        events += given(*events).when(step).events()
    studio = fold(events, sid)
    assert studio is not None
    return studio


class TestWhoCounts:
    def test_a_person_counts_once_in_an_award_year_at_the_highest_grade(self) -> None:
        sid = uuid.uuid4()
        studio = studio_with(
            sid,
            enrol(sid, 1),
            qualify(sid, 1, "中级工", b.D(2014, 9, 1)),
            qualify(sid, 1, "高级工", b.D(2015, 3, 1)),  # the same award year (to 2015-05-07)
        )
        assert trained_per_award_year(studio) == [1]

    def test_a_person_counts_again_in_a_later_award_year(self) -> None:
        sid = uuid.uuid4()
        studio = studio_with(
            sid,
            enrol(sid, 1),
            qualify(sid, 1, "中级工", b.D(2015, 5, 7)),  # last day of the first award year
            qualify(sid, 1, "高级工", b.D(2015, 5, 8)),  # first day of the second
        )
        assert trained_per_award_year(studio) == [1, 1]

    def test_a_grade_below_intermediate_does_not_count(self) -> None:
        sid = uuid.uuid4()
        studio = studio_with(sid, enrol(sid, 1), qualify(sid, 1, "初级工", b.D(2014, 9, 1)))
        assert trained_per_award_year(studio) == []

    def test_an_apprentice_counts_while_under_35_on_the_qualification_date(self) -> None:
        sid = uuid.uuid4()
        studio = studio_with(
            sid,
            enrol(sid, 1, born="19800902"),  # 34 on 2014-09-01
            enrol(sid, 2, born="19790901"),  # 35 that very day: no longer young
            qualify(sid, 1, "中级工", b.D(2014, 9, 1)),
            qualify(sid, 2, "中级工", b.D(2014, 9, 1)),
        )
        assert trained_per_award_year(studio) == [1]

    def test_the_decision_records_youth_by_the_policy_of_the_qualification_date(self) -> None:
        sid = uuid.uuid4()
        past = [
            *awarded(sid),
            *given(*awarded(sid)).when(enrol(sid, 1, born="19790901")).events(),
        ]
        (event,) = given(*past).when(qualify(sid, 1, "中级工", b.D(2014, 9, 1))).events()
        assert isinstance(event, ApprenticeQualified)
        assert event.young is False

    def test_an_apprentice_of_another_channel_counts(self) -> None:
        sid = uuid.uuid4()
        studio = studio_with(sid, enrol(sid, 1, signed=None), qualify(sid, 1, "技师", b.D(2015, 1, 1)))
        assert trained_per_award_year(studio) == [1]

    def test_a_qualification_recorded_before_youth_was_written_down_is_judged_from_the_birth_date(
        self,
    ) -> None:
        # Events of the release before 2026-11-30 carry no `young`: the age is read then.
        sid = uuid.uuid4()
        studio = studio_with(
            sid,
            enrol(sid, 1, born="19790901"),
            enrol(sid, 2, born="19990101"),
            qualify(sid, 1, "中级工", b.D(2014, 9, 1)),
            qualify(sid, 2, "中级工", b.D(2014, 9, 1)),
        )
        legacy = replace(
            studio,
            apprentices=tuple(
                replace(a, qualifications=tuple(replace(q, young=None) for q in a.qualifications))
                for a in studio.apprentices
            ),
        )
        assert trained_per_award_year(legacy) == [1]


class TestTheDuty:
    def test_nothing_is_judged_before_the_first_award_year_ends(self) -> None:
        duty = training_duty(AWARDED, [0], "awarded", b.D(2015, 5, 7))
        assert duty.completed_years == 0
        assert duty.average_per_year is None
        assert duty.shortfall is False
        assert [y.completed for y in duty.years] == [False]

    def test_the_average_is_over_completed_award_years_only(self) -> None:
        # Four in the first year, six in the second, twenty in the running third: 5.00.
        duty = training_duty(AWARDED, [4, 6, 20], "awarded", b.D(2017, 1, 1))
        assert duty.completed_years == 2
        assert duty.average_per_year == Decimal("5.00")
        assert duty.shortfall is False
        assert [(y.number, y.trained, y.completed) for y in duty.years] == [
            (1, 4, True),
            (2, 6, True),
            (3, 20, False),
        ]
        assert duty.years[1].starts_on == b.D(2015, 5, 8)
        assert duty.years[1].ends_on == b.D(2016, 5, 7)

    def test_a_year_short_of_the_duty_is_a_shortfall_once_it_ends(self) -> None:
        short = [DUTY - 1]
        assert training_duty(AWARDED, short, "awarded", b.D(2015, 5, 7)).shortfall is False
        ended = training_duty(AWARDED, short, "awarded", b.D(2015, 5, 8))
        assert ended.shortfall is True
        assert ended.average_per_year == Decimal(DUTY - 1)

    def test_a_shortfall_is_flagged_for_active_studios_only(self) -> None:
        for status in rules.ACTIVE_STUDIO:
            assert training_duty(AWARDED, [0], status, b.D(2016, 1, 1)).shortfall is True
        for status in ("revoked", "withdrawn", "declined"):
            assert training_duty(AWARDED, [0], status, b.D(2016, 1, 1)).shortfall is False  # type: ignore[arg-type]

    def test_the_duty_is_the_policy_in_force_today(self) -> None:
        stricter = PolicyTable(
            revisions=(
                *MEASURES.revisions,
                replace(MEASURES_2013, in_force_from=b.D(2020, 1, 1), training_duty_per_year=DUTY + 3),
            )
        )
        counts = [DUTY, DUTY]
        assert training_duty(AWARDED, counts, "awarded", b.D(2016, 6, 1), stricter).shortfall is False
        later = training_duty(AWARDED, counts + [DUTY] * 5, "awarded", b.D(2021, 6, 1), stricter)
        assert later.duty_per_year == DUTY + 3
        assert later.shortfall is True

    def test_an_award_on_29_february_completes_its_year_on_1_march(self) -> None:
        leap = b.D(2016, 2, 29)
        assert completed_years(leap, b.D(2017, 2, 28)) == 0
        assert completed_years(leap, b.D(2017, 3, 1)) == 1
        assert training_duty(leap, [0], "awarded", b.D(2017, 3, 1)).years[0].ends_on == b.D(2017, 2, 28)

    def test_the_studio_counts_feed_the_duty(self) -> None:
        sid = uuid.uuid4()
        steps: list[c.StudioCommand] = [enrol(sid, n) for n in range(1, DUTY + 1)]
        steps += [qualify(sid, n, "中级工", AWARDED + dt.timedelta(days=30)) for n in range(1, DUTY + 1)]
        studio = studio_with(sid, *steps)
        duty = training_duty(AWARDED, trained_per_award_year(studio), studio.status, b.D(2015, 6, 1))
        assert duty.average_per_year == Decimal(DUTY)
        assert duty.shortfall is False
