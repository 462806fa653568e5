"""The demo's people and units: names, ID numbers, hosts and proposals drawn at random, as
officers would enter them."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from casework import builders as b
from casework.domain import rules
from casework.domain.ids import credit_code_check_char, resident_id_check_char
from casework.domain.policy import MEASURES_2013
from casework.domain.values import Host, Master, Material, Member, MeritGround, Proposal
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


@dataclass
class People:
    """Draws people and units with ``rng``; an ID number is never drawn twice."""

    rng: random.Random
    vault: Vault
    serials: set[str] = field(default_factory=set)

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
        return b.proposal(
            master_name,
            occupation,
            county,
            level=level,
            name=f"{prefix}{master_name}{occupation}{rules.NAME_SUFFIX}",
            master=master,
            host=self.host(county),
            members=members,
            materials=materials,
            plan=f"围绕{occupation}开展技术攻关与带徒传艺，年均培养中级工以上技能骨干"
            f"不少于{MEASURES_2013.training_duty_per_year}名",
        )
