"""第三条(二): apprentices and the training duty; 第七条(二): inspections."""

from __future__ import annotations

import datetime as dt
import uuid

from msgspec.structs import replace

from casework.domain import commands as c
from casework.domain import rules
from casework.domain.ids import birth_date
from tests import builders as b
from tests.unit.scenario import awarded, given, history, submitted

SIGNED = b.D(2014, 6, 1)


def enrol(
    sid: uuid.UUID, n: int = 1, signed: dt.date | None = SIGNED, born: str = "19990101"
) -> c.EnrollApprentice:
    number = b.resident_id(100 + n, born)
    return c.EnrollApprentice(
        studio_id=sid,
        apprentice_id=uuid.UUID(int=n),
        name=f"学徒{n}",
        id=b.protected(number),
        born_on=birth_date(number),
        enrolled_on=signed or SIGNED,
        agreement_signed_on=signed,
    )


def qualify(sid: uuid.UUID, n: int, grade: rules.CertificateGrade, on: dt.date) -> c.RecordQualification:
    return c.RecordQualification(
        studio_id=sid,
        apprentice_id=uuid.UUID(int=n),
        grade=grade,
        certificate_no=f"C{n}-{grade}",
        qualified_on=on,
    )


class TestApprentices:
    def test_an_awarded_studio_enrols_an_apprentice_under_an_agreement(self) -> None:
        sid = uuid.uuid4()
        studio = given(*awarded(sid)).when(enrol(sid)).then_status("awarded")
        apprentice = studio.apprentice(uuid.UUID(int=1))
        assert apprentice is not None
        assert apprentice.id.masked.startswith("3303")

    def test_an_application_enrols_no_apprentice(self) -> None:
        sid = uuid.uuid4()
        given(*submitted(sid)).when(enrol(sid)).then_raises("transition_not_allowed")

    def test_the_same_person_is_enrolled_once(self) -> None:
        sid = uuid.uuid4()
        past = history(sid, *[*_award(sid), enrol(sid)])
        again = replace(enrol(sid), apprentice_id=uuid.uuid4())
        given(*past).when(again).then_raises("apprentice_already_enrolled")

    def test_an_apprentice_is_born_before_signing(self) -> None:
        sid = uuid.uuid4()
        command = replace(enrol(sid), born_on=b.D(2014, 6, 1))
        given(*awarded(sid)).when(command).then_raises("validation_failed")

    def test_an_apprentice_of_another_channel_is_enrolled_without_an_agreement(self) -> None:
        # 第三条(二) 多渠道: the agreement is needed for the apprenticeship subsidy only.
        sid = uuid.uuid4()
        studio = given(*awarded(sid)).when(enrol(sid, signed=None)).then_status("awarded")
        apprentice = studio.apprentice(uuid.UUID(int=1))
        assert apprentice is not None
        assert apprentice.agreement_signed_on is None
        assert apprentice.enrolled_on == SIGNED

    def test_the_birth_date_is_read_from_the_id_number(self) -> None:
        sid = uuid.uuid4()
        studio = given(*awarded(sid)).when(enrol(sid, born="19950317")).then_status("awarded")
        apprentice = studio.apprentice(uuid.UUID(int=1))
        assert apprentice is not None
        assert apprentice.born_on == b.D(1995, 3, 17)

    def test_a_studio_under_rectification_enrols_apprentices_too(self) -> None:
        sid = uuid.uuid4()
        past = history(sid, *_award(sid), b.order(sid, reason="inspection"))
        given(*past).when(enrol(sid)).then_status("rectifying")

    def test_a_qualification_is_recorded_for_an_enrolled_apprentice_only(self) -> None:
        sid = uuid.uuid4()
        given(*awarded(sid)).when(qualify(sid, 1, "中级工", b.D(2015, 1, 1))).then_raises(
            "apprentice_not_enrolled"
        )

    def test_a_qualification_before_joining_the_studio_is_refused(self) -> None:
        sid = uuid.uuid4()
        past = history(sid, *_award(sid), enrol(sid))
        given(*past).when(qualify(sid, 1, "中级工", b.D(2014, 5, 1))).then_raises(
            "qualification_before_enrolment"
        )

    def test_each_grade_is_recorded_once(self) -> None:
        sid = uuid.uuid4()
        past = history(sid, *_award(sid), enrol(sid), qualify(sid, 1, "中级工", b.D(2015, 1, 1)))
        given(*past).when(qualify(sid, 1, "中级工", b.D(2015, 2, 1))).then_raises(
            "qualification_already_recorded"
        )


def _award(sid: uuid.UUID) -> list[c.StudioCommand]:
    return [b.submit(sid), b.approve(sid), b.assess(sid), b.award(sid)]


class TestInspection:
    def inspect(self, sid: uuid.UUID) -> c.Inspect:
        return c.Inspect(
            studio_id=sid, inspector="市人力社保局", findings="运行正常", inspected_on=b.D(2015, 1, 1)
        )

    def test_an_awarded_studio_is_inspected(self) -> None:
        sid = uuid.uuid4()
        assert given(*awarded(sid)).when(self.inspect(sid)).then_status("awarded").inspections == 1

    def test_an_application_is_not_inspected(self) -> None:
        sid = uuid.uuid4()
        given(*submitted(sid)).when(self.inspect(sid)).then_raises("transition_not_allowed")

    def test_findings_are_required(self) -> None:
        sid = uuid.uuid4()
        given(*awarded(sid)).when(replace(self.inspect(sid), findings="")).then_raises("validation_failed")
