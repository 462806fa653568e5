"""The console in Chromium: the printed link opens the overview, each page for its roles, the
filters through htmx, a county's scope, the statement upload; a screenshot of every page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Console, shot


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 800}
    )
    yield context.new_page()
    context.close()


def api(console: Console, role: str, path: str) -> dict:  # type: ignore[type-arg]
    answer = httpx.get(
        f"{console.base}/api/v1{path}", headers={"Authorization": f"Bearer {console.token(role)}"}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_the_link_serve_printed_opens_the_overview_once(
    console: Console, page: Page, browser: Browser
) -> None:
    page.goto(console.printed)
    expect(page).to_have_url(f"{console.base}/console/")
    expect(page.locator("h1")).to_have_text("总览")
    expect(page.locator("#counts")).to_contain_text("合计")
    expect(page.locator("svg.chart")).to_be_visible()
    shot(page, "overview")
    again = browser.new_context().new_page()
    again.goto(console.printed)
    expect(again.locator("h1")).to_have_text("登录链接无效")
    expect(again.locator("main")).to_contain_text("already been used")
    again.context.close()
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(f"{console.base}/console/signed-out")
    page.goto(f"{console.base}/console/")
    expect(page.locator("h1")).to_have_text("请先登录")


def test_the_register_filters_through_htmx_and_pages(console: Console, page: Page) -> None:
    page.goto(console.link("city_office"))
    page.get_by_role("link", name="工作室名册").click()
    expect(page.locator("h1")).to_have_text("工作室名册")
    everyone = page.locator("#register tbody tr").count()
    awarded = api(console, "city_office", "/studios?status=awarded&limit=500")["items"]
    page.locator("select[name=status]").select_option("awarded")
    expect(page).to_have_url(re.compile(r"/console/studios\?.*status=awarded"))  # pushed by htmx
    expect(page.locator("#register tbody tr")).to_have_count(len(awarded))
    assert len(awarded) < everyone
    shot(page, "register")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 XLSX").click()
    assert download.value.suggested_filename == "register.xlsx"


def test_a_studio_and_its_timeline(console: Console, page: Page) -> None:
    studios = api(console, "city_office", "/studios?status=awarded&limit=500")["items"]
    richest = max(studios, key=lambda s: s["version"])
    page.goto(console.link("auditor"))
    page.goto(f"{console.base}/console/studios/{richest['id']}")
    expect(page.locator("h1")).to_have_text(richest["name"])
    expect(page.locator("#master-id")).to_have_text(richest["master"]["id_number"])
    expect(page.locator("svg.chart").first).to_be_visible()
    shot(page, "studio")
    page.get_by_role("link", name="历史记录").click()
    history = api(console, "auditor", f"/studios/{richest['id']}/history")["items"]
    expect(page.locator("#timeline tbody tr")).to_have_count(len(history))
    expect(page.locator("#verification")).to_contain_text("核验通过")
    shot(page, "timeline")
    page.locator("input[name=as_of]").fill("2000-01-01")
    page.get_by_role("button", name="查看当时的记录").click()
    expect(page.locator("#timeline tbody")).to_contain_text("当时尚无此工作室")


def test_due_and_ledger(console: Console, page: Page) -> None:
    page.goto(console.link("city_office"))
    page.goto(f"{console.base}/console/due?within_days=3660")
    expect(page.locator("h1")).to_have_text("到期事项")
    shot(page, "due")
    page.get_by_role("link", name="补助台账").click()
    expect(page.locator("#ledger")).to_contain_text("¥")
    shot(page, "ledger")


def test_a_county_reviewer_sees_its_county_only(console: Console, page: Page) -> None:
    studios = api(console, "city_office", "/studios?limit=500")["items"]
    elsewhere = next(s for s in studios if s["host"]["county"] != "鹿城区")
    page.goto(console.link("county_reviewer", "鹿城区"))
    expect(page).to_have_url(f"{console.base}/console/studios")
    counties = page.locator("#register tbody tr td:nth-child(4)").all_inner_texts()
    assert counties
    assert set(counties) == {"鹿城区"}
    answer = page.goto(f"{console.base}/console/studios/{elsewhere['id']}")
    assert answer is not None
    assert answer.status == 404
    expect(page.locator("h1")).to_have_text("未找到")


def test_finance_uploads_a_statement_and_reads_its_report(console: Console, page: Page) -> None:
    ledger = api(console, "finance", "/ledger/entries?limit=500")["items"]
    reversed_ = {line["voucher_no"] for line in ledger if line["entry"] == "reversal"}
    payment = next(
        line
        for line in ledger
        if line["entry"] == "payment" and line["account"] == "payable" and line["voucher_no"] not in reversed_
    )
    statement = (
        "voucher_no,payee_credit_code,amount,paid_on\n"
        f"{payment['voucher_no']},{payment['host_credit_code']},{payment['amount']},{payment['effective_on']}\n"
        "GK-UNKNOWN,91330300000000001N,100.00,2026-06-01\n"
    )
    page.goto(console.link("finance"))
    page.get_by_role("link", name="国库对账").click()
    page.locator("input[name=statement]").set_input_files(
        files=[{"name": "国库对账单.csv", "mimeType": "text/csv", "buffer": statement.encode("gbk")}]
    )
    page.get_by_role("button", name="上传并对账").click()
    expect(page.locator("h1")).to_have_text("对账报告")
    expect(page.locator("#summary")).to_contain_text("一致")
    expect(page.locator("#summary tbody tr").first).to_have_text(re.compile(r"一致\s*1\s*¥"))
    shot(page, "reconciliation")
    page.get_by_role("link", name="国库对账").click()
    expect(page.locator("#earlier")).to_contain_text("国库对账单.csv")
