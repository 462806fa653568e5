"""Apprentices (第三条(二)): enrolment under a 以师带徒 agreement and the qualifications they reach."""

from __future__ import annotations

from casework.domain import rules
from casework.domain.commands import EnrollApprentice, RecordQualification
from casework.domain.decide.circumstances import Circumstances, not_blank, require
from casework.domain.errors import InvalidRequest, StateConflict
from casework.domain.events import ApprenticeEnrolled, ApprenticeQualified
from casework.domain.state import Studio
from casework.domain.training import is_young

# --- apprentices and inspections (第三条(二), 第七条(二)) -------------------------


def apprentice_enrolment(command: EnrollApprentice, state: Studio) -> ApprenticeEnrolled:
    not_blank(command.name, "name")
    signed = command.agreement_signed_on
    if signed is not None and command.born_on >= signed:
        raise InvalidRequest.field(
            "validation_failed",
            "agreement_signed_on",
            "must be after the birth date in the ID number (第三条(二))",
        )
    require(state, rules.ACTIVE_STUDIO, "enrolling an apprentice", "第三条(二)")
    if state.apprentice(command.apprentice_id) is not None or any(
        a.id.token == command.id.token for a in state.apprentices
    ):
        raise StateConflict(
            "apprentice_already_enrolled", "this apprentice is already enrolled in the studio (第三条(二))"
        )
    return ApprenticeEnrolled(
        apprentice_id=command.apprentice_id,
        name=command.name,
        id=command.id,
        born_on=command.born_on,
        agreement_signed_on=signed,
        enrolled_on=command.enrolled_on,
    )


def apprentice_qualification(
    command: RecordQualification, state: Studio, circumstances: Circumstances
) -> ApprenticeQualified:
    not_blank(command.certificate_no, "certificate_no")
    require(state, rules.ACTIVE_STUDIO, "recording a qualification", "第三条(二)")
    apprentice = state.apprentice(command.apprentice_id)
    if apprentice is None:
        raise StateConflict(
            "apprentice_not_enrolled", f"no apprentice {command.apprentice_id} in this studio"
        )
    if any(q.grade == command.grade for q in apprentice.qualifications):
        raise StateConflict(
            "qualification_already_recorded",
            f"the apprentice's {command.grade} certificate is already recorded (第三条(二))",
        )
    if command.qualified_on < apprentice.enrolled_on:
        raise StateConflict(
            "qualification_before_enrolment",
            f"a qualification counts for the studio only when reached after the apprentice joined it "
            f"({apprentice.enrolled_on}; 第三条(二))",
        )
    return ApprenticeQualified(
        apprentice_id=command.apprentice_id,
        grade=command.grade,
        certificate_no=command.certificate_no,
        qualified_on=command.qualified_on,
        # 第三条(二) 青年: decided now, by the policy of the qualification date.
        young=is_young(apprentice.born_on, command.qualified_on, circumstances.policies),
    )
