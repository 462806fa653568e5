"""The console writes money as the bureau does, time in Wenzhou, and escapes what it draws."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from api.console import charts, words


def test_money_is_written_in_yuan_with_thousands() -> None:
    assert words.money("30000.00") == "¥30,000.00"
    assert words.money(Decimal("1500.5")) == "¥1,500.50"
    assert words.money("-600.00") == "-¥600.00"
    assert words.money(None) == "—"


def test_instants_are_shown_in_asia_shanghai() -> None:
    assert words.moment(dt.datetime(2026, 11, 30, 16, 5, 9, tzinfo=dt.UTC)) == "2026-12-01 00:05:09"
    assert words.moment("2026-11-30T08:00:00+00:00") == "2026-11-30 16:00:00"


def test_codes_read_in_the_domains_words() -> None:
    assert words.word(words.STATUS, "rectifying") == "限期整改"
    assert words.word(words.ACT, "Revoked") == "撤销"
    assert words.word(words.STATUS, "unheard_of") == "unheard_of"


def test_a_chart_escapes_its_labels_and_marks_bars_under_the_line() -> None:
    drawn = str(charts.columns(["<script>", "第2年"], [3, 6], title="t & u", line=5, line_label="任务 5 人"))
    assert "<script>" not in drawn
    assert "&lt;script&gt;" in drawn
    assert drawn.count('fill="#c0392b"') == 1  # the one bar under the duty line
    assert "stroke-dasharray" in drawn  # the line itself
    rows = str(charts.rows([("S1 <b>", Decimal(3), Decimal(4))], title="x"))
    assert "&lt;b&gt;" in rows
    assert "3 / 4" in rows
