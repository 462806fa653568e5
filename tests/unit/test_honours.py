"""第六条(三)(五): honours of the master, members and apprentices, evidence for the `award` bonus."""

from __future__ import annotations

import uuid

import pytest
from msgspec.structs import replace

from casework.domain import commands as c
from casework.domain.events import HonourRecorded
from tests import builders as b
from tests.unit.scenario import awarded, given, submitted
from tests.unit.test_apprentices_and_inspections import enrol

HONOUR_ID = uuid.UUID(int=99)


def honour(sid: uuid.UUID, person: str = "master") -> c.RecordHonour:
    return c.RecordHonour(
        studio_id=sid,
        honour_id=HONOUR_ID,
        person=person,
        honour="温州市首席技师",
        level="city",
        conferred_on=b.D(2015, 4, 1),
        document_no="温政发〔2015〕12号",
    )


class TestHonours:
    def test_an_honour_of_the_master_is_recorded_with_the_name(self) -> None:
        sid = uuid.uuid4()
        studio = (
            given(*awarded(sid))
            .when(honour(sid))
            .then(
                HonourRecorded(
                    honour_id=HONOUR_ID,
                    person="master",
                    person_name="张三",
                    honour="温州市首席技师",
                    level="city",
                    conferred_on=b.D(2015, 4, 1),
                    document_no="温政发〔2015〕12号",
                )
            )
        )
        assert [h.honour for h in studio.honours] == ["温州市首席技师"]

    def test_a_member_is_named_by_position(self) -> None:
        sid = uuid.uuid4()
        studio = given(*awarded(sid)).when(honour(sid, "member-1")).then_status("awarded")
        assert studio.honours[0].person_name == b.members()[0].name

    def test_an_apprentice_is_named_by_id(self) -> None:
        sid = uuid.uuid4()
        past = awarded(sid)
        past += given(*past).when(enrol(sid, 3)).events()
        studio = given(*past).when(honour(sid, str(uuid.UUID(int=3)))).then_status("awarded")
        assert studio.honours[0].person_name == "学徒3"

    @pytest.mark.parametrize("person", ["member-0", "member-2", "somebody", str(uuid.UUID(int=5))])
    def test_a_person_not_of_the_studio_is_refused(self, person: str) -> None:
        sid = uuid.uuid4()
        given(*awarded(sid)).when(honour(sid, person)).then_raises("person_not_found", "conflict")

    def test_an_application_records_no_honour(self) -> None:
        sid = uuid.uuid4()
        given(*submitted(sid)).when(honour(sid)).then_raises("transition_not_allowed")

    @pytest.mark.parametrize("field", ["honour", "document_no"])
    def test_the_honour_and_its_document_are_named(self, field: str) -> None:
        sid = uuid.uuid4()
        command = replace(honour(sid), **{field: " "})
        error = given(*awarded(sid)).when(command).then_raises("validation_failed", "invalid")
        assert error.errors[0].field == field
