"""The one-line summaries of the timeline (casework replay, the audit trail) for the newer events."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from casework.domain.events import HonourRecorded, RectificationReviewed, SubsidyStandardSet
from casework.timeline import summary


def test_a_rectification_review_says_whether_it_passed() -> None:
    passed = RectificationReviewed(
        reviewed_on=dt.date(2026, 5, 1), passed=True, findings="台账已补齐", score=Decimal("72.5")
    )
    failed = RectificationReviewed(reviewed_on=dt.date(2026, 5, 1), passed=False, findings="仍无带徒记录")
    assert summary(passed) == "rectification reviewed: passed, score 72.5: 台账已补齐"
    assert summary(failed) == "rectification reviewed: not passed: 仍无带徒记录"


def test_an_honour_names_its_holder_level_and_document() -> None:
    honour = HonourRecorded(
        honour_id=uuid.uuid4(),
        person="master",
        person_name="张三",
        honour="浙江省技术能手",
        level="province",
        conferred_on=dt.date(2025, 9, 10),
        document_no="浙人社发〔2025〕12号",
    )
    assert summary(honour) == "province-level honour for 张三: 浙江省技术能手 (浙人社发〔2025〕12号)"


def test_a_subsidy_standard_lists_its_rates_in_yuan() -> None:
    standard = SubsidyStandardSet(
        in_force_from=dt.date(2027, 1, 1),
        document_no="温人社发〔2026〕99号",
        rates_fen={"中级工": 120_000, "高级工": 180_050},
    )
    assert summary(standard) == (
        "apprenticeship subsidy standard from 2027-01-01 (温人社发〔2026〕99号): "
        "中级工 1200.00, 高级工 1800.50"
    )
