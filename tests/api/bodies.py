"""Request bodies as a client writes them."""

from __future__ import annotations

import hashlib
from typing import Any

from casework.domain import rules
from tests import builders as b


def submission(
    master_name: str = "张三",
    occupation: str = "数控车工",
    county: str = "鹿城区",
    serial: int = 1,
    level: str = "city",
) -> dict[str, Any]:
    # The name rule binds city-level studios only; a county-level one is named by its county.
    prefix = rules.NAME_PREFIX if level == "city" else county
    return {
        "level": level,
        "name": f"{prefix}{master_name}{occupation}技能大师工作室",
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
            # Every required kind, and one item of supporting evidence (第五条(一)).
            for kind, copies in (*rules.REQUIRED_MATERIALS.items(), ("supporting_evidence", 1))
        ],
        "plan": "三年培养二十名中级工以上技能人才",
    }


APPROVE = {"decision": "approve", "opinion": "材料齐全，原件已核", "originals_verified": True}
ASSESS = {"panel": ["李四", "王五", "赵六"], "opinion": "同意推荐", "recommended": True, "score": "88"}
AWARD = {"decision_no": "温人社发〔2026〕88号", "published_on": "2026-05-08", "plaque_no": "WZ-2026-001"}


def payment(
    voucher: str = "GK-2026-0001", amount: str = "30000.00", on: str = "2026-06-01"
) -> dict[str, Any]:
    return {"kind": "construction", "amount": amount, "voucher_no": voucher, "paid_on": on}


def apprenticeship_payment(
    apprentice_id: str, amount: str, voucher: str = "GK-A-0001", on: str = "2026-11-01"
) -> dict[str, Any]:
    return {
        "kind": "apprenticeship",
        "amount": amount,
        "voucher_no": voucher,
        "paid_on": on,
        "apprentice_id": apprentice_id,
    }


def apprentice(
    serial: int = 77,
    born: str = "20000101",
    agreement: str | None = "2026-06-10",
    enrolled: str | None = None,
) -> dict[str, Any]:
    """An apprentice as the office enrols one: the birth date is in the ID number, never typed;
    joined on the agreement's date unless ``enrolled`` says otherwise (by default today without one)."""
    body: dict[str, Any] = {"name": f"学徒{serial}", "id_number": b.resident_id(serial, born)}
    if agreement is not None:
        body["agreement_signed_on"] = agreement
    if enrolled is not None:
        body["enrolled_on"] = enrolled
    return body


def qualification(grade: str = "中级工", on: str = "2026-10-01", certificate: str = "Z1") -> dict[str, Any]:
    return {"grade": grade, "certificate_no": certificate, "qualified_on": on}


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


def order(
    reason: str = "failed_evaluation", on: str = "2026-11-21", deadline: str = "2026-11-24"
) -> dict[str, Any]:
    return {"reason": reason, "findings": "带徒台账缺失", "ordered_on": on, "deadline": deadline}


def review(passed: bool, on: str = "2026-11-25") -> dict[str, Any]:
    return {"reviewed_on": on, "passed": passed, "findings": "整改到位" if passed else "复查仍不合格"}


def revocation(ground: str = "failed_after_rectification", on: str = "2026-11-26") -> dict[str, Any]:
    return {"ground": ground, "note": "整改后仍不合格，收回牌匾", "decided_on": on}


def honour(
    person: str = "master",
    name: str = "温州市首席技师",
    level: str = "city",
    on: str = "2026-09-01",
) -> dict[str, Any]:
    return {
        "person": person,
        "honour": name,
        "level": level,
        "conferred_on": on,
        "document_no": "温政发〔2026〕12号",
    }


# An example standard (the measures give no figures): the city office records the real one.
RATES = {"中级工": "1000.00", "高级工": "1500.00", "技师": "2000.00", "高级技师": "3000.00"}


def standard(in_force_from: str = "2013-05-08", rates: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "in_force_from": in_force_from,
        "document_no": "温人社发〔2013〕201号",
        "rates": RATES if rates is None else rates,
    }
