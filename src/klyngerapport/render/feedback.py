"""The office's own workbook back, marked: a "Ret dette" sheet first, then its sheets.

Every finding is one row of Ret dette (the cell as a link that jumps to it, the value found, the
company, what to do) and, where it has a cell, a red (error) or yellow (warning) fill with a
comment on that cell. An .xlsx/.xlsm submission is loaded with openpyxl, so the office's formats,
data validation, widths and protection stay; any other format (or an .xlsx openpyxl cannot
open) is rebuilt from the values the reader saw. Nothing here computes a finding: it only shows
the ones it is given. The original file is only ever read.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_from_string, quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from klyngerapport.atomic import atomic_write
from klyngerapport.feedback_text import place, plain
from klyngerapport.model import Finding

SHEET = "Ret dette"
AUTHOR = "klyngerapport"
FONT = "Calibri"
# Light red and yellow: strong enough to find on a printed page, dark text stays readable.
ERROR_FILL = PatternFill("solid", fgColor="FFFFB3B3")
WARNING_FILL = PatternFill("solid", fgColor="FFFFE699")
_OUR_COLOURS = {"FFFFB3B3", "FFFFE699"}
_HEADER_FILL = PatternFill("solid", fgColor="FFD9E1F2")
_THIN = Side(style="thin", color="FFBFBFBF")
_SEVERITY_TEXT = {"error": "Fejl", "warning": "Advarsel"}
_COLUMNS: tuple[tuple[str, float], ...] = (
    ("Nr.", 5),
    ("Type", 10),
    ("Celle (klik)", 22),
    ("Virksomhed", 26),
    ("Fundet værdi", 20),
    ("Hvad skal rettes", 70),
    ("Kode", 20),
)
_HEADER_ROW = 5
_DATE_FORMAT = "DD-MM-YYYY"
_MAX_MARKED_COLUMNS = 30  # a whole-row finding colours the row's cells up to here


@dataclass(frozen=True)
class CellError:
    """A cell that shows an Excel error value ("#DIV/0!", "#N/A")."""

    text: str


class _FormulaWithoutValue:
    """A formula cell that carries no calculated value."""


FORMULA_WITHOUT_VALUE = _FormulaWithoutValue()


@dataclass(frozen=True)
class SheetValues:
    """A sheet of a workbook openpyxl cannot open, as the reader saw it (for a rebuild)."""

    name: str
    cells: Iterable[tuple[int, int, object]]  # (row 1-based, column 0-based = A, value)


@dataclass(frozen=True)
class Intro:
    """The lines above the table of Ret dette, already worded (feedback_text makes them)."""

    title: str
    lines: tuple[str, ...]
    file_title: str  # document title property


def write_feedback_workbook(
    target: Path,
    findings: Sequence[Finding],
    intro: Intro,
    original: Path | None,
    rebuild: Callable[[], Iterable[SheetValues]],
) -> None:
    """Write the marked workbook to `target` (atomically).

    `original`: an .xlsx/.xlsm file to load and mark; None, or a file openpyxl cannot load,
    means the sheets are rebuilt from `rebuild()` (the reader's values, one sheet at a time).
    """
    wb = _load(original) if original is not None else None
    if wb is None:
        wb = Workbook()
        for default in list(wb.worksheets):
            wb.remove(default)
        for sheet in rebuild():
            _rebuild_sheet(wb, sheet)
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = False
    ordered = sorted(findings, key=Finding.sort_key)
    sheets = {ws.title.strip().casefold(): ws for ws in wb.worksheets}
    _mark(ordered, sheets)
    ws = wb.create_sheet(SHEET, 0)
    _ret_dette(ws, ordered, intro, sheets)
    wb.active = 0
    ws.sheet_view.tabSelected = True
    wb.properties.title = intro.file_title
    wb.properties.creator = AUTHOR
    with atomic_write(target) as handle:
        wb.save(handle)


# --- the office's own sheets --------------------------------------------------------------------


def _load(path: Path) -> Any:
    """The original, with formulas that carry a calculated value replaced by that value.

    openpyxl does not keep a formula's calculated value when it saves, so a formula would come
    back without one (a new formula-no-value finding); a formula that had no value keeps its
    formula, and its finding. A previous round's Ret dette sheet and marks are taken off.
    """
    try:
        wb = load_workbook(path, rich_text=False)
    except Exception:  # Strict OOXML, odd packages: rebuilt from values instead
        return None
    formulas = [
        (ws.title, cell.coordinate)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    if formulas:
        try:
            values = load_workbook(path, data_only=True, read_only=False)
        except Exception:
            values = None
        if values is not None:
            for title, coordinate in formulas:
                value = values[title][coordinate].value
                if value is not None:
                    wb[title][coordinate].value = value
            values.close()
    for name in list(wb.sheetnames):
        if name.strip().casefold() == SHEET.casefold():
            del wb[name]
    for ws in wb.worksheets:
        _unmark(ws)
    return wb


def _unmark(ws: Worksheet) -> None:
    """Remove the comments and fills an earlier feedback workbook put on the sheet."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.comment is not None and cell.comment.author == AUTHOR:
                cell.comment = None
                if cell.fill is not None and cell.fill.fgColor.rgb in _OUR_COLOURS:
                    cell.fill = PatternFill()


def _rebuild_sheet(wb: Any, sheet: SheetValues) -> None:
    ws = wb.create_sheet(_sheet_title(sheet.name, wb.sheetnames))
    widths: dict[int, int] = {}
    for row, col, value in sheet.cells:
        cell = ws.cell(row, col + 1)
        if isinstance(value, CellError):
            cell.value = value.text  # openpyxl stores a known error text as an error cell
        elif value is FORMULA_WITHOUT_VALUE:
            cell.value = '=""'  # a formula without a value stays one: the same finding
        elif value is not None:
            _put(cell, value)
            widths[col] = max(widths.get(col, 8), min(len(str(value)) + 2, 50))
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col + 1)].width = width


def _sheet_title(name: str, taken: Sequence[str]) -> str:
    """The sheet's own name where Excel allows it (31 characters, no []:*?/\\)."""
    title = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "Ark"
    base, n = title, 2
    while title.casefold() in {t.casefold() for t in taken}:
        title = f"{base[:28]} ({n})"
        n += 1
    return title


def _put(cell: Any, value: Any) -> None:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = value
        cell.data_type = "s"  # text that starts with "=" stays text
        return
    if isinstance(value, dt.timedelta):
        value = (dt.datetime(1899, 12, 30) + value).time() if value.days == 0 else str(value)
    cell.value = value
    if isinstance(value, dt.datetime):
        cell.number_format = _DATE_FORMAT if value.time() == dt.time() else f"{_DATE_FORMAT} HH:MM"
    elif isinstance(value, dt.date):
        cell.number_format = _DATE_FORMAT


def _mark(findings: Sequence[Finding], sheets: dict[str, Worksheet]) -> None:
    """Fill and comment every cell a finding names; an error's red wins over a warning."""
    marks: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        ws = sheets.get((f.sheet or "").strip().casefold())
        if ws is None or not f.cell:
            continue
        for coordinate in _cells(ws, f.cell):
            marks.setdefault((ws.title, coordinate), []).append(f)
    by_title = {ws.title: ws for ws in sheets.values()}
    for (title, coordinate), found in marks.items():
        cell = _writable(by_title[title], coordinate)
        error = any(f.severity == "error" for f in found)
        cell.fill = ERROR_FILL if error else WARNING_FILL
        text = "\n\n".join(f"{_SEVERITY_TEXT[f.severity]}: {plain(f)}" for f in found)
        if cell.comment is not None:  # the office's own note stays, below ours
            text += f"\n\n(Jeres egen kommentar:) {cell.comment.text}"
        comment = Comment(text, AUTHOR)
        comment.width = 360
        comment.height = min(60 + 18 * (len(text) // 45 + 1), 400)
        cell.comment = comment


def _writable(ws: Worksheet, coordinate: str) -> Any:
    """The cell to mark: a cell hidden under a merge is marked on the merge's first cell."""
    cell = ws[coordinate]
    if isinstance(cell, MergedCell):
        for merged in ws.merged_cells.ranges:
            if coordinate in merged:
                return ws.cell(merged.min_row, merged.min_col)
    return cell


def _cells(ws: Worksheet, ref: str) -> list[str]:
    """The cells a finding's reference covers: "B7", or a whole row "7:7" (its used part)."""
    if found := re.fullmatch(r"(\d+):\1", ref):
        row = int(found.group(1))
        last = min(max(ws.max_column, 1), _MAX_MARKED_COLUMNS)
        return [f"{get_column_letter(c)}{row}" for c in range(1, last + 1)]
    try:
        coordinate_from_string(ref)
    except ValueError:
        return []
    return [ref]


def _anchor(ref: str) -> str:
    """The cell a link jumps to: the cell itself, or column A of a whole row."""
    if found := re.fullmatch(r"(\d+):\1", ref):
        return f"A{found.group(1)}"
    return ref


# --- Ret dette ---------------------------------------------------------------------------------


def _ret_dette(
    ws: Worksheet, findings: Sequence[Finding], intro: Intro, sheets: dict[str, Worksheet]
) -> None:
    ws.sheet_properties.tabColor = "FFC00000"
    cell: Any = ws.cell(1, 1, intro.title)
    cell.font = Font(name=FONT, size=14, bold=True)
    for i, line in enumerate(intro.lines[:3]):
        cell = ws.cell(2 + i, 1, line)
        cell.font = Font(name=FONT, size=11)
        ws.merge_cells(start_row=2 + i, start_column=1, end_row=2 + i, end_column=6)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[2 + i].height = _height([(line, sum(w for _, w in _COLUMNS[:6]))])
    for col, (name, width) in enumerate(_COLUMNS, start=1):
        cell = ws.cell(_HEADER_ROW, col, name)
        cell.font = Font(name=FONT, size=11, bold=True)
        cell.fill = _HEADER_FILL
        cell.border = Border(bottom=_THIN)
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    for n, f in enumerate(findings, start=1):
        row = _HEADER_ROW + n
        target = sheets.get((f.sheet or "").strip().casefold())
        values: list[Any] = [
            n,
            _SEVERITY_TEXT[f.severity],
            place(f),
            f.company or "",
            f.value or "",
            plain(f),
            f.code,
        ]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row, col)
            _put(cell, value)
            cell.font = Font(name=FONT, size=11)
            cell.alignment = Alignment(vertical="top", wrap_text=col != 1)
            cell.border = Border(bottom=_THIN)
        # Neither Excel nor LibreOffice fits a row to wrapped text it did not lay out itself.
        ws.row_dimensions[row].height = _height(
            [(str(v), w) for v, (_, w) in zip(values, _COLUMNS, strict=True)]
        )
        ws.cell(row, 2).fill = ERROR_FILL if f.severity == "error" else WARNING_FILL
        if target is not None:
            link: Any = ws.cell(row, 3)
            location = f"{quote_sheetname(target.title)}!{_anchor(f.cell) if f.cell else 'A1'}"
            link.hyperlink = Hyperlink(ref=link.coordinate, location=location, display=place(f))
            link.font = Font(name=FONT, size=11, color="FF0563C1", underline="single")
    if not findings:
        ws.cell(_HEADER_ROW + 1, 1, "Ingen rettelser.")
    last = _HEADER_ROW + max(len(findings), 1)
    ws.freeze_panes = f"A{_HEADER_ROW + 1}"
    ws.auto_filter.ref = f"A{_HEADER_ROW}:{get_column_letter(len(_COLUMNS))}{last}"
    # Print: A4 landscape, one page wide (the message column wraps), header row on every page;
    # the technical Kode column stays outside the print area.
    ws.print_area = f"A1:{get_column_letter(len(_COLUMNS) - 1)}{last}"
    ws.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.gridLines = False
    footer: Any = ws.oddFooter
    footer.center.text = "Side &P af &N"
    header: Any = ws.oddHeader
    header.center.text = intro.title.replace("&", "&&")  # "&" starts a code


def _height(texts: Sequence[tuple[str, float]]) -> float:
    """Points for a row whose texts wrap in columns of the given widths (Calibri 11)."""
    lines = max(
        (math.ceil(len(text) * 1.1 / max(width - 1, 1)) for text, width in texts), default=1
    )
    return 15.0 * max(lines, 1) + 2
