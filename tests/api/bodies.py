"""Request bodies as a client writes them."""

from __future__ import annotations

import hashlib
from typing import Any

from casework.domain import rules
from tests import builders as b


def submission(
    master_name: str = "张三", occupation: str = "数控车工", county: str = "鹿城区", serial: int = 1
) -> dict[str, Any]:
    return {
        "level": "city",
        "name": f"温州市{master_name}{occupation}技能大师工作室",
        "occupation": occupation,
        "master": {
            "name": master_name,
            "id_number": b.resident_id(serial),
            "qualification": "高级技师",
            "grounds": [{"kind": "key_technology", "description": "攻克数控加工精度难题"}],
        },
        "host": {
            "kind": "enterprise",
            "name": "温州某某机械有限公司",
            "credit_code": b.credit_code(serial),
            "county": county,
            "education_fund_share_pct": "35",
            "commits_funding": True,
            "commits_premises": True,
            "commits_equipment": True,
        },
        "members": [{"name": "李四", "id_number": b.resident_id(serial + 500), "qualification": "技师"}],
        "materials": [
            {
                "kind": kind,
                "title": kind,
                "sha256": hashlib.sha256(kind.encode()).hexdigest(),
                "copies": copies,
            }
            for kind, copies in rules.REQUIRED_MATERIALS.items()
        ],
        "plan": "三年培养二十名中级工以上技能人才",
    }


APPROVE = {"decision": "approve", "opinion": "材料齐全，原件已核", "originals_verified": True}
ASSESS = {"panel": ["李四", "王五", "赵六"], "opinion": "同意推荐", "recommended": True, "score": "88"}
AWARD = {"decision_no": "温人社发〔2026〕88号", "published_on": "2026-05-08", "plaque_no": "WZ-2026-001"}


def payment(voucher: str = "GK-2026-0001", amount: str = "30000.00") -> dict[str, Any]:
    return {"kind": "construction", "amount": amount, "voucher_no": voucher, "paid_on": "2026-06-01"}


def evaluation(total: int = 85, period: str = "2026-2027", on: str = "2026-11-20") -> dict[str, Any]:
    scores = b.scores(total)
    return {
        "period": period,
        "scores": {
            code: {"self": str(v.self_score), "assessed": str(v.assessed)} for code, v in scores.items()
        },
        "bonus": [],
        "evaluated_on": on,
    }
