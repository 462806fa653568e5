"""The console's pages over a real PostgreSQL: each role sees what the API shows it, and no more."""

from __future__ import annotations

import csv
import io
import re
import uuid

from litestar import Litestar
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from api.console.session import COOKIE, csrf_token
from api.state import ApiState
from casework.timeline import entries, record
from tests import builders as b
from tests.api import bodies
from tests.api.conftest import Tokens
from tests.api.helpers import settled, studio_at
from tests.console.conftest import sign_in

Client = AsyncTestClient[Litestar]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def case_numbers(html: str) -> list[str]:
    """The case numbers a register page lists, in order."""
    return re.findall(r'<a href="/console/studios/[0-9a-f-]+">([^<]+)</a>', html)


async def test_each_role_opens_the_pages_its_api_calls_allow(
    client: Client, api_state: ApiState, tokens: Tokens
) -> None:
    studio = await studio_at(client, tokens, "paid")
    pages = {
        "overview": "/console/",
        "register": "/console/studios",
        "studio": f"/console/studios/{studio['id']}",
        "timeline": f"/console/studios/{studio['id']}/timeline",
        "due": "/console/due",
        "ledger": "/console/ledger",
        "reconciliations": "/console/reconciliations",
    }
    allowed = {
        "city_office": {"overview", "register", "studio", "timeline", "due", "ledger"},
        "auditor": {"overview", "register", "studio", "timeline", "ledger", "reconciliations"},
        "finance": {"overview", "register", "studio", "ledger", "reconciliations"},
        "county_reviewer": {"register", "studio", "due"},
    }
    for role, may in allowed.items():
        await sign_in(client, api_state, role)
        for name, path in pages.items():
            answer = await client.get(path, follow_redirects=False)
            if name == "overview" and name not in may:
                assert answer.status_code == 303, role  # a county's users start at their register
                assert answer.headers["location"] == "/console/studios"
            elif name in may:
                assert answer.status_code == 200, (role, name, answer.text[:500])
                assert answer.headers["content-type"].startswith("text/html")
                assert 'lang="zh-CN"' in answer.text
                assert "同一数据的接口" in answer.text  # each page names its API call
            else:
                assert answer.status_code == 403, (role, name)
                assert "无权查看" in answer.text


async def test_a_county_reviewer_never_sees_another_countys_studio(
    client: Client, api_state: ApiState, tokens: Tokens
) -> None:
    ours = await studio_at(client, tokens, "paid", serial=1, county="鹿城区")
    theirs = await studio_at(client, tokens, "paid", serial=2, county="瑞安市")
    await sign_in(client, api_state, "county_reviewer", "鹿城区")
    register = await client.get("/console/studios")
    assert case_numbers(register.text) == [ours["case_no"]]
    crafted = await client.get("/console/studios?county=瑞安市")
    assert case_numbers(crafted.text) == []
    for path in (
        f"/console/studios/{theirs['id']}",
        f"/console/studios/{uuid.uuid4()}",
        "/console/studios/x",
    ):
        answer = await client.get(path)
        assert answer.status_code == 404, path
        assert "未找到" in answer.text
        assert theirs["name"] not in answer.text
    download = await client.get("/console/studios?format=csv&county=瑞安市")
    assert theirs["case_no"] not in download.text
    due = await client.get("/console/due?within_days=3660")
    assert theirs["case_no"] not in due.text
    mine = await client.get(f"/console/studios/{ours['id']}")
    assert mine.status_code == 200
    assert ours["name"] in mine.text
    assert "¥30,000.00" in mine.text  # money as the bureau writes it
    assert "3303**************" in mine.text  # the master's ID masked
    assert "330302" + "19" not in mine.text


async def test_the_register_filters_pages_and_downloads_as_the_api_lists(
    client: Client, api_state: ApiState, tokens: Tokens
) -> None:
    for serial, county in ((1, "鹿城区"), (2, "瑞安市"), (3, "鹿城区")):
        await studio_at(client, tokens, "awarded", serial=serial, county=county)
    await studio_at(client, tokens, "submitted", serial=4)
    await sign_in(client, api_state, "city_office")
    office = tokens.headers("city_office")
    api = (await client.get("/api/v1/studios?status=awarded&county=鹿城区", headers=office)).json()
    expected = [s["case_no"] for s in api["items"]]
    assert len(expected) == 2
    page = await client.get("/console/studios?status=awarded&county=鹿城区&level=&q=")
    assert case_numbers(page.text) == expected
    first = await client.get("/console/studios?status=awarded&limit=1")
    following = re.search(r'id="next" href="([^"]+)"', first.text)
    assert following is not None
    second = await client.get(following.group(1).replace("&amp;", "&"))
    assert len(case_numbers(first.text)) == len(case_numbers(second.text)) == 1
    assert case_numbers(first.text) != case_numbers(second.text)
    partial = await client.get("/console/studios?status=submitted", headers={"HX-Request": "true"})
    assert "<html" not in partial.text  # htmx gets the results only
    assert len(case_numbers(partial.text)) == 1
    csv = await client.get("/console/studios?status=awarded&county=鹿城区&format=csv")
    assert csv.content.startswith(b"\xef\xbb\xbfcase_no,")
    assert [line.split(",")[0] for line in csv.text.splitlines()[1:]] == expected
    xlsx = await client.get("/console/studios?status=awarded&format=xlsx")
    assert xlsx.headers["content-type"].startswith(XLSX)
    rows = list(load_workbook(io.BytesIO(xlsx.content)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 1 + 3
    refused = await client.get("/console/studios?has_honour=maybe")
    assert refused.status_code == 422
    assert "has_honour" in refused.text


async def test_the_timeline_is_the_history_as_replay_shows_it(
    client: Client, api_state: ApiState, tokens: Tokens
) -> None:
    studio = await studio_at(client, tokens, "paid")
    await sign_in(client, api_state, "auditor")
    page = await client.get(f"/console/studios/{studio['id']}/timeline")
    assert page.status_code == 200
    history = api_state.app.history(uuid.UUID(studio["id"]))
    records = [record(entry) for entry in entries(history)]
    shown = re.findall(r"<td>([^<]*)</td></tr>", page.text)
    assert shown == [str(r["summary"]).replace("&", "&amp;") for r in records]
    assert 'hx-get="/console/studios/' in page.text  # the verification comes once the page is shown
    verified = await client.get(
        f"/console/studios/{studio['id']}/verification", headers={"HX-Request": "true"}
    )
    assert "核验通过" in verified.text
    assert "<html" not in verified.text
    integrity = await client.get("/console/integrity")
    assert "校验通过" in integrity.text
    bundle = await client.get(f"/console/studios/{studio['id']}/bundle")
    assert bundle.status_code == 200
    assert len(bundle.json()["events"]) == len(history)
    before = await client.get(f"/console/studios/{studio['id']}/timeline?as_of=2000-01-01")
    assert "当时尚无此工作室" in before.text
    csv = await client.get(f"/console/studios/{studio['id']}/timeline?format=csv")
    assert len(csv.text.splitlines()) == 1 + len(history)
    bad = await client.get(f"/console/studios/{studio['id']}/timeline?as_of=yesterday")
    assert bad.status_code == 422
    assert "as_of" in bad.text


async def test_a_statement_uploaded_is_reconciled_and_listed(
    client: Client, api_state: ApiState, tokens: Tokens
) -> None:
    await studio_at(client, tokens, "paid", serial=1)
    await sign_in(client, api_state, "finance")
    csrf = csrf_token(api_state.jwt_secret, client.cookies[COOKIE])
    statement = f"voucher_no,payee_credit_code,amount,paid_on\nGK-1,{b.credit_code(1)},30000.00,2026-06-01\n"
    files = {"statement": ("国库.csv", statement.encode("gbk"), "text/csv")}
    forged = await client.post("/console/reconciliations", files=files, data={"_csrf": "x"})
    assert forged.status_code == 403
    assert "CSRF" in forged.text
    assert "尚无对账报告" in (await client.get("/console/reconciliations")).text  # nothing was stored
    made = await client.post(
        "/console/reconciliations", files=files, data={"_csrf": csrf}, follow_redirects=False
    )
    assert made.status_code == 303, made.text
    report = await client.get(made.headers["location"])
    assert re.search(r"<td>一致</td><td class=\"num\">1</td>", report.text)
    assert "¥30,000.00" in report.text
    listed = await client.get("/console/reconciliations")
    assert "国库.csv" in listed.text
    earlier = await client.get("/console/reconciliations?format=csv")  # the list is a download too
    (header, line) = list(csv.reader(io.StringIO(earlier.text.lstrip("\ufeff"))))
    assert header[:5] == ["id", "created_at", "filename", "created_by", "as_of"]
    assert (line[2], dict(zip(header, line, strict=True))["matched"]) == ("国库.csv", "1")
    xlsx = await client.get(made.headers["location"] + "?format=xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][0] == "matched"
    bad = await client.post(
        "/console/reconciliations",
        files={"statement": ("bad.csv", b"voucher_no,amount\nx,y\n", "text/csv")},
        data={"_csrf": csrf},
    )
    assert bad.status_code == 422
    await sign_in(client, api_state, "auditor")  # an auditor reads the reports but uploads none
    auditor_csrf = csrf_token(api_state.jwt_secret, client.cookies[COOKIE])
    upload = await client.post("/console/reconciliations", files=files, data={"_csrf": auditor_csrf})
    assert upload.status_code == 403


async def test_overview_due_and_ledger_show_the_reports(
    client: Client, api_state: ApiState, tokens: Tokens
) -> None:
    studio = await studio_at(client, tokens, "paid")
    await settled(client)
    await sign_in(client, api_state, "city_office")
    overview = await client.get("/console/")
    assert "<svg" in overview.text  # the chart, drawn on the server
    assert "由审计角色查看" in overview.text  # the integrity check is the auditor's
    assert (await client.get("/console/integrity")).status_code == 403
    assert (await client.get(f"/console/studios/{studio['id']}/verification")).status_code == 403
    assert re.search(r"<td>鹿城区</td>.*?<td class=\"num\">1</td>", overview.text)
    assert "¥30,000.00" in overview.text
    csv = await client.get("/console/?format=csv")
    assert "鹿城区,paid" in csv.text or "鹿城区,awarded" in csv.text
    ledger = await client.get("/console/ledger?group_by=county")
    assert "鹿城区" in ledger.text
    assert "¥30,000.00" in ledger.text
    lines = await client.get(f"/console/ledger?studio_id={studio['id']}")
    assert "GK-1" in lines.text
    due = await client.get("/console/due?within_days=3660")
    assert studio["case_no"] in due.text
    refused = await client.get("/console/due?within_days=-1")
    assert refused.status_code == 422


async def test_the_studio_pages_honours_table_downloads_as_shown(
    client: Client, api_state: ApiState, tokens: Tokens
) -> None:
    studio = await studio_at(client, tokens, "awarded")
    body = bodies.honour(name="瓯江技能大奖", on="2026-09-01")
    recorded = await client.post(
        f"/api/v1/studios/{studio['id']}/honours", json=body, headers=tokens.headers("city_office")
    )
    assert recorded.status_code == 201, recorded.text
    await settled(client)
    await sign_in(client, api_state, "county_reviewer")  # 鹿城区's own studio
    page = await client.get(f"/console/studios/{studio['id']}")
    assert "瓯江技能大奖" in page.text
    assert '<a href="?format=csv">' in page.text
    answer = await client.get(f"/console/studios/{studio['id']}?format=csv")
    assert answer.headers["content-disposition"].endswith(f'honours-{studio["case_no"]}.csv"')
    rows = list(csv.reader(io.StringIO(answer.text.lstrip("\ufeff"))))
    assert rows == [
        ["person_name", "honour", "level", "conferred_on", "document_no"],
        ["张1", "瓯江技能大奖", "city", "2026-09-01", "温政发〔2026〕12号"],
    ]
    workbook = await client.get(f"/console/studios/{studio['id']}?format=xlsx")
    sheet = load_workbook(io.BytesIO(workbook.content)).worksheets[0]
    assert [c.value for c in sheet[2]] == ["张1", "瓯江技能大奖", "city", "2026-09-01", "温政发〔2026〕12号"]
