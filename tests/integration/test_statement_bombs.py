"""Uploads that cannot exhaust memory: crafted statements are refused within bounds.

Each bomb is read by a fresh process (as the API reads an upload) whose peak memory is
measured: it stays under 100 MB above what the process held before reading, and the answer is
a refusal naming the bound (422 invalid_statement). Before, a 1 KB workbook claiming
A1:XFD1048576 was padded to a million rows of 16,384 cells, a compressed sharedStrings part was
loaded whole, and a CSV line of commas became millions of list entries.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

MB = 1024 * 1024
HEADER = b"voucher_no,payee_credit_code,amount,paid_on\n"

READ = """
import json, resource, sys
from casework.domain.errors import InvalidRequest
from projections.reconciliation import parse_statement
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    parse_statement(data)
    answer = "parsed"
except InvalidRequest as refused:
    answer = refused.detail
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"answer": answer, "grew_kb": after - before}))
"""


def read_in_a_fresh_process(path: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", READ, str(path)], capture_output=True, text=True, timeout=120, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def workbook(rows: int = 3) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["voucher_no", "payee_credit_code", "amount", "paid_on"])
    for n in range(rows):
        sheet.append([f"GK-{n}", "91330300000000001N", "30000.00", "2026-06-01"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_part(data: bytes, name: str, rewrite: bytes | None = None, fill: int = 0) -> bytes:
    """The workbook with one part replaced (``rewrite``), or added swollen to ``fill`` bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item, rewrite if item.filename == name and rewrite is not None else old.read(item))
        if rewrite is None:
            with new.open(name, "w") as part:
                part.write(
                    b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                )
                chunk = b"<si><t>" + b"A" * 4096 + b"</t></si>"
                for _ in range(fill // len(chunk)):
                    part.write(chunk)
                part.write(b"</sst>")
    return out.getvalue()


def dimension_bomb() -> bytes:
    data = workbook()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    claimed = sheet.replace(b'<dimension ref="A1:D4" />', b'<dimension ref="A1:XFD1048576" />')
    assert claimed != sheet
    return with_part(data, "xl/worksheets/sheet1.xml", rewrite=claimed)


@pytest.mark.parametrize(
    ("name", "make", "refusal"),
    [
        ("commas.csv", lambda: HEADER + b"," * (60 * MB), "characters"),
        ("rows.csv", lambda: HEADER + b"GK,91330300000000001N,1.00,2026-06-01\n" * 300_000, "rows"),
        ("strings.xlsx", lambda: with_part(workbook(), "xl/sharedStrings.xml", fill=300 * MB), "MiB"),
        ("ratio.xlsx", lambda: with_part(workbook(), "xl/sharedStrings.xml", fill=60 * MB), "expands"),
    ],
)
def test_a_bomb_is_refused_naming_its_bound_within_100_mb(
    tmp_path: Path, name: str, make: object, refusal: str
) -> None:
    path = tmp_path / name
    path.write_bytes(make())  # type: ignore[operator]
    result = read_in_a_fresh_process(path)
    assert refusal in str(result["answer"]), result
    assert int(str(result["grew_kb"])) < 100 * 1024, result


def test_a_workbook_claiming_every_cell_is_read_for_the_cells_it_has(tmp_path: Path) -> None:
    path = tmp_path / "dimension.xlsx"
    path.write_bytes(dimension_bomb())
    result = read_in_a_fresh_process(path)
    assert result["answer"] == "parsed", result  # three good rows: its claim is not believed
    assert int(str(result["grew_kb"])) < 100 * 1024, result
