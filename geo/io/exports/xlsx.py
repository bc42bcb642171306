"""A table as an Excel workbook: the figures on one sheet, what they are on an "About" sheet.

The figures are rounded as in every table export (:func:`~geo.io.exports.tables.for_people`),
times and dates are ISO text, hidden counts (``"<5"``, ``"*"``) stay text, and every text cell
a spreadsheet would run as a formula is neutralised
(:func:`geo.io.spreadsheet.neutralise_formula`). The "About" sheet says what the figures are
(the stamp's ``about``), when they were made and by whom, and the protective marking, which is
also printed in the header and footer of every page of both sheets.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from geo.io.exports.stamp import MARKING, Stamp
from geo.io.exports.tables import for_people, iso_times
from geo.io.spreadsheet import neutralise_formula

if TYPE_CHECKING:  # openpyxl is imported when a workbook is made: a fifth of a second that
    # every command line run would otherwise wait for
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["ABOUT_SHEET", "TABLE_SHEET", "table_xlsx", "write_xlsx"]

TABLE_SHEET: Final = "Figures"
ABOUT_SHEET: Final = "About"
_HIDDEN_NOTE: Final = (
    '"<5" is a count from 1 to 4, hidden because it is small; "*" is a figure hidden so that '
    "a small count elsewhere cannot be worked out. Neither is 0."
)
_WIDEST: Final = 60
_HIDDEN: Final = re.compile(r"^(<\d+|\*)$")


def table_xlsx(
    frame: pd.DataFrame,
    *,
    about: str = "",
    made_by: str = "",
    made_at: datetime | None = None,
    marking: str = MARKING,
) -> bytes:
    """``frame`` as the bytes of an ``.xlsx`` workbook (see the module docstring).

    ``about`` says what the figures are ("People counted per ward, week to 22 Nov 2026").
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"table_xlsx needs a DataFrame, got {type(frame).__name__}")
    stamp = Stamp(
        made_by=made_by, marking=marking, about=about, **({"made_at": made_at} if made_at else {})
    )
    buffer = io.BytesIO()
    _workbook(frame, stamp).save(buffer)
    return buffer.getvalue()


def write_xlsx(
    value: pd.DataFrame, path: Path, *, content: str = "table", stamp: Stamp | None = None
) -> int:
    """Write a table as ``.xlsx`` (the registry's writer); return the rows written."""
    _workbook(value, stamp or Stamp()).save(path)
    return len(value)


def _workbook(frame: pd.DataFrame, stamp: Stamp) -> Workbook:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    shown = for_people(iso_times(frame.drop(columns="geometry", errors="ignore")))
    book = Workbook()
    sheet = book.active
    sheet.title = TABLE_SHEET
    header = [_safe(str(c)) for c in shown.columns]
    rows = [[_safe(v) for v in row] for row in shown.astype(object).to_numpy()]
    for row in [header, *rows]:  # openpyxl takes rows one at a time
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    _widths(sheet, [header, *rows])
    hidden = any(isinstance(c, str) and _HIDDEN.match(c) for row in rows for c in row)
    _about(book.create_sheet(ABOUT_SHEET), stamp, rows=len(rows), hidden=hidden)
    marking = stamp.marking.replace("&", "&&")  # "&" starts a code in headers and footers
    for page in book.worksheets:
        page.oddHeader.center.text = marking
        page.oddFooter.center.text = marking
        page.oddFooter.right.text = "Page &P of &N"
    return book


def _about(sheet: Worksheet, stamp: Stamp, *, rows: int, hidden: bool) -> None:
    from openpyxl.styles import Alignment, Font

    lines = [
        ("Marking", stamp.marking),
        ("What the figures are", stamp.about or "A table exported from Outreach Atlas."),
        ("Rows", rows),
        ("Made", stamp.when),
        ("Made by", stamp.made_by),
        ("Made with", "Outreach Atlas"),
    ]
    if hidden:
        lines.append(("Hidden counts", _HIDDEN_NOTE))
    for label, value in lines:
        sheet.append([label, _safe(value)])
    for cell in sheet["A"]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="top")
    for cell in sheet["B"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 80


def _safe(value: object) -> object:
    """A cell openpyxl can store and a spreadsheet will not run: text without control
    characters, formulas neutralised, missing values blank, numpy numbers as Python ones."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating) and not np.isfinite(value):
        return None
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, int | float | bool):
        return value
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _widths(sheet: Worksheet, rows: list[list[object]]) -> None:
    """Columns as wide as their longest text (up to 60 characters)."""
    from openpyxl.utils import get_column_letter

    for index in range(len(rows[0])):
        longest = max(len("" if row[index] is None else str(row[index])) for row in rows)
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(longest + 2, _WIDEST)
