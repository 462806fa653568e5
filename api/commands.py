"""From request bodies to domain commands, and from some commands' outcomes to their answers:
the web layer holds no rule, only translation."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any
from uuid import UUID

from api import schemas as s
from casework.application import Outcome
from casework.domain import commands as c
from casework.domain import rules
from casework.domain.events import ApprenticeEnrolled, Evaluated, HonourRecorded
from casework.domain.ids import birth_date, check_resident_id
from casework.domain.permissions import Actor
from casework.domain.values import (
    Bonus,
    Host,
    ItemScore,
    Master,
    Material,
    Member,
    MeritGround,
    Proposal,
    ProposalChanges,
)
from casework.vault import Vault


def master(vault: Vault, body: s.MasterIn) -> Master:
    return Master(
        name=body.name,
        id=vault.protect(body.id_number, "master.id_number"),
        qualification=body.qualification,
        unique_skills=body.unique_skills,
        grounds=tuple(MeritGround(kind=g.kind, description=g.description) for g in body.grounds),
    )


def host(body: s.HostIn) -> Host:
    return Host(
        kind=body.kind,
        name=body.name,
        credit_code=body.credit_code,
        county=body.county,
        education_fund_share_pct=body.education_fund_share_pct,
        commits_funding=body.commits_funding,
        commits_premises=body.commits_premises,
        commits_equipment=body.commits_equipment,
    )


def members(vault: Vault, body: list[s.MemberIn]) -> tuple[Member, ...]:
    return tuple(
        Member(
            name=m.name,
            id=vault.protect(m.id_number, f"members.{i}.id_number"),
            qualification=m.qualification,
        )
        for i, m in enumerate(body)
    )


def materials(body: list[s.MaterialIn]) -> tuple[Material, ...]:
    return tuple(Material(kind=m.kind, title=m.title, sha256=m.sha256, copies=m.copies) for m in body)


def submission(vault: Vault, body: s.SubmissionIn, on: dt.date, number: Callable[[dt.date], str]) -> c.Submit:
    """A new studio's application; the register's ``number`` is taken only once the body is
    known to be well-formed enough to build (a refused body leaves no gap in the register)."""
    proposal = Proposal(
        level=body.level,
        name=body.name,
        occupation=body.occupation,
        master=master(vault, body.master),
        host=host(body.host),
        members=members(vault, body.members),
        materials=materials(body.materials),
        plan=body.plan,
    )
    return c.Submit(studio_id=uuid.uuid4(), proposal=proposal, case_no=number(on), submitted_on=on)


def amendment(vault: Vault, body: s.AmendmentIn, studio_id: UUID, on: dt.date) -> c.Amend:
    changes = ProposalChanges(
        level=body.level,
        name=body.name,
        occupation=body.occupation,
        master=master(vault, body.master) if body.master else None,
        host=host(body.host) if body.host else None,
        members=members(vault, body.members) if body.members is not None else None,
        materials=materials(body.materials) if body.materials is not None else None,
        plan=body.plan,
    )
    return c.Amend(studio_id=studio_id, changes=changes, amended_on=on)


def withdrawal(body: s.WithdrawalIn, studio_id: UUID, on: dt.date) -> c.Withdraw:
    return c.Withdraw(studio_id=studio_id, reason=body.reason, withdrawn_on=on)


def reviewer_unit(actor: Actor) -> str:
    if actor.county == rules.CITY_DIRECT:
        return f"市级行业主管部门（{actor.subject}）"
    return f"{actor.county}人力社保局（{actor.subject}）"


def county_review(body: s.CountyReviewIn, actor: Actor, studio_id: UUID, on: dt.date) -> c.ReviewAtCounty:
    return c.ReviewAtCounty(
        studio_id=studio_id,
        decision=body.decision,
        opinion=body.opinion,
        reviewer_unit=reviewer_unit(actor),
        reviewed_on=on,
        originals_verified=body.originals_verified,
        missing=tuple(body.missing),
    )


def assessment(body: s.AssessmentIn, studio_id: UUID, on: dt.date) -> c.Assess:
    return c.Assess(
        studio_id=studio_id,
        panel=tuple(body.panel),
        opinion=body.opinion,
        recommended=body.recommended,
        assessed_on=on,
        score=body.score,
    )


def award(body: s.AwardIn, studio_id: UUID) -> c.Award:
    return c.Award(
        studio_id=studio_id,
        decision_no=body.decision_no,
        published_on=body.published_on,
        plaque_no=body.plaque_no,
    )


def evaluation(body: s.EvaluationIn, studio_id: UUID) -> c.Evaluate:
    return c.Evaluate(
        studio_id=studio_id,
        period=body.period,
        scores={
            code: ItemScore(self_score=v.self_score, assessed=v.assessed) for code, v in body.scores.items()
        },
        evaluated_on=body.evaluated_on,
        bonus=tuple(Bonus(kind=b.kind, points=b.points, note=b.note) for b in body.bonus),
    )


def payment(body: s.PaymentIn, studio_id: UUID) -> c.PaySubsidy:
    return c.PaySubsidy(
        studio_id=studio_id,
        kind=body.kind,
        amount_fen=s.fen(body.amount),
        voucher_no=body.voucher_no,
        paid_on=body.paid_on,
        apprentice_id=body.apprentice_id,
    )


def reversal(body: s.ReversalIn, studio_id: UUID, today: dt.date) -> c.ReverseSubsidy:
    return c.ReverseSubsidy(
        studio_id=studio_id,
        voucher_no=body.voucher_no,
        reason=body.reason,
        reversed_on=body.reversed_on or today,
    )


def enrolment(vault: Vault, body: s.ApprenticeIn, studio_id: UUID, today: dt.date) -> c.EnrollApprentice:
    number = check_resident_id(body.id_number, "id_number")
    return c.EnrollApprentice(
        studio_id=studio_id,
        apprentice_id=uuid.uuid4(),
        name=body.name,
        id=vault.protect(number, "id_number"),
        born_on=birth_date(number),
        enrolled_on=body.enrolled_on or body.agreement_signed_on or today,
        agreement_signed_on=body.agreement_signed_on,
    )


def qualification(body: s.QualificationIn, studio_id: UUID, apprentice_id: UUID) -> c.RecordQualification:
    return c.RecordQualification(
        studio_id=studio_id,
        apprentice_id=apprentice_id,
        grade=body.grade,
        certificate_no=body.certificate_no,
        qualified_on=body.qualified_on,
    )


def inspection(body: s.InspectionIn, studio_id: UUID) -> c.Inspect:
    return c.Inspect(
        studio_id=studio_id, inspector=body.inspector, findings=body.findings, inspected_on=body.inspected_on
    )


def rectification_order(body: s.RectificationIn, studio_id: UUID) -> c.OrderRectification:
    return c.OrderRectification(
        studio_id=studio_id,
        reason=body.reason,
        findings=body.findings,
        ordered_on=body.ordered_on,
        deadline=body.deadline,
    )


def rectification_review(body: s.RectificationReviewIn, studio_id: UUID) -> c.ReviewRectification:
    return c.ReviewRectification(
        studio_id=studio_id,
        reviewed_on=body.reviewed_on,
        passed=body.passed,
        findings=body.findings,
        score=body.score,
    )


def honour(body: s.HonourIn, studio_id: UUID) -> c.RecordHonour:
    return c.RecordHonour(
        studio_id=studio_id,
        honour_id=uuid.uuid4(),
        person=body.person,
        honour=body.honour,
        level=body.level,
        conferred_on=body.conferred_on,
        document_no=body.document_no,
    )


def revocation(body: s.RevocationIn, studio_id: UUID) -> c.Revoke:
    return c.Revoke(studio_id=studio_id, ground=body.ground, note=body.note, decided_on=body.decided_on)


def recommendation(body: s.RecommendationIn, studio_id: UUID, on: dt.date) -> c.RecommendToProvince:
    return c.RecommendToProvince(studio_id=studio_id, year=body.year, note=body.note, recommended_on=on)


def subsidy_standard(body: s.SubsidyStandardIn) -> c.SetSubsidyStandard:
    return c.SetSubsidyStandard(
        in_force_from=body.in_force_from,
        document_no=body.document_no,
        rates_fen={grade: s.fen(amount, f"rates.{grade}") for grade, amount in body.rates.items()},
    )


def _fields(view: s.StudioView) -> dict[str, Any]:
    return {f: getattr(view, f) for f in view.__struct_fields__}


# What some commands answer besides the studio: what the command's last event made.
def enrolled(view: s.StudioView, outcome: Outcome) -> s.ApprenticeAnswer:
    event = outcome.events[-1]
    assert isinstance(event, ApprenticeEnrolled)
    return s.ApprenticeAnswer(**_fields(view), apprentice_id=event.apprentice_id)


def evaluated(view: s.StudioView, outcome: Outcome) -> s.EvaluationAnswer:
    event = outcome.events[-1]
    assert isinstance(event, Evaluated)
    return s.EvaluationAnswer(
        **_fields(view), base=event.base, bonus_total=event.bonus_total, total=event.total, grade=event.grade
    )


def honoured(view: s.StudioView, outcome: Outcome) -> s.HonourAnswer:
    event = outcome.events[-1]
    assert isinstance(event, HonourRecorded)
    return s.HonourAnswer(**_fields(view), honour_id=event.honour_id)
