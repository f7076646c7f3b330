"""Cell values and styles of the report, and the cells a write-only sheet appends.

Safety: every cell is a value. openpyxl turns text that starts with "=" into a formula, so such
text (and text starting with "+", "-" or "@", which spreadsheet programs read as the start of a
formula once the cell is edited) is written as an explicit text cell with Excel's quote prefix.
Characters XML cannot hold are removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils.datetime import WINDOWS_EPOCH

# A write-only worksheet. openpyxl names its class only in a private module, and
# Workbook.create_sheet is typed as returning Any; the sheets are used through their public API.
Sheet = Any

COUNT = "#,##0"
MONEY = '#,##0 "kr."'
MONEY_DECIMALS = '#,##0.00 "kr."'
PERCENT = "0%"
DECIMAL = "#,##0.0#"
PER_THOUSAND = "#,##0.0"
YEAR = "0"
DATE = "dd-mm-yyyy"
DATETIME = "dd-mm-yyyy hh:mm:ss"

MAX_TEXT = 32_767  # Excel's limit for one cell
FONT = "Calibri"
HEADER_FILL = "4472C4"  # the header colour of TableStyleMedium2
_FORMULA_START = ("=", "+", "-", "@")
_EXCEL_DAY_0 = dt.date(1899, 12, 30).toordinal()
_EXCEL_MARCH_1900 = dt.date(1900, 3, 1)
_PLAIN_TEXTS = 20_000  # texts plain_row remembers as safe


def cell_text(text: str) -> str:
    """Text as a cell can hold it: no characters XML forbids, at most Excel's 32,767."""
    if ILLEGAL_CHARACTERS_RE.search(text):
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return text[:MAX_TEXT] if len(text) > MAX_TEXT else text


@dataclass(frozen=True, slots=True)
class Style:
    number_format: str | None = None
    bold: bool = False
    italic: bool = False
    size: float | None = None
    colour: str | None = None
    fill: str | None = None
    wrap: bool = False
    horizontal: str | None = None  # "left", "right", "center"
    vertical: str | None = None  # "top", "bottom"


@dataclass(frozen=True, slots=True)
class Styled:
    value: Any
    style: Style


TITLE = Style(bold=True, size=14)
SUBTITLE = Style(italic=True, colour="595959")
SECTION = Style(bold=True, size=12)
LABEL = Style(bold=True)
NOTE = Style(italic=True, colour="595959")
HEADER = Style(bold=True, colour="FFFFFF", fill=HEADER_FILL, wrap=True, vertical="bottom")


def bold(value: Any, number_format: str | None = None) -> Styled:
    return Styled(value, Style(number_format=number_format, bold=True))


def left(value: Any, number_format: str | None = None) -> Styled:
    return Styled(value, Style(number_format=number_format, horizontal="left"))


class CellFactory:
    """Turns layout values into what a write-only sheet appends; style objects are shared."""

    def __init__(self, ws: Sheet) -> None:
        self.ws = ws
        self.fonts: dict[Style, Font] = {}
        self.fills: dict[str, PatternFill] = {}
        self.alignments: dict[Style, Alignment] = {}
        self.border = Border(bottom=Side(style="thin", color="2F5597"))
        self.centre = Alignment(horizontal="center")
        self.date_cells: dict[int, Cell] = {}  # plain_row's, by column
        # Dates as serial numbers need the workbook to count from 1900, openpyxl's default.
        self.serials = ws.parent.epoch == WINDOWS_EPOCH
        self.plain: set[str] = set()  # texts plain_row has found safe as they are

    def row(self, values: Sequence[Any]) -> list[Any]:
        out: list[Any] = []
        for value in values:
            if value.__class__ is str:
                if (
                    value[:1] in _FORMULA_START
                    or len(value) > MAX_TEXT
                    or ILLEGAL_CHARACTERS_RE.search(value)
                ):
                    value = self.text(value, None)
            elif value.__class__ is Styled:
                value = self.styled(value)
            out.append(value)
        return out

    def plain_row(self, values: Sequence[Any]) -> list[Any]:
        """A row of plain values (text, numbers, dates, None) of a large table: text checked
        as in `row`, dates centred in dd-mm-åååå; nothing else styled."""
        out = list(values)
        plain = self.plain
        for i, value in enumerate(out):
            cls = value.__class__
            if cls is str:
                if value in plain:
                    continue
                if (
                    value[:1] in _FORMULA_START
                    or len(value) > MAX_TEXT
                    or ILLEGAL_CHARACTERS_RE.search(value)
                ):
                    out[i] = self.text(value, None)
                elif len(plain) < _PLAIN_TEXTS:
                    plain.add(value)  # a large table repeats its texts: each is checked once
            elif cls is dt.date:
                out[i] = self._date(i, value)
        return out

    def _date(self, column: int, value: dt.date) -> Cell | str:
        """A date centred in dd-mm-åååå. One styled cell per column serves every row: a
        write-only sheet writes a row's cells when it is appended, so only the value changes
        from row to row."""
        cell = self.date_cells.get(column)
        if cell is None:
            cell = self.date_cells[column] = WriteOnlyCell(self.ws)
            cell.number_format = DATE
            cell.alignment = self.centre
        if value >= _EXCEL_MARCH_1900 and self.serials:
            # The date as Excel's serial number (days since 30-12-1899), which is what openpyxl
            # writes for a date, without its per-cell date-format lookup and conversion.
            cell.value = value.toordinal() - _EXCEL_DAY_0
        elif value.year >= 1900:
            cell.value = value  # Excel counts a 29-02-1900 here: openpyxl converts these
        else:
            # Excel has no date before 1900 and would show "####": the date as text instead.
            return f"{value.day:02d}-{value.month:02d}-{value.year:04d}"
        return cell

    def text(self, value: str, style: Style | None) -> Cell:
        value = cell_text(value)
        cell = WriteOnlyCell(self.ws, value)
        if value[:1] in _FORMULA_START:
            # openpyxl reads a leading "=" as a formula; this cell is text, and Excel's quote
            # prefix keeps it text when someone edits it.
            cell.data_type = "s"
            cell.quotePrefix = True
        if style is not None:
            self.apply(cell, style)
        return cell

    def styled(self, item: Styled) -> Cell:
        if isinstance(item.value, str):
            return self.text(item.value, item.style)
        cell = WriteOnlyCell(self.ws, item.value)
        self.apply(cell, item.style)
        return cell

    def apply(self, cell: Cell, style: Style) -> None:
        if style.number_format is not None:
            cell.number_format = style.number_format
        if style.bold or style.italic or style.size or style.colour:
            font = self.fonts.get(style)
            if font is None:
                font = self.fonts[style] = Font(
                    name=FONT,
                    bold=style.bold,
                    italic=style.italic,
                    size=style.size or 11,
                    color=style.colour,
                )
            cell.font = font
        if style.fill:
            fill = self.fills.get(style.fill)
            if fill is None:
                fill = self.fills[style.fill] = PatternFill(
                    start_color=style.fill, end_color=style.fill, fill_type="solid"
                )
            cell.fill = fill
            cell.border = self.border
        if style.wrap or style.horizontal or style.vertical:
            alignment = self.alignments.get(style)
            if alignment is None:
                alignment = self.alignments[style] = Alignment(
                    wrap_text=style.wrap or None,
                    horizontal=style.horizontal,
                    vertical=style.vertical,
                )
            cell.alignment = alignment
