"""How the submission template's cells look and behave, the same on every sheet.

One mark for every cell the office fills in (unlocked, yellow, framed), a dark-blue header row,
drop-down and range checks as Excel data validations, and sheet protection without a password.
Every font is named Calibri, which Excel has and LibreOffice replaces by the metrically identical
Carlito, so the layout holds in both.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation

DATE_FORMAT = "dd-mm-yyyy"
NUMBER_FORMAT = "#,##0"

FONT_NAME = "Calibri"


def font(**options: Any) -> Font:
    """A font with its name set: an unnamed font is drawn in a serif face by LibreOffice."""
    return Font(name=FONT_NAME, size=options.pop("size", 11), **options)


HEADER_FONT = font(bold=True, color="FFFFFF")
PLAIN = font()
NOTE_FONT = font(italic=True, color="595959")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
LOCKED_FILL = PatternFill("solid", fgColor="EDEDED")
_THIN = Side(style="thin", color="BFBFBF")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
UNLOCKED = Protection(locked=False)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")


def mark_input(cell: Any) -> None:
    """Mark a cell the office fills in: unlocked, yellow, framed (the same everywhere)."""
    cell.fill = INPUT_FILL
    cell.border = BOX
    cell.protection = UNLOCKED
    if cell.font is None or cell.font.name != FONT_NAME:
        cell.font = PLAIN


def sheet_line(ws: Any, text: str) -> None:
    """Row 1 of a table sheet: one line that says what goes in the sheet."""
    ws.cell(1, 1, text).font = font(bold=True, color="1F4E78")
    ws.row_dimensions[1].height = 20


def header(ws: Any, row: int, headers: tuple[str, ...], widths: tuple[int, ...]) -> None:
    """The header row of a table sheet, with the width of each column."""
    for col, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(row, col, text)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[cell.column_letter].width = width
    ws.row_dimensions[row].height = 20


def wrapped_lines(text: str, width: int) -> int:
    """About how many lines `text` wraps to in a column `width` characters wide."""
    return max(1, -(-len(text) // max(width - 4, 1))) if text else 1


_Kind = Literal["whole", "decimal", "list", "date", "textLength"]


def data_validation(
    kind: _Kind, error_style: Literal["stop", "warning"] = "stop", **options: Any
) -> DataValidation:
    return DataValidation(
        type=kind,
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=True,
        errorStyle=error_style,
        **options,
    )


def protect(ws: Any, **allowed: bool) -> None:
    """Protect the sheet without a password; `allowed` lists what stays possible (False = allowed
    in OOXML's inverted flags, e.g. formatColumns=False lets the office widen columns)."""
    protection = ws.protection
    for flag, value in allowed.items():
        setattr(protection, flag, value)
    protection.sheet = True


_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 0 in Excel's 1900 date system


def excel_serial(day: dt.date) -> str:
    """A date as the serial number Excel stores in validation formulas."""
    return str((day - _EXCEL_EPOCH).days)
