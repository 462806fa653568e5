"""Valid commands and identities, with one obvious way to vary each: a date or a field given,
everything else a valid default. The tests build their histories with them, and the demo its
studios' paths (varying each with ``msgspec.structs.replace``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from msgspec.structs import replace

from casework.domain import commands as c
from casework.domain import rules
from casework.domain.events import SubsidyStandardSet
from casework.domain.ids import birth_date, credit_code_check_char, mask_resident_id, resident_id_check_char
from casework.domain.permissions import Actor
from casework.domain.policy import MEASURES_2013
from casework.domain.values import (
    Host,
    ItemScore,
    Master,
    Material,
    Member,
    MeritGround,
    Proposal,
    ProposalChanges,
    ProtectedId,
)

__all__ = [
    "CITY_OFFICE",
    "DEADLINE",
    "FINANCE",
    "ORDERED",
    "STANDARD_2013",
    "Actor",
    "D",
    "amend",
    "applicant",
    "approve",
    "assess",
    "award",
    "construction_payment",
    "credit_code",
    "decline",
    "enroll",
    "evaluate",
    "honour",
    "inspect",
    "materials",
    "members",
    "order",
    "proposal",
    "protected",
    "qualify",
    "recommend_to_province",
    "resident_id",
    "reverse_payment",
    "review",
    "reviewer",
    "revoke",
    "scores",
    "send_back",
    "submit",
    "withdraw",
]

CITY_OFFICE = Actor(subject="city.officer", role="city_office")
FINANCE = Actor(subject="finance.clerk", role="finance")


def applicant(county: str = "鹿城区") -> Actor:
    return Actor(subject="host.clerk", role="applicant", county=county)


def reviewer(county: str = "鹿城区") -> Actor:
    return Actor(subject="county.reviewer", role="county_reviewer", county=county)


def resident_id(serial: int = 1, birth: str | None = None) -> str:
    birth = birth or f"{1980 + (serial // 1000) % 40}0101"
    first17 = f"330302{birth}{serial % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def credit_code(serial: int = 1) -> str:
    first17 = f"91330300{serial:09d}"
    return first17 + credit_code_check_char(first17)


def protected(number: str) -> ProtectedId:
    """A stand-in for the vault in pure tests: deterministic, never the plain number."""
    digest = hashlib.sha256(number.encode()).hexdigest()
    return ProtectedId(token=digest, masked=mask_resident_id(number), sealed="test:" + digest)


def materials() -> tuple[Material, ...]:
    """Every required kind, and one item of supporting evidence (第五条(一))."""
    return tuple(
        Material(kind=kind, title=kind, sha256=hashlib.sha256(kind.encode()).hexdigest(), copies=n)
        for kind, n in (*rules.REQUIRED_MATERIALS.items(), ("supporting_evidence", 1))
    )


def members(serial: int = 1) -> tuple[Member, ...]:
    return (Member(name="李四", id=protected(resident_id(serial + 500)), qualification="技师"),)


# A subsidy standard for tests (the measures give no figures): in force from the measures' date.
STANDARD_2013 = SubsidyStandardSet(
    in_force_from=dt.date(2013, 5, 8),
    document_no="测试标准",
    rates_fen={"中级工": 100_000, "高级工": 150_000, "技师": 200_000, "高级技师": 300_000},
)


def proposal(
    master_name: str = "张三",
    occupation: str = "数控车工",
    county: str = "鹿城区",
    serial: int = 1,
    **changes: Any,
) -> Proposal:
    base = Proposal(
        level="city",
        name=rules.expected_studio_name(master_name, occupation),
        occupation=occupation,
        master=Master(
            name=master_name,
            id=protected(resident_id(serial)),
            qualification="高级技师",
            grounds=(MeritGround(kind="key_technology", description="攻克数控加工精度难题"),),
        ),
        host=Host(
            kind="enterprise",
            name="温州某某机械有限公司",
            credit_code=credit_code(serial),
            county=county,
            education_fund_share_pct=Decimal(35),
            commits_funding=True,
            commits_premises=True,
            commits_equipment=True,
        ),
        members=members(serial),
        materials=materials(),
        plan="三年培养二十名中级工以上技能人才",
    )
    return replace(base, **changes)


D = dt.date


def submit(studio_id: uuid.UUID | None = None, **changes: Any) -> c.Submit:
    return c.Submit(
        studio_id=studio_id or uuid.uuid4(),
        proposal=proposal(**changes),
        case_no="WZJDS-2014-000001",
        submitted_on=D(2014, 3, 1),
    )


def approve(studio_id: uuid.UUID) -> c.ReviewAtCounty:
    return c.ReviewAtCounty(
        studio_id=studio_id,
        decision="approve",
        opinion="材料齐全，原件已核",
        reviewer_unit="鹿城区人力社保局",
        reviewed_on=D(2014, 3, 20),
        originals_verified=True,
    )


def assess(studio_id: uuid.UUID, recommended: bool = True) -> c.Assess:
    return c.Assess(
        studio_id=studio_id,
        panel=("李四", "王五", "赵六"),
        opinion="同意推荐" if recommended else "不予推荐",
        recommended=recommended,
        assessed_on=D(2014, 4, 15),
    )


def award(studio_id: uuid.UUID) -> c.Award:
    return c.Award(
        studio_id=studio_id,
        decision_no="温人社发〔2014〕88号",
        published_on=D(2014, 5, 8),
        plaque_no="WZ-2014-001",
    )


def construction_payment(studio_id: uuid.UUID, voucher_no: str = "V-2014-0001") -> c.PaySubsidy:
    return c.PaySubsidy(
        studio_id=studio_id,
        kind="construction",
        amount_fen=MEASURES_2013.construction_subsidy_fen,
        voucher_no=voucher_no,
        paid_on=D(2014, 6, 1),
    )


def scores(total: Decimal | int | str) -> dict[str, ItemScore]:
    """A full sheet whose assessed scores add up to ``total`` (filled item by item)."""
    left = Decimal(total)
    sheet: dict[str, ItemScore] = {}
    for item in rules.SCORING_SHEET:
        given = min(left, item.maximum)
        left -= given
        sheet[item.code] = ItemScore(self_score=item.maximum, assessed=given)
    assert left == 0, "total above 100"
    return sheet


def evaluate(
    studio_id: uuid.UUID,
    total: Decimal | int | str = 85,
    period: str = "2014-2015",
    on: dt.date | None = None,
    bonus: tuple[Any, ...] = (),
) -> c.Evaluate:
    return c.Evaluate(
        studio_id=studio_id,
        period=period,
        scores=scores(total),
        evaluated_on=on or D(2016, 3, 1),
        bonus=bonus,
    )


ORDERED = D(2016, 3, 20)
DEADLINE = D(2016, 9, 20)


def order(
    studio_id: uuid.UUID,
    reason: rules.RectificationReason = "failed_evaluation",
    ordered_on: dt.date = ORDERED,
    deadline: dt.date = DEADLINE,
) -> c.OrderRectification:
    return c.OrderRectification(
        studio_id=studio_id, reason=reason, findings="带徒台账缺失", ordered_on=ordered_on, deadline=deadline
    )


def review(studio_id: uuid.UUID, passed: bool, on: dt.date = DEADLINE) -> c.ReviewRectification:
    return c.ReviewRectification(
        studio_id=studio_id,
        reviewed_on=on,
        passed=passed,
        findings="整改到位" if passed else "复查仍不合格",
    )


def send_back(studio_id: uuid.UUID, on: dt.date | None = None) -> c.ReviewAtCounty:
    """The county returns the application for a missing material (第五条(二))."""
    return c.ReviewAtCounty(
        studio_id=studio_id,
        decision="return",
        opinion="申办报告缺少成员简介",
        reviewer_unit="鹿城区人力社保局",
        reviewed_on=on or D(2014, 3, 20),
        missing=("application_report",),
    )


def decline(studio_id: uuid.UUID, on: dt.date | None = None) -> c.ReviewAtCounty:
    return replace(send_back(studio_id, on), decision="reject", opinion="不符合申报条件", missing=())


def amend(studio_id: uuid.UUID, plan: str, on: dt.date | None = None) -> c.Amend:
    return c.Amend(studio_id=studio_id, changes=ProposalChanges(plan=plan), amended_on=on or D(2014, 3, 25))


def withdraw(studio_id: uuid.UUID, on: dt.date | None = None) -> c.Withdraw:
    return c.Withdraw(
        studio_id=studio_id, reason="领办人工作调整，暂缓申报", withdrawn_on=on or D(2014, 4, 1)
    )


def enroll(
    studio_id: uuid.UUID,
    id_number: str,
    protect: Callable[[str], ProtectedId] = protected,
    on: dt.date | None = None,
    **changes: Any,
) -> c.EnrollApprentice:
    """An apprentice under a 以师带徒 agreement signed on enrolment; born when the ID number says."""
    on = on or D(2014, 7, 1)
    base = c.EnrollApprentice(
        studio_id=studio_id,
        apprentice_id=uuid.uuid4(),
        name="王小明",
        id=protect(id_number),
        born_on=birth_date(id_number),
        enrolled_on=on,
        agreement_signed_on=on,
    )
    return replace(base, **changes)


def qualify(
    studio_id: uuid.UUID,
    apprentice_id: uuid.UUID,
    grade: rules.CertificateGrade = "中级工",
    on: dt.date | None = None,
) -> c.RecordQualification:
    on = on or D(2015, 7, 1)
    return c.RecordQualification(
        studio_id=studio_id,
        apprentice_id=apprentice_id,
        grade=grade,
        certificate_no=f"Z{on:%Y%m}000001",
        qualified_on=on,
    )


def reverse_payment(studio_id: uuid.UUID, voucher_no: str = "V-2014-0001") -> c.ReverseSubsidy:
    return c.ReverseSubsidy(
        studio_id=studio_id,
        voucher_no=voucher_no,
        reason="收款账户有误，退回重付",
        reversed_on=D(2014, 6, 10),
    )


def inspect(studio_id: uuid.UUID, on: dt.date | None = None) -> c.Inspect:
    return c.Inspect(
        studio_id=studio_id,
        inspector="市人力社保局职业能力建设处",
        findings="台账清晰，带徒记录完整",
        inspected_on=on or D(2016, 6, 1),
    )


def honour(studio_id: uuid.UUID, on: dt.date | None = None) -> c.RecordHonour:
    """An honour of the master (第六条(三)(五))."""
    on = on or D(2015, 9, 1)
    return c.RecordHonour(
        studio_id=studio_id,
        honour_id=uuid.uuid4(),
        person="master",
        honour="温州市首席技师",
        level="city",
        conferred_on=on,
        document_no=f"温政发〔{on.year}〕12号",
    )


def recommend_to_province(studio_id: uuid.UUID, on: dt.date | None = None) -> c.RecommendToProvince:
    on = on or D(2016, 4, 1)
    return c.RecommendToProvince(
        studio_id=studio_id, year=on.year, note="择优推荐参评省级技能大师工作室", recommended_on=on
    )


def revoke(
    studio_id: uuid.UUID,
    ground: rules.RevocationGround = "failed_after_rectification",
    on: dt.date | None = None,
) -> c.Revoke:
    return c.Revoke(
        studio_id=studio_id, ground=ground, note="经核实，取消工作室称号", decided_on=on or D(2016, 10, 20)
    )
