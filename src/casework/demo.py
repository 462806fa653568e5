"""A realistic data set, loaded through the application as officers would enter it.

Studios across all twelve counties (and 市直 hosts) in every stage of the life cycle:
applications returned and amended, declined and withdrawn; awarded studios with
construction and apprenticeship subsidies (some reversed and paid again), apprentices,
inspections, evaluations every two years with real score sheets, rectification orders,
revocations and recommendations to the province.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from casework.application import Casework, Context
from casework.domain import commands as c
from casework.domain import rules
from casework.domain.decide import construction_commitment_fen, standard_in_force
from casework.domain.errors import StateConflict
from casework.domain.events import SubsidyStandardSet
from casework.domain.ids import birth_date, credit_code_check_char, resident_id_check_char
from casework.domain.permissions import Actor
from casework.domain.policy import MEASURES_2013
from casework.domain.state import Studio
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

AREA_CODES = {
    "鹿城区": "330302", "龙湾区": "330303", "瓯海区": "330304", "洞头区": "330305",
    "瑞安市": "330381", "乐清市": "330382", "龙港市": "330383", "永嘉县": "330324",
    "平阳县": "330326", "苍南县": "330327", "文成县": "330328", "泰顺县": "330329",
    "市直": "330300",
}  # fmt: skip
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段章钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红新林海波辉鹏飞宇浩然晨阳"
    "子轩梓涵一诺欣怡浩宇俊杰雨泽博文"
)
OCCUPATIONS = (
    "数控车工",
    "钳工",
    "焊工",
    "电工",
    "模具工",
    "汽车维修工",
    "服装制版师",
    "制鞋工",
    "中式烹调师",
    "瓯塑工艺",
    "石雕工",
    "眼镜定配工",
    "阀门装配工",
    "电气设备安装工",
    "印刷工",
    "美容师",
    "家具制作工",
    "黄杨木雕",
    "发色刺绣",
    "工具钳工",
)
HOST_WORDS = ("机械", "阀门", "鞋业", "服饰", "电气", "眼镜", "汽车零部件", "印刷", "泵业", "模具")
COLLEGES = (
    "温州职业技术学院",
    "温州科技职业学院",
    "浙江工贸职业技术学院",
    "温州市职业中等专业学校",
)
INDUSTRY_BODIES = ("温州市鞋革行业协会", "温州市服装商会", "温州市烹饪协会", "温州市工艺美术协会")
EXPERTS = ("陈国华", "林建平", "黄志刚", "周晓东", "吴海燕", "郑明辉", "徐立新", "潘永强")

FATES = (
    ("submitted", 10),
    ("returned", 6),
    ("amended", 5),
    ("withdrawn", 6),
    ("county_rejected", 5),
    ("county_approved", 6),
    ("not_recommended", 5),
    ("assessed", 5),
    ("awarded", 70),
    ("recommended", 12),
    ("rectifying", 10),
    ("revoked", 14),
)


CITY_OFFICE = Actor(subject="city.office.zhang", role="city_office")
HONOURS: tuple[tuple[str, rules.HonourLevel], ...] = (
    ("温州市首席技师", "city"),
    ("瓯江技能大奖", "city"),
    ("浙江省首席技师", "province"),
    ("钱江技能大奖", "province"),
    ("中华技能大奖", "national"),
)
# The measures give no figures for the apprenticeship subsidy (第六条(一) 现有补助标准): the
# city office records them. These are an EXAMPLE for the demo only, not the bureau's rates.
EXAMPLE_STANDARD = c.SetSubsidyStandard(
    in_force_from=dt.date(2013, 5, 8),
    document_no="示例标准（演示数据，非正式文件）",
    rates_fen={"中级工": 100_000, "高级工": 150_000, "技师": 200_000, "高级技师": 300_000},
)


@dataclass
class Demo:
    """Loads studios through ``app``; ``today`` bounds every business date."""

    app: Casework
    vault: Vault
    today: dt.date
    rng: random.Random
    # Apprentices enrolled per awarded studio (fewest, most); the benchmarks ask for more.
    apprentices_per_studio: tuple[int, int] = (2, 9)
    vouchers: int = 0
    serials: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)
    examples: dict[str, uuid.UUID] = field(default_factory=dict)
    versions: dict[uuid.UUID, int] = field(default_factory=dict)
    standards: tuple[SubsidyStandardSet, ...] = ()
    # Whether this load recorded EXAMPLE_STANDARD (a store with a standard keeps its own).
    recorded_example: bool = False

    # --- people and units -----------------------------------------------------

    def name(self) -> str:
        given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))
        return self.rng.choice(SURNAMES) + given

    def resident_id(self, county: str, born: dt.date) -> str:
        while True:
            first17 = f"{AREA_CODES[county]}{born:%Y%m%d}{self.rng.randrange(1000):03d}"
            if first17 not in self.serials:
                self.serials.add(first17)
                return first17 + resident_id_check_char(first17)

    def birth(self, first: int, last: int) -> dt.date:
        return dt.date(self.rng.randint(first, last), self.rng.randint(1, 12), self.rng.randint(1, 28))

    def credit_code(self, county: str) -> str:
        first17 = f"91{AREA_CODES[county]}{self.rng.randrange(10**9):09d}"
        return first17 + credit_code_check_char(first17)

    def host(self, county: str) -> Host:
        kind = self.rng.choices(rules.HOST_KINDS, weights=(7, 1, 2))[0]
        if kind == "enterprise":
            place = county[:2] if county != rules.CITY_DIRECT else "温州"
            name = f"{place}{self.rng.choice('华泰宏远正东新利天盛')}{self.rng.choice(HOST_WORDS)}有限公司"
        elif kind == "vocational_college":
            name = self.rng.choice(COLLEGES)
        else:
            name = self.rng.choice(INDUSTRY_BODIES)
        return Host(
            kind=kind,
            name=name,
            credit_code=self.credit_code(county),
            county=county,
            education_fund_share_pct=Decimal(self.rng.randint(30, 60)) if kind == "enterprise" else None,
            commits_funding=True,
            commits_premises=True,
            commits_equipment=True,
        )

    def proposal(self, county: str, level: rules.Level) -> Proposal:
        master_name, occupation = self.name(), self.rng.choice(OCCUPATIONS)
        master = Master(
            name=master_name,
            id=self.vault.protect(self.resident_id(county, self.birth(1958, 1985)), "master.id_number"),
            qualification=self.rng.choice(("技师", "高级技师", "高级技师")),
            unique_skills=self.rng.random() < 0.2,
            grounds=(
                MeritGround(
                    kind=self.rng.choice(rules.MERIT_KINDS),
                    description=f"在{occupation}领域解决关键技术难题，带动企业提质增效",
                ),
            ),
        )
        members = tuple(
            Member(
                name=self.name(),
                id=self.vault.protect(self.resident_id(county, self.birth(1975, 1995)), "members.id_number"),
                qualification=self.rng.choice(("高级工", "技师")),
            )
            for _ in range(self.rng.randint(2, 6))
        )
        materials = tuple(
            Material(kind=kind, title=f"{kind}.pdf", sha256=f"{self.rng.getrandbits(256):064x}", copies=n)
            for kind, n in (*rules.REQUIRED_MATERIALS.items(), ("supporting_evidence", 1))
        )
        prefix = rules.NAME_PREFIX if level == "city" else county
        return Proposal(
            level=level,
            name=f"{prefix}{master_name}{occupation}{rules.NAME_SUFFIX}",
            occupation=occupation,
            master=master,
            host=self.host(county),
            members=members,
            materials=materials,
            plan=f"围绕{occupation}开展技术攻关与带徒传艺，年均培养中级工以上技能骨干"
            f"不少于{MEASURES_2013.training_duty_per_year}名",
        )

    # --- the life of one studio ----------------------------------------------

    def run(self, cmd: c.StudioCommand, actor: Actor) -> Studio:
        context = Context(actor=actor, correlation_id=str(cmd.studio_id), request_id=str(uuid.uuid4()))
        return self.app.execute(cmd, context).studio

    def after(self, on: dt.date, low: int, high: int) -> dt.date:
        return on + dt.timedelta(days=self.rng.randint(low, high))

    def voucher(self, on: dt.date) -> str:
        # Unique across runs and loader processes too: the counter alone restarts with each,
        # so a 40-bit random part makes a clash with another run's voucher negligible.
        self.vouchers += 1
        return f"GK{on.year}-{self.rng.getrandbits(40):010x}-{self.vouchers:06d}"

    def studio(self, county: str, fate: str) -> Studio:
        # A 市直 host has no county office to manage a county-level studio.
        county_level = county != rules.CITY_DIRECT and self.rng.random() < 0.15
        level: rules.Level = "county" if county_level else "city"
        latest_start = self.today - dt.timedelta(days=150)
        awarded_fate = fate in ("awarded", "recommended", "rectifying", "revoked")
        # A studio that must have been evaluated (and rectified) needs years behind it.
        earliest = dt.date(2013, 6, 1)
        last = (
            self.today - dt.timedelta(days=365 * 5)
            if fate in ("rectifying", "revoked", "recommended")
            else latest_start
        )
        on = earliest + dt.timedelta(days=self.rng.randint(0, max(0, (last - earliest).days)))
        studio_id = uuid.uuid4()
        applicant = Actor(subject=f"applicant.{AREA_CODES[county]}", role="applicant", county=county)
        reviewer = Actor(subject=f"reviewer.{AREA_CODES[county]}", role="county_reviewer", county=county)
        office = reviewer if level == "county" else CITY_OFFICE
        unit = f"{county}人力社保局" if county != rules.CITY_DIRECT else "市经信局"
        state = self.run(
            c.Submit(
                studio_id=studio_id,
                proposal=self.proposal(county, level),
                case_no=self.app.new_case_no(on),
                submitted_on=on,
            ),
            applicant,
        )
        if fate == "submitted":
            return state
        on = self.after(on, 10, 30)
        if fate in ("returned", "amended", "withdrawn"):
            state = self.run(
                c.ReviewAtCounty(
                    studio_id=studio_id,
                    decision="return",
                    opinion="申办报告缺少成员简介",
                    reviewer_unit=unit,
                    reviewed_on=on,
                    missing=("application_report",),
                ),
                reviewer,
            )
            if fate == "returned":
                return state
            on = self.after(on, 5, 20)
            plan = state.proposal.plan + "；补充成员简介与三年工作计划"
            state = self.run(
                c.Amend(studio_id=studio_id, changes=ProposalChanges(plan=plan), amended_on=on),
                applicant,
            )
            if fate == "withdrawn":
                on = self.after(on, 5, 30)
                return self.run(
                    c.Withdraw(studio_id=studio_id, reason="领办人工作调整，暂缓申报", withdrawn_on=on),
                    applicant,
                )
            return state
        decision: rules.ReviewDecision = "reject" if fate == "county_rejected" else "approve"
        state = self.run(
            c.ReviewAtCounty(
                studio_id=studio_id,
                decision=decision,
                reviewer_unit=unit,
                reviewed_on=on,
                opinion="经审核，原件与复印件一致" if decision == "approve" else "不符合申报条件",
                originals_verified=decision == "approve",
            ),
            reviewer,
        )
        if fate in ("county_rejected", "county_approved"):
            return state
        on = self.after(on, 20, 60)
        recommended = fate != "not_recommended"
        state = self.run(
            c.Assess(
                studio_id=studio_id,
                panel=tuple(self.rng.sample(EXPERTS, 3)),
                recommended=recommended,
                opinion="同意推荐" if recommended else "技术攻关成果不足，不予推荐",
                assessed_on=on,
                score=Decimal(self.rng.randint(70, 95)),
            ),
            office,
        )
        if not awarded_fate:
            return state
        on = self.after(on, 15, 45)
        state = self.run(
            c.Award(
                studio_id=studio_id,
                decision_no=f"温人社发〔{on.year}〕{self.rng.randint(20, 300)}号",
                published_on=on,
                plaque_no=f"WZJDS-{on.year}-{self.rng.randrange(10**4):04d}",
            ),
            office,
        )
        return self.active_life(state, fate, on)

    def office(self, state: Studio) -> Actor:
        """The studio's office: the city's for a city-level studio, its county's otherwise."""
        if state.level == "city":
            return CITY_OFFICE
        code = AREA_CODES[state.county]
        return Actor(subject=f"reviewer.{code}", role="county_reviewer", county=state.county)

    def active_life(self, state: Studio, fate: str, awarded_on: dt.date) -> Studio:
        studio_id = state.id
        office = self.office(state)
        finance = Actor(subject="finance.clerk.li", role="finance")
        if state.level == "city":
            paid_on = self.after(awarded_on, 20, 60)
            voucher = self.voucher(paid_on)
            state = self.run(
                c.PaySubsidy(
                    studio_id=studio_id,
                    kind="construction",
                    amount_fen=construction_commitment_fen(state),
                    voucher_no=voucher,
                    paid_on=paid_on,
                ),
                finance,
            )
            if self.rng.random() < 0.08:
                on = self.after(paid_on, 3, 10)
                state = self.run(
                    c.ReverseSubsidy(
                        studio_id=studio_id,
                        voucher_no=voucher,
                        reason="收款账户有误，退回重付",
                        reversed_on=on,
                    ),
                    finance,
                )
                on = self.after(on, 3, 10)
                state = self.run(
                    c.PaySubsidy(
                        studio_id=studio_id,
                        kind="construction",
                        amount_fen=construction_commitment_fen(state),
                        voucher_no=self.voucher(on),
                        paid_on=on,
                    ),
                    finance,
                )
        state = self.apprentices(state, awarded_on, office, finance)
        state = self.honours(state, awarded_on, office)
        return self.evaluations(state, fate, awarded_on, office)

    def honours(self, state: Studio, awarded_on: dt.date, office: Actor) -> Studio:
        """Now and then an honour of the master (第六条(三)(五))."""
        conferred = self.after(awarded_on, 100, 900)
        if conferred >= self.today or self.rng.random() < 0.6:
            return state
        honour, level = self.rng.choice(HONOURS)
        return self.run(
            c.RecordHonour(
                studio_id=state.id,
                honour_id=uuid.uuid4(),
                person="master",
                honour=honour,
                level=level,
                conferred_on=conferred,
                document_no=f"温政发〔{conferred.year}〕{self.rng.randint(10, 99)}号",
            ),
            office,
        )

    def apprentices(self, state: Studio, awarded_on: dt.date, office: Actor, finance: Actor) -> Studio:
        county = state.county
        for _ in range(self.rng.randint(*self.apprentices_per_studio)):
            joined = self.after(awarded_on, 10, 200)
            if joined >= self.today:
                break
            apprentice_id = uuid.uuid4()
            number = self.resident_id(county, self.birth(1984, 2004))
            # Most under a 以师带徒 agreement; some trained through another channel (多渠道).
            signed = joined if self.rng.random() < 0.85 else None
            state = self.run(
                c.EnrollApprentice(
                    studio_id=state.id,
                    apprentice_id=apprentice_id,
                    name=self.name(),
                    id=self.vault.protect(number, "id_number"),
                    born_on=birth_date(number),
                    enrolled_on=joined,
                    agreement_signed_on=signed,
                ),
                office,
            )
            on = joined
            for grade in ("中级工", "高级工"):
                on = self.after(on, 200, 600)
                if on >= self.today or self.rng.random() < 0.25:
                    break
                state = self.run(
                    c.RecordQualification(
                        studio_id=state.id,
                        apprentice_id=apprentice_id,
                        grade=grade,
                        certificate_no=f"Z{on:%Y%m}{self.rng.randrange(10**6):06d}",
                        qualified_on=on,
                    ),
                    office,
                )
                paid_on = self.after(on, 15, 60)
                standard = standard_in_force(self.standards, paid_on)
                rate = standard.rates_fen.get(grade) if standard else None
                due = signed is not None and paid_on < self.today
                if due and rate is not None and self.rng.random() < 0.7:
                    state = self.run(
                        c.PaySubsidy(
                            studio_id=state.id,
                            kind="apprenticeship",
                            amount_fen=rate,
                            voucher_no=self.voucher(paid_on),
                            paid_on=paid_on,
                            apprentice_id=apprentice_id,
                        ),
                        finance,
                    )
        return state

    def sheet(self, target: int) -> tuple[dict[str, ItemScore], tuple[Bonus, ...]]:
        """A score sheet whose assessed scores add up to about ``target``."""
        scores: dict[str, ItemScore] = {}
        ratio = Decimal(min(target, 100)) / 100
        for item in rules.SCORING_SHEET:
            assessed = (item.maximum * ratio * 2).to_integral_value() / 2
            self_score = min(item.maximum, assessed + Decimal(self.rng.choice(("0", "0.5", "1"))))
            scores[item.code] = ItemScore(self_score=self_score, assessed=assessed)
        bonus: tuple[Bonus, ...] = ()
        if target > 85 and self.rng.random() < 0.5:
            bonus = (Bonus(kind="media_coverage", points=Decimal(3), note="温州日报专题报道"),)
        return scores, bonus

    def evaluations(self, state: Studio, fate: str, awarded_on: dt.date, office: Actor) -> Studio:
        periods = []
        year = awarded_on.year
        while dt.date(year + 2, 3, 31) < self.today:
            periods.append((f"{year}-{year + 1}", dt.date(year + 2, 3, self.rng.randint(1, 31))))
            year += 2
        for i, (period, on) in enumerate(periods):
            last = i == len(periods) - 1
            if last and fate in ("rectifying", "revoked"):
                target = self.rng.randint(40, 58)
            elif fate == "recommended" and last:
                target = self.rng.randint(85, 99)
            else:
                target = self.rng.randint(62, 97)
            scores, bonus = self.sheet(target)
            state = self.run(
                c.Evaluate(studio_id=state.id, period=period, scores=scores, bonus=bonus, evaluated_on=on),
                office,
            )
            if self.rng.random() < 0.3:
                inspected = self.after(on, 30, 200)
                if inspected < self.today:
                    state = self.run(
                        c.Inspect(
                            studio_id=state.id,
                            inspector="市人力社保局职业能力建设处",
                            findings="台账清晰，带徒记录完整",
                            inspected_on=inspected,
                        ),
                        office,
                    )
        latest = state.latest_evaluation
        recommendable = latest is not None and latest.grade in MEASURES_2013.recommendable_grades
        if fate == "recommended" and latest is not None and recommendable and state.level == "city":
            on = self.after(latest.evaluated_on, 10, 60)
            state = self.run(
                c.RecommendToProvince(
                    studio_id=state.id,
                    year=on.year,
                    note="择优推荐参评省级技能大师工作室",
                    recommended_on=on,
                ),
                CITY_OFFICE,
            )
        if fate in ("rectifying", "revoked") and latest and latest.grade == "fail":
            ordered = self.after(latest.evaluated_on, 5, 20)
            deadline = ordered + dt.timedelta(days=180)
            state = self.run(
                c.OrderRectification(
                    studio_id=state.id,
                    reason="failed_evaluation",
                    findings="绩效评估不合格，带徒台账缺失",
                    ordered_on=ordered,
                    deadline=deadline,
                ),
                office,
            )
            reviewed = deadline + dt.timedelta(days=10)
            if reviewed < self.today:
                # 经限期整改后: checked again after the deadline; a revoked one failed it.
                passed = fate == "rectifying" and self.rng.random() < 0.3
                state = self.run(
                    c.ReviewRectification(
                        studio_id=state.id,
                        reviewed_on=reviewed,
                        passed=passed,
                        findings="整改到位，复查合格" if passed else "复查仍不合格，带徒台账未补齐",
                    ),
                    office,
                )
            if fate == "revoked" and deadline + dt.timedelta(days=30) < self.today:
                state = self.run(
                    c.Revoke(
                        studio_id=state.id,
                        ground="failed_after_rectification",
                        note="限期整改后仍达不到合格标准，收回牌匾",
                        decided_on=deadline + dt.timedelta(days=30),
                    ),
                    office,
                )
        elif fate == "revoked":
            ground: rules.RevocationGround = self.rng.choice(
                ("master_left_host", "host_dissolved", "misconduct")
            )
            on = self.after(awarded_on, 400, 1500)
            if on < self.today:
                state = self.run(
                    c.Revoke(
                        studio_id=state.id,
                        ground=ground,
                        note="经核实，取消工作室称号",
                        decided_on=on,
                    ),
                    office,
                )
        return state


def example_standards(app: Casework) -> tuple[tuple[SubsidyStandardSet, ...], bool]:
    """The subsidy standards recorded, EXAMPLE_STANDARD first recorded when there are none;
    and whether this call recorded it (loaders in parallel processes may race to)."""
    standards = app.subsidy_standards()
    if standards:
        return standards, False
    context = Context(actor=CITY_OFFICE, correlation_id=str(uuid.uuid4()), request_id=str(uuid.uuid4()))
    try:
        app.set_subsidy_standard(EXAMPLE_STANDARD, context)
    except StateConflict:  # another loader recorded it first
        return app.subsidy_standards(), False
    return app.subsidy_standards(), True


def _with_fresh_master(make: Callable[..., Studio]) -> Studio:
    """Retry with a newly drawn master when a random ID number is already taken."""
    for _attempt in range(2):
        try:
            return make()
        except StateConflict as refused:
            if refused.code != "master_already_active":
                raise
    return make()


def load_demo(
    app: Casework,
    *,
    vault: Vault,
    today: dt.date,
    studios: int = 240,
    seed: int | None = None,
    advance: Callable[[Studio], None] = lambda _: None,
    apprentices_per_studio: tuple[int, int] = (2, 9),
) -> Demo:
    """Load ``studios`` studios; the result counts them by status, with an example of each."""
    demo = Demo(
        app=app,
        vault=vault,
        today=today,
        rng=random.Random(seed),
        apprentices_per_studio=apprentices_per_studio,
    )
    demo.standards, demo.recorded_example = example_standards(app)
    counties = rules.SCOPES
    fates = [fate for fate, weight in FATES for _ in range(weight)]
    for i in range(studios):
        county = counties[i % len(counties)]
        # Every stage appears early, whatever the size asked for.
        fate = FATES[i % len(FATES)][0] if i < len(FATES) * 2 else demo.rng.choice(fates)
        state = _with_fresh_master(lambda county=county, fate=fate: demo.studio(county, fate))
        demo.counts[state.status] = demo.counts.get(state.status, 0) + 1
        # The example is the richest history of its status: the one worth replaying.
        example = demo.examples.get(state.status)
        if example is None or state.version > demo.versions.get(example, 0):
            demo.examples[state.status] = state.id
            demo.versions[state.id] = state.version
        advance(state)
    return demo
