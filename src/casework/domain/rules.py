"""The vocabulary of the 2013 measures (温人社发〔2013〕200号) as data.

The words, lists and the scoring sheet the rules use. The numbers that a revision of the
measures could change (amounts, ages, bands, steps) are in ``casework.domain.policy``, by
the date they came into force. docs/measures.md maps each article to its rule.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final, Literal

from msgspec import Struct

Level = Literal["city", "county"]
Status = Literal[
    "submitted",
    "returned",
    "county_approved",
    "assessed",
    "awarded",
    "rectifying",
    "declined",
    "withdrawn",
    "revoked",
]
Role = Literal["applicant", "county_reviewer", "city_office", "finance", "auditor", "admin"]
HostKind = Literal["enterprise", "industry_body", "vocational_college"]
MeritKind = Literal["major_innovation", "craft_heritage", "key_technology"]
MaterialKind = Literal[
    "application_form",
    "application_report",
    "legal_entity_certificate",
    "personal_certificates",
    "supporting_evidence",
]
SubsidyKind = Literal["construction", "apprenticeship"]
BonusKind = Literal["media_coverage", "provincial_meeting", "award"]
Grade = Literal["excellent", "good", "pass", "fail"]
RectificationReason = Literal["failed_evaluation", "fraud", "inspection"]
RevocationGround = Literal["host_dissolved", "misconduct", "failed_after_rectification", "master_left_host"]
CertificateGrade = Literal["初级工", "中级工", "高级工", "技师", "高级技师"]
HonourLevel = Literal["city", "province", "national"]
ReviewDecision = Literal["approve", "return", "reject"]

# 县级行政区 of Wenzhou; a host under a city-level industry authority has the scope 市直.
COUNTIES: Final = (
    "鹿城区",
    "龙湾区",
    "瓯海区",
    "洞头区",
    "瑞安市",
    "乐清市",
    "龙港市",
    "永嘉县",
    "平阳县",
    "苍南县",
    "文成县",
    "泰顺县",
)
CITY_DIRECT: Final = "市直"
SCOPES: Final = (*COUNTIES, CITY_DIRECT)

ROLES: Final[tuple[Role, ...]] = (
    "applicant",
    "county_reviewer",
    "city_office",
    "finance",
    "auditor",
    "admin",
)
# Roles whose acts are bounded by the county (or 市直 sector) in their credential.
COUNTY_SCOPED_ROLES: Final[frozenset[Role]] = frozenset({"applicant", "county_reviewer"})

# 第四条(一): a master is a 技师 or 高级技师, or has recognised unique skills (绝技绝活).
MASTER_QUALIFICATIONS: Final = frozenset({"技师", "高级技师"})
MERIT_KINDS: Final[tuple[MeritKind, ...]] = ("major_innovation", "craft_heritage", "key_technology")

HOST_KINDS: Final[tuple[HostKind, ...]] = ("enterprise", "industry_body", "vocational_college")

# 第五条(一): the materials of an application; the form comes in two copies.
REQUIRED_MATERIALS: Final[dict[MaterialKind, int]] = {
    "application_form": 2,
    "application_report": 1,
    "legal_entity_certificate": 1,
    "personal_certificates": 1,
}
OPTIONAL_MATERIALS: Final[frozenset[MaterialKind]] = frozenset({"supporting_evidence"})

# 第五条(一)2: 温州市 + master's name + occupation + 技能大师工作室.
NAME_PREFIX: Final = "温州市"
NAME_SUFFIX: Final = "技能大师工作室"


def expected_studio_name(master_name: str, occupation: str) -> str:
    """The only name a city-level studio may carry."""
    return f"{NAME_PREFIX}{master_name}{occupation}{NAME_SUFFIX}"


CERTIFICATE_GRADES: Final[tuple[CertificateGrade, ...]] = (
    "初级工",
    "中级工",
    "高级工",
    "技师",
    "高级技师",
)


# 第三条(二): the grades that count toward the training duty (中级工以上); how many a year,
# and who is young, are in the policy table (casework.domain.policy).
TRAINING_COUNTED_GRADES: Final = frozenset({"中级工", "高级工", "技师", "高级技师"})


class ScoringItem(Struct, frozen=True):
    code: str
    category: str
    title: str
    maximum: Decimal


# 附件 绩效评估表: twenty items in six categories, 100 points in all.
SCORING_SHEET: Final[tuple[ScoringItem, ...]] = tuple(
    ScoringItem(code=code, category=category, title=title, maximum=Decimal(maximum))
    for code, category, title, maximum in (
        ("S1", "制度建设", "建立组织体系，明确岗位及成员职责", 4),
        ("S2", "制度建设", "制定完善的年度计划", 5),
        ("S3", "制度建设", "制定完善的各项日常管理规定", 6),
        ("S4", "制度建设", "与承办单位签订责任书，明确绩效评估考核", 5),
        ("G1", "保障建设", "承办单位对工作室配套相应的经费扶持", 4),
        ("G2", "保障建设", "领办人及成员建有30平方以上办公场所", 6),
        ("G3", "保障建设", "建立固定（兼有）的学习交流场所", 5),
        ("G4", "保障建设", "配备与工作目标相一致的设施设备", 5),
        ("T1", "技术攻关", "解决本单位实际生产或技术难题", 10),
        ("T2", "技术攻关", "承担本单位（行业）生产设备改造及技术革新", 5),
        ("T3", "技术攻关", "相关技术成果得到推广与采用", 5),
        ("A1", "带徒传艺", "制定年度带徒计划及阶段工作进度表", 4),
        ("A2", "带徒传艺", "签订以师带徒协议", 3),
        ("A3", "带徒传艺", "带徒过程及日常技艺培训指导有详细记录", 4),
        ("A4", "带徒传艺", "带徒成果突出，台账清晰", 4),
        ("R1", "技术研发", "发明相关技术专利，或创新相关工艺技术", 6),
        ("R2", "技术研发", "承担省市县（市、区）相关技术研发项目", 4),
        ("E1", "技术交流", "定期组织企业内部技术培训及交流", 5),
        ("E2", "技术交流", "定期参与行业间技术交流活动", 5),
        ("E3", "技术交流", "承担校企合作的技能人才教育培训工作", 5),
    )
)
SCORING_ITEMS: Final[dict[str, ScoringItem]] = {item.code: item for item in SCORING_SHEET}
BONUS_KINDS: Final[tuple[BonusKind, ...]] = ("media_coverage", "provincial_meeting", "award")
# The step of a score, the bonus cap and the grade bands are in the policy table.

RECTIFICATION_REASONS: Final[tuple[RectificationReason, ...]] = (
    "failed_evaluation",
    "fraud",
    "inspection",
)
# 第七条(四).
REVOCATION_GROUNDS: Final[tuple[RevocationGround, ...]] = (
    "host_dissolved",
    "misconduct",
    "failed_after_rectification",
    "master_left_host",
)

# 第七条(二): an evaluation period is two consecutive calendar years, written "2014-2015".
_PERIOD: Final = re.compile(r"^(\d{4})-(\d{4})$")


def period_years(period: str) -> tuple[int, int] | None:
    """The first and last year of an evaluation period, or None if it is not one."""
    match = _PERIOD.match(period)
    if match is None or int(match[2]) != int(match[1]) + 1:
        return None
    return int(match[1]), int(match[2])


# *policy choice*: one master leads at most one studio that is still alive.
TERMINAL_STATUSES: Final[frozenset[Status]] = frozenset({"declined", "withdrawn", "revoked"})
BEFORE_AWARD: Final[frozenset[Status]] = frozenset({"submitted", "returned", "county_approved", "assessed"})
ACTIVE_STUDIO: Final[frozenset[Status]] = frozenset({"awarded", "rectifying"})
# Rectification ground 3 of 第七条(四) follows only orders for these reasons.
REVIEWABLE_FAILURES: Final[frozenset[RectificationReason]] = frozenset({"failed_evaluation", "fraud"})
HONOUR_LEVELS: Final[tuple[HonourLevel, ...]] = ("city", "province", "national")
