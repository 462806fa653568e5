"""The console's words (zh-CN, as the bureau says them) and how it writes money and time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from casework.clock import wenzhou_time

STATUS = {
    "submitted": "已申报",
    "returned": "退回补正",
    "county_approved": "县级审核通过",
    "assessed": "专家评估完成",
    "awarded": "已认定",
    "rectifying": "限期整改",
    "declined": "未通过",
    "withdrawn": "已撤回",
    "revoked": "已撤销",
}
ROLE = {
    "applicant": "申报单位",
    "county_reviewer": "县级人社部门",
    "city_office": "市人社局",
    "finance": "市财政局",
    "auditor": "审计",
    "admin": "系统管理员",
}
LEVEL = {"city": "市级", "county": "县级"}
GRADE = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}
SUBSIDY = {"construction": "建设补助", "apprenticeship": "带徒补助"}
ENTRY = {"commitment": "承诺", "payment": "支付", "reversal": "冲回", "release": "核销"}
RECTIFICATION = {"failed_evaluation": "绩效评估不合格", "fraud": "弄虚作假", "inspection": "检查发现问题"}
REVOCATION = {
    "host_dissolved": "承办单位注销",
    "misconduct": "违规违纪",
    "failed_after_rectification": "整改后仍不合格",
    "master_left_host": "领办人离开承办单位",
}
ACT = {
    "Submitted": "申报",
    "Returned": "退回补正",
    "Amended": "补正材料",
    "Withdrawn": "撤回申报",
    "CountyApproved": "县级审核通过",
    "CountyRejected": "县级审核不通过",
    "Assessed": "专家评估",
    "Awarded": "认定",
    "SubsidyPaid": "拨付补助",
    "SubsidyReversed": "冲回补助",
    "ApprenticeEnrolled": "招收学徒",
    "ApprenticeQualified": "学徒取证",
    "Inspected": "检查",
    "Evaluated": "绩效评估",
    "RectificationOrdered": "限期整改",
    "RectificationReviewed": "整改复查",
    "HonourRecorded": "荣誉记载",
    "Revoked": "撤销",
    "RecommendedToProvince": "择优推荐省级",
}
REPORT = {"evaluations_due": "绩效评估到期", "rectification_deadlines": "整改期限"}
CATEGORY = {
    "matched": "一致",
    "amount_mismatch": "金额不符",
    "payee_mismatch": "收款单位不符",
    "missing_in_ledger": "台账无此支付",
    "missing_in_statement": "国库无此支付",
    "duplicate_in_statement": "对账单重复",
}


def word(table: dict[str, str], key: object) -> str:
    """The Chinese word for a code, or the code itself when there is none."""
    return "—" if key is None else table.get(str(key), str(key))


def money(amount: object) -> str:
    """'30000.00' or Decimal('30000') → ¥30,000.00 (a blank for no amount)."""
    if amount is None or amount == "":
        return "—"
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"


def day(value: object) -> str:
    """A date as 2026-11-30 (dates are business dates in Wenzhou already)."""
    return "—" if value is None else str(value)


def moment(value: object) -> str:
    """An instant in Asia/Shanghai, to the second: 2026-11-30 14:05:09."""
    if isinstance(value, dt.datetime):
        return wenzhou_time(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str):
        try:
            return moment(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    return "—" if value is None else str(value)
