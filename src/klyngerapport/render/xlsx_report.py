"""The annual orientation to the council as an XLSX workbook (PRODUCT.md §7).

Each sheet is first laid out as plain rows (`_Layout`: values, tables, conditional formats,
charts, column widths, row heights), then streamed with openpyxl's write-only mode. The rows of
the company sheet, which in a large year hold close to a million cells, are serialised by
`_write_bulk` into the sheet openpyxl writes, at a fraction of openpyxl's cost per cell.

Safety: every cell is a value. openpyxl turns text that starts with "=" into a formula, so such
text (and text starting with "+", "-" or "@", which spreadsheet programs read as the start of a
formula once the cell is edited) is written as an explicit text cell with Excel's quote prefix.
Characters XML cannot hold are removed.

Looks: LibreOffice does not draw Excel's table styles, so header rows carry their own colours;
row heights of wrapped text are set, not left to the program that opens the file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import textwrap
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath, PureWindowsPath
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.text import (
    CharacterProperties,
    Paragraph,
    ParagraphProperties,
    RegularTextRun,
)
from openpyxl.formatting.rule import FormulaRule, Rule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.writer.excel import ExcelWriter

from klyngerapport import danish
from klyngerapport.atomic import atomic_write
from klyngerapport.checks.derived import rows_by_id
from klyngerapport.followup import accepted, reach_by_municipality
from klyngerapport.model import (
    MET,
    NOT_MET,
    NOT_REPORTED,
    PARTIAL,
    SUBMISSION_ERRORS,
    SUBMISSION_MISSING,
    SUBMISSION_OK,
    SUBMISSION_WARNINGS,
    Finding,
    Followup,
    IndicatorOutcome,
    IndicatorRow,
    OfficeOutcome,
)
from klyngerapport.outputs import output_marker

SHEETS = (
    "Resumé",
    "Målopfyldelse",
    "Geografisk spredning",
    "Finansiering",
    "Virksomheder",
    "Valideringsnoter",
    "Kilder",
)

COUNT = "#,##0"
MONEY = '#,##0 "kr."'
MONEY_DECIMALS = '#,##0.00 "kr."'
PERCENT = "0%"
DECIMAL = "#,##0.0#"
YEAR = "0"
DATETIME = "yyyy-mm-dd hh:mm:ss"

MAX_TEXT = 32_767  # Excel's limit for one cell
TITLE_ROWS = 3  # title, subtitle, blank line; the first table's header follows
LINE_HEIGHT = 15.0  # points per line of 11 pt Calibri
TABLE_STYLE = "TableStyleMedium2"
PAPER_A4 = "9"  # OOXML paper size code
FONT = "Calibri"

# Status colours: Excel's own "good / neutral / bad" palette, grey for nothing reported.
_GREEN = ("C6EFCE", "006100")
_YELLOW = ("FFEB9C", "9C5700")
_RED = ("FFC7CE", "9C0006")
_GREY = ("E7E6E6", "3A3A3A")
_STATUS_COLOURS = {MET: _GREEN, PARTIAL: _YELLOW, NOT_MET: _RED, NOT_REPORTED: _GREY}
_SUBMISSION_COLOURS = {
    SUBMISSION_OK: _GREEN,
    SUBMISSION_WARNINGS: _YELLOW,
    SUBMISSION_ERRORS: _RED,
    SUBMISSION_MISSING: _RED,
}
_CHART_COLOURS = {MET: "70AD47", PARTIAL: "FFC000", NOT_MET: "E0301E", NOT_REPORTED: "A5A5A5"}
_HEADER_FILL = "4472C4"  # the header colour of TableStyleMedium2
_SEVERITY = {"error": "Fejl", "warning": "Advarsel"}
_FORMULA_START = ("=", "+", "-", "@")
_EXCEL_EPOCH_ORDINAL = dt.date(1899, 12, 30).toordinal()  # serial 0 in the 1900 date system


def write_report(f: Followup, path: Path) -> None:
    """Write the report of `f` to `path` atomically: the old report stays until the new is done."""
    wb = Workbook(write_only=True)
    try:
        _fill(wb, f)
        _save_atomically(wb, path, f.generated)
    except BaseException:
        _discard(wb)
        raise


def _fill(wb: Any, f: Followup) -> None:
    title = report_title(f)
    builders: tuple[Callable[[Followup, Any], _Layout], ...] = (
        _resume,
        _attainment,
        _geography,
        _funding,
        _companies,
        _findings,
        _sources,
    )
    for name, build in zip(SHEETS, builders, strict=True):
        ws = wb.create_sheet(name)
        build(f, ws).write(ws, title)
    props = wb.properties
    props.title = title
    props.subject = f"Årlig orientering til {f.council} om de regionale klyngekontorer i {f.region}"
    props.creator = f"klyngerapport {f.tool_version}"
    props.lastModifiedBy = props.creator
    props.description = (
        f"Målopfyldelse, geografisk spredning og medfinansiering {f.year}, "
        "dannet ud fra klyngekontorernes indberetninger."
    )
    props.keywords = f"klyngekontorer; {f.region}; {f.council}; {f.year}"
    # Marks the file as this tool's report of the year: generate may replace it (outputs.py).
    props.identifier = output_marker(f.year)
    props.language = "da-DK"
    props.created = props.modified = _utc(f.generated)


def _discard(wb: Any) -> None:
    """Close the sheets of a workbook that will not be saved, and remove openpyxl's temporary
    files of them (write-only sheets stream to files in the system's temporary folder)."""
    for ws in wb.worksheets:
        with contextlib.suppress(Exception):
            if not ws.closed:
                ws.close()
        writer = getattr(ws, "_writer", None)
        if writer is not None:
            with contextlib.suppress(OSError):
                writer.cleanup()


def report_title(f: Followup) -> str:
    return f"Opfølgning på de regionale klyngekontorer {f.year}"


# --- values and styles -------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """Text as a cell can hold it: no characters XML forbids, at most Excel's 32,767."""
    if ILLEGAL_CHARACTERS_RE.search(text):
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return text[:MAX_TEXT] if len(text) > MAX_TEXT else text


@dataclass(frozen=True, slots=True)
class _Style:
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
class _Styled:
    value: Any
    style: _Style


_TITLE = _Style(bold=True, size=14)
_SUBTITLE = _Style(italic=True, colour="595959")
_SECTION = _Style(bold=True, size=12)
_LABEL = _Style(bold=True)
_NOTE = _Style(italic=True, colour="595959")
_HEADER = _Style(bold=True, colour="FFFFFF", fill=_HEADER_FILL, wrap=True, vertical="bottom")


def _bold(value: Any, number_format: str | None = None) -> _Styled:
    return _Styled(value, _Style(number_format=number_format, bold=True))


def _left(value: Any, number_format: str | None = None) -> _Styled:
    return _Styled(value, _Style(number_format=number_format, horizontal="left"))


class _CellFactory:
    """Turns layout values into what a write-only sheet appends; style objects are shared."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.fonts: dict[_Style, Font] = {}
        self.fills: dict[str, PatternFill] = {}
        self.alignments: dict[_Style, Alignment] = {}
        self.border = Border(bottom=Side(style="thin", color="2F5597"))

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
            elif value.__class__ is _Styled:
                value = self.styled(value)
            out.append(value)
        return out

    def text(self, value: str, style: _Style | None) -> Any:
        value = clean_text(value)
        cell = WriteOnlyCell(self.ws, value)
        if value[:1] in _FORMULA_START:
            # openpyxl reads a leading "=" as a formula; this cell is text, and Excel's quote
            # prefix keeps it text when someone edits it.
            cell.data_type = "s"
            cell.quotePrefix = True
        if style is not None:
            self.apply(cell, style)
        return cell

    def styled(self, item: _Styled) -> Any:
        if isinstance(item.value, str):
            return self.text(item.value, item.style)
        cell = WriteOnlyCell(self.ws, item.value)
        self.apply(cell, item.style)
        return cell

    def apply(self, cell: Any, style: _Style) -> None:
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


# --- layout ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Col:
    name: str
    number_format: str | None = None  # for the column's numbers
    cap: int = 40  # widest the column gets, in characters
    wrap: bool = False  # long text wraps within `cap`
    align: str | None = None  # "right" or "center"; numbers are right-aligned anyway
    header_align: str | None = None  # the header's alignment where the values set their own
    min_width: int = 6


@dataclass
class _Layout:
    """One sheet laid out as rows, plus what must be declared before the rows are streamed."""

    subtitle: str
    rows: list[list[Any]] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    caps: dict[int, int] = field(default_factory=dict)
    wrapped: list[int] = field(default_factory=list)  # 0-based rows holding wrapped text
    tables: list[Table] = field(default_factory=list)
    rules: list[tuple[str, Rule]] = field(default_factory=list)
    charts: list[tuple[Any, str]] = field(default_factory=list)
    breaks: list[int] = field(default_factory=list)  # page breaks after these rows
    bulk: list[list[Any]] | None = None  # a large table's plain rows, written by _write_bulk
    freeze: str | None = None
    print_rows: str | None = None

    def __post_init__(self) -> None:
        self.rows.append([])  # the title, filled in by write()
        self.rows.append([_Styled(clean_text(self.subtitle), _SUBTITLE)])
        self.rows.append([])

    @property
    def next_row(self) -> int:
        return len(self.rows) + 1

    def row(self, *values: Any, measure: Iterable[int] = ()) -> int:
        """Append a row; `measure` lists the 1-based columns whose text widens the column."""
        self.rows.append(list(values))
        for col in measure:
            self._measure(col, [values[col - 1]])
        return len(self.rows)

    def blank(self) -> None:
        self.rows.append([])

    def section(self, text: str) -> None:
        self.row(_Styled(text, _SECTION))

    def pair(self, label: str, value: Any) -> None:
        """A bold label in column A and its value in B; the label widens A past its cap."""
        self.caps[1] = max(self.caps.get(1, 0), len(label) + 1)
        self.row(_Styled(label, _LABEL), value, measure=(1,))

    def note(self, text: str) -> None:
        self.row(_Styled(text, _NOTE))

    def page_break(self) -> None:
        self.breaks.append(len(self.rows))

    def table(
        self,
        name: str,
        columns: Sequence[_Col],
        data: Iterable[Sequence[Any]],
        freeze: bool = False,
        top: bool = False,
        bulk: bool = False,
    ) -> tuple[int, int]:
        """An Excel table at the next row; returns (header row, last row).

        `top` aligns every cell to the top, for tables whose rows hold wrapped text. `bulk` rows
        (plain values, no per-column styles, the last thing on the sheet) are written by the
        fast path `_write_bulk`.
        """
        names = _unique_names([c.name for c in columns])
        header = self.next_row
        self.rows.append(
            [
                _Styled(
                    n,
                    replace(
                        _HEADER,
                        horizontal="right" if c.number_format else c.header_align or c.align,
                    ),
                )
                for n, c in zip(names, columns, strict=True)
            ]
        )
        self.wrapped.append(header - 1)
        first = len(self.rows)
        styled_cols = [
            i for i, c in enumerate(columns) if top or c.number_format or c.wrap or c.align
        ]
        if bulk:
            if styled_cols or self.bulk is not None:
                raise ValueError("a bulk table has plain columns, one per sheet")
            self.bulk = [v if isinstance(v, list) else list(v) for v in data]
            data_rows: Sequence[list[Any]] = self.bulk
        elif not styled_cols:
            self.rows.extend(v if isinstance(v, list) else list(v) for v in data)
        else:
            vertical = "top" if top else None
            styles = [
                _Style(
                    number_format=c.number_format,
                    wrap=c.wrap,
                    vertical=vertical,
                    horizontal=c.align,
                )
                for c in columns
            ]
            for values in data:
                row = list(values)
                wraps = False
                for i in styled_cols:
                    value = row[i]
                    if value is None:
                        continue
                    style = styles[i]
                    if value.__class__ is _Styled:
                        if top:
                            row[i] = value = _Styled(
                                value.value, replace(value.style, vertical="top")
                            )
                        wraps = wraps or value.style.wrap
                        continue
                    if style.number_format is not None and isinstance(value, str):
                        style = replace(style, number_format=None)
                    row[i] = _Styled(value, style)
                    wraps = wraps or style.wrap
                if wraps:
                    self.wrapped.append(len(self.rows))
                self.rows.append(row)
        if not bulk:
            data_rows = self.rows[first:]
        last = first + len(data_rows)
        if not data_rows:  # Excel wants a data row under the header, even an empty one
            if not bulk:
                self.rows.append([])
            last += 1
        for i, col in enumerate(columns, start=1):
            self.caps[i] = max(self.caps.get(i, 0), col.cap)
            # Headers wrap, so a long one widens its column only up to the cap.
            self.widths[i] = max(
                self.widths.get(i, 0), col.min_width, min(_longest_word(names[i - 1]) + 3, col.cap)
            )
            self._measure(i, (r[i - 1] if len(r) >= i else None for r in data_rows))
        ref = f"A{header}:{get_column_letter(len(columns))}{last}"
        table = Table(displayName=name, ref=ref, autoFilter=AutoFilter(ref=ref))
        table.tableColumns = [TableColumn(id=i, name=n) for i, n in enumerate(names, start=1)]
        table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
        self.tables.append(table)
        if freeze:
            self.freeze = f"A{header + 1}"
            self.print_rows = f"{header}:{header}"
        return header, last

    def rule(self, ref: str, rule: Rule) -> None:
        self.rules.append((ref, rule))

    def chart(self, chart: Any) -> None:
        """A chart below what is laid out so far, on a page of its own when printed."""
        self.blank()
        self.page_break()
        self.charts.append((chart, f"A{self.next_row}"))

    def _measure(self, col: int, values: Iterable[Any]) -> None:
        widest = self.widths.get(col, 0)
        for value in values:
            if value is None:
                continue
            if value.__class__ is str and "\n" not in value:
                length = len(value)
            else:
                length = _display_length(value)
            if length > widest:
                widest = length
        self.widths[col] = widest

    def column_widths(self) -> dict[int, float]:
        return {
            col: min(self.caps.get(col, 60), width + 2)
            for col, width in sorted(self.widths.items())
        }

    def write(self, ws: Any, title: str) -> None:
        """Stream the layout into the write-only sheet `ws`."""
        self.rows[0] = [_Styled(title, _TITLE)]
        widths = self.column_widths()
        for col, width in widths.items():
            ws.column_dimensions[get_column_letter(col)].width = width
        ws.row_dimensions[1].height = 21
        for index in self.wrapped:
            lines = max(
                (
                    _lines(v.value, widths.get(col, 10))
                    for col, v in enumerate(self.rows[index], start=1)
                    if v.__class__ is _Styled and v.style.wrap and v.value is not None
                ),
                default=1,
            )
            if lines > 1:
                ws.row_dimensions[index + 1].height = LINE_HEIGHT * lines
        ws.freeze_panes = self.freeze or f"A{TITLE_ROWS + 1}"
        _print_setup(ws, title, self.print_rows or f"1:{TITLE_ROWS - 1}")
        for after in self.breaks:
            ws.row_breaks.append(Break(id=after))
        with warnings.catch_warnings():
            # openpyxl warns about every table in write-only mode; ours name their columns.
            warnings.filterwarnings("ignore", "In write-only mode you must add table columns")
            for table in self.tables:
                ws.add_table(table)
        for ref, rule in self.rules:
            ws.conditional_formatting.add(ref, rule)
        for chart, anchor in self.charts:
            ws.add_chart(chart, anchor)
        cells = _CellFactory(ws)
        for row in self.rows:
            ws.append(cells.row(row))
        if self.bulk is not None:
            if self.charts:
                raise ValueError("a sheet with a bulk table has no charts")
            _write_bulk(ws, self.bulk, len(self.rows) + 1)


def _write_bulk(ws: Any, rows: list[list[Any]], first_row: int) -> None:
    """Write plain rows into the sheet's XML directly, starting at `first_row`.

    openpyxl spends about 20 µs a cell serialising through its pure-Python XML writer; a large
    year has close to a million cells. The rows here are plain text, numbers, dates or None, so
    they are serialised as openpyxl would (inline strings, numbers, dates as serial numbers with
    a date style registered through openpyxl) at a fraction of the cost. The sheet is closed
    first, which writes everything openpyxl owns; the rows go in before its </sheetData>.
    """
    # Styles registered through openpyxl, which writes them to the workbook's stylesheet.
    sample = WriteOnlyCell(ws, dt.date(2000, 1, 1))
    sample.alignment = Alignment(horizontal="center")  # apart from the text beside it
    date_style = sample.style_id
    sample = WriteOnlyCell(ws, dt.datetime(2000, 1, 1))
    datetime_style = sample.style_id
    sample = WriteOnlyCell(ws, "x")
    sample.quotePrefix = True
    quoted_style = sample.style_id
    ws.close()
    path = ws._writer.out  # openpyxl's temporary file of the finished sheet
    with open(path, "rb") as handle:
        xml = handle.read()
    end = xml.rfind(b"</sheetData>")
    if end < 0:
        raise ValueError("openpyxl wrote no sheetData to extend")
    letters = [get_column_letter(i) for i in range(1, 1 + max((len(r) for r in rows), default=0))]
    with open(path, "wb") as handle:
        handle.write(xml[:end])
        chunk: list[str] = []
        for number, row in enumerate(rows, start=first_row):
            chunk.append(f'<row r="{number}">')
            for letter, value in zip(letters, row, strict=False):
                if value is None:
                    continue
                if value.__class__ is str:
                    if not value:
                        continue
                    if ILLEGAL_CHARACTERS_RE.search(value) or len(value) > MAX_TEXT:
                        value = clean_text(value)
                    style = f' s="{quoted_style}"' if value[:1] in _FORMULA_START else ""
                    if "&" in value or "<" in value or ">" in value:
                        value = (
                            value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                        )
                    space = ' xml:space="preserve"' if value != value.strip() else ""
                    chunk.append(
                        f'<c r="{letter}{number}"{style} t="inlineStr"><is>'
                        f"<t{space}>{value}</t></is></c>"
                    )
                elif isinstance(value, bool):
                    chunk.append(f'<c r="{letter}{number}" t="b"><v>{int(value)}</v></c>')
                elif isinstance(value, int | float):
                    chunk.append(f'<c r="{letter}{number}" t="n"><v>{value!r}</v></c>')
                elif isinstance(value, dt.datetime):
                    serial = to_excel(value)
                    chunk.append(
                        f'<c r="{letter}{number}" s="{datetime_style}" t="n"><v>{serial!r}</v></c>'
                    )
                elif isinstance(value, dt.date):
                    serial = value.toordinal() - _EXCEL_EPOCH_ORDINAL
                    chunk.append(
                        f'<c r="{letter}{number}" s="{date_style}" t="n"><v>{serial}</v></c>'
                    )
                else:
                    raise TypeError(f"no bulk cell for {type(value).__name__}")
            chunk.append("</row>")
            if len(chunk) > 20_000:
                handle.write("".join(chunk).encode("utf-8", "replace"))
                chunk.clear()
        handle.write("".join(chunk).encode("utf-8", "replace"))
        handle.write(xml[end:])


def _display_length(value: Any) -> int:
    """Roughly how many characters wide the value shows."""
    if value.__class__ is _Styled:
        style = value.style
        value = value.value
        fmt = style.number_format
        if isinstance(value, int | float) and not isinstance(value, bool) and fmt:
            if "%" in fmt:
                return 7 if "." in fmt else 5
            text = f"{value:,.2f}" if "0.0" in fmt else f"{value:,.0f}"
            return len(text) + (4 if "kr." in fmt else 0)
    if isinstance(value, str):
        return max(len(line) for line in value.split("\n")) if "\n" in value else len(value)
    if isinstance(value, dt.datetime):
        return 19
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    return len(str(value))


def _longest_word(text: str) -> int:
    return max((len(w) for w in text.split()), default=0)


def _lines(value: Any, width: float) -> int:
    """Lines the text takes when wrapped in a column `width` characters wide."""
    text = str(value)
    # Widths are counted in digit widths; the average letter is narrower, bold and capitals are
    # wider. The estimate errs towards an extra line rather than clipped text.
    chars = max(int(width * 1.1) - 2, 1)
    return sum(
        max(1, len(textwrap.wrap(part, chars, break_long_words=True))) for part in text.split("\n")
    )


def _unique_names(names: list[str]) -> list[str]:
    """Table column names: non-empty, one line, unique regardless of case (Excel's rules)."""
    out: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(names, start=1):
        name = " ".join(clean_text(raw).split())[:200] or f"Kolonne {i}"
        candidate, n = name, 2
        while candidate.casefold() in seen:
            candidate, n = f"{name} ({n})", n + 1
        seen.add(candidate.casefold())
        out.append(candidate)
    return out


def _print_setup(ws: Any, title: str, title_rows: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = title_rows
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddHeader.left.text = title.replace("&", "&&") + " – &A"  # &A: the sheet's name
    ws.oddHeader.left.size = 9
    ws.oddFooter.right.text = "Side &P af &N"
    ws.oddFooter.right.size = 9


def _status_rules(
    layout: _Layout, ref: str, column: str, first_row: int, colours: dict[str, tuple[str, str]]
) -> None:
    """Fill the cells of `ref` by the status text in `column` of the same row."""
    for status, (fill, font) in colours.items():
        layout.rule(
            ref,
            FormulaRule(
                formula=[f'${column}{first_row}="{status}"'],
                fill=PatternFill(start_color=fill, end_color=fill, fill_type="solid"),
                font=Font(color=font),
                stopIfTrue=True,
            ),
        )


def _chart_title(text: str) -> Title:
    """A chart title in 12 pt bold (the default is large enough to crowd the plot)."""
    props = CharacterProperties(sz=1200, b=True)
    paragraph = Paragraph(
        pPr=ParagraphProperties(defRPr=props), r=[RegularTextRun(rPr=props, t=text)]
    )
    return Title(tx=Text(rich=RichText(p=[paragraph])), overlay=False)


def _bar_chart(title: str, value_title: str, height_cm: float) -> BarChart:
    chart = BarChart()
    chart.type = "bar"  # horizontal: long names read better on the category axis
    chart.title = _chart_title(title)
    chart.y_axis.title = value_title
    chart.x_axis.scaling.orientation = "maxMin"  # top to bottom in the table's order
    chart.x_axis.tickLblSkip = 1
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width, chart.height = 24, height_cm
    return chart


def _indicator_value(value: float | None, unit: str) -> _Styled | None:
    if value is None:
        return None
    if unit == "kr.":
        return _Styled(value, _Style(number_format=MONEY))
    return _Styled(value, _Style(number_format=COUNT if float(value).is_integer() else DECIMAL))


def _danish(value: float) -> str:
    return danish.number(value)


# --- 1. Resumé ---------------------------------------------------------------------------------


def _resume(f: Followup, ws: Any) -> _Layout:
    layout = _Layout(
        f"Årlig orientering til {f.council} om de regionale klyngekontorer i {f.region}"
    )
    participating = len(f.participating)
    columns = [
        _Col("Klyngekontor", cap=34),
        _Col("Styrkeposition", cap=28),
        _Col("Leadkommune", cap=16),
        _Col("Indberetning", cap=28),
        _Col("Opfyldt", COUNT, min_width=9),
        _Col("Delvist opfyldt", COUNT, cap=10),
        _Col("Ikke opfyldt", COUNT, cap=10),
        _Col("Ikke indberettet", COUNT, cap=12),
        _Col("Virksomheder", COUNT, cap=14),
        _Col("SMV", COUNT, min_width=8),
        _Col("Kommuner nået", align="right", cap=10, min_width=10),
    ]
    rows = []
    for o in f.offices:
        reported = accepted(o.status)
        rows.append(
            [
                o.office.cluster,
                o.office.strength,
                o.office.lead.name,
                o.status,
                o.count(MET),
                o.count(PARTIAL),
                o.count(NOT_MET),
                o.count(NOT_REPORTED),
                o.companies if reported else None,
                o.smes if reported else None,
                f"{len(o.municipalities_reached)} af {participating}" if reported else None,
            ]
        )
    header, last = layout.table("tblResume", columns, rows, freeze=True)
    if f.offices:
        _status_rules(layout, f"D{header + 1}:D{last}", "D", header + 1, _SUBMISSION_COLOURS)

    layout.blank()
    layout.section("Nøgletal")
    ok = sum(1 for o in f.offices if accepted(o.status))
    layout.pair("År", _left(f.year, YEAR))
    layout.pair("Modtager", f.council)
    layout.pair("Region", f.region)
    layout.pair("Deltagende kommuner", _left(participating))
    layout.pair("Godkendte indberetninger", f"{ok} af {len(f.offices)}")
    layout.pair(
        "Valideringsnoter", f"{f.errors} fejl og {f.warnings} advarsler (se fanen Valideringsnoter)"
    )
    layout.pair("Kommunal medfinansiering", _left(f.funding.total_municipal, MONEY))
    layout.pair("Fordelingsnøgle", f.funding.population.basis_value())
    if f.funding.population.rule_note:
        layout.pair("Bemærk", f.funding.population.rule_note)

    layout.blank()
    reached = {m.code for o in f.offices for m in o.municipalities_reached}
    unreached = sorted(
        (m.name for m in f.participating if m.code not in reached), key=danish.sort_key
    )
    if unreached:
        layout.section("Deltagende kommuner, som intet klyngekontor har nået")
        for name in unreached:
            layout.row(name)
    else:
        layout.section(
            f"Alle {participating} deltagende kommuner er nået af mindst ét klyngekontor"
        )
    if ok < len(f.offices):
        layout.note("Klyngekontorer uden godkendt indberetning indgår ikke i optællingen.")

    if f.offices:
        chart = _bar_chart(
            "Indikatorer pr. klyngekontor efter målopfyldelse",
            "Antal indikatorer",
            4 + 1.4 * len(f.offices),
        )
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.gapWidth = 60
        chart.y_axis.majorUnit = 1
        chart.add_data(
            Reference(ws, min_col=5, max_col=8, min_row=header, max_row=last), titles_from_data=True
        )
        chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=last))
        for series, status in zip(chart.series, (MET, PARTIAL, NOT_MET, NOT_REPORTED), strict=True):
            series.graphicalProperties.solidFill = _CHART_COLOURS[status]
            series.graphicalProperties.line.solidFill = _CHART_COLOURS[status]
        chart.legend.position = "b"
        layout.blank()
        layout.charts.append((chart, f"A{layout.next_row}"))  # fits on the first page
    return layout


# --- 2. Målopfyldelse --------------------------------------------------------------------------


def _attainment(f: Followup, ws: Any) -> _Layout:
    layout = _Layout(
        f"Resultater {f.year} sammenholdt med målene i resultatkontrakterne. "
        "Opfyldt: mindst 100 % af målet; delvist opfyldt: mindst "
        f"{f.partial_threshold * 100:.0f} %."
    )
    columns = [
        _Col("Klyngekontor", cap=28, wrap=True),
        _Col("ID", min_width=8),
        _Col("Indikator", cap=44, wrap=True),
        _Col("Enhed", min_width=8),
        _Col("Mål", cap=16, align="right"),
        _Col("Resultat", cap=16, align="right"),
        _Col("Målopfyldelse", PERCENT, min_width=14),
        _Col("Status", cap=17, align="center"),
        _Col("Kilde", cap=22),
        _Col("Bemærkning", cap=34, wrap=True),
        _Col("Klyngekontorets bemærkning", cap=34, wrap=True),
    ]
    rows = []
    for o in f.offices:
        by_id = _indicator_rows(o)
        for i in o.indicators:
            row = by_id.get(i.indicator.id)
            rows.append(
                [
                    o.office.cluster,
                    i.indicator.id,
                    i.indicator.name,
                    i.indicator.unit,
                    _indicator_value(i.target, i.indicator.unit),
                    _indicator_value(i.result, i.indicator.unit),
                    i.attainment,
                    i.status,
                    i.source or None,
                    _outcome_note(o, i, row) or None,
                    (row.comment or None) if row is not None else None,
                ]
            )
    header, last = layout.table("tblMaalopfyldelse", columns, rows, freeze=True, top=True)
    if rows:
        _status_rules(layout, f"G{header + 1}:H{last}", "H", header + 1, _STATUS_COLOURS)
    layout.blank()
    layout.note(
        "Afledte indikatorer tælles ud fra fanen Virksomheder: unikke CVR-numre i de "
        "deltagende kommuner. Et mål på 0 er opfyldt ved ethvert resultat og har ingen "
        "procent."
    )
    return layout


def _indicator_rows(o: OfficeOutcome) -> dict[str, IndicatorRow]:
    return rows_by_id(o.submission.indicators) if o.submission is not None else {}


def _outcome_note(o: OfficeOutcome, i: IndicatorOutcome, row: IndicatorRow | None) -> str:
    if o.status == SUBMISSION_MISSING:
        return "Indberetningen mangler"
    if o.status == SUBMISSION_ERRORS:
        return "Indberetningen har fejl – se Valideringsnoter"
    if i.result is None:
        return "Intet resultat indberettet"
    if i.target == 0:
        return "Mål 0: opfyldt ved ethvert resultat"
    if (
        i.indicator.derived
        and row is not None
        and row.result is not None
        and row.result != i.result
    ):
        return f"Indberettet {_danish(row.result)}; rapporten bruger det optalte"
    return ""


# --- 3. Geografisk spredning -------------------------------------------------------------------


def _geography(f: Followup, ws: Any) -> _Layout:
    layout = _Layout(
        f"Virksomheder nået {f.year} pr. deltagende kommune og klyngekontor "
        "(unikke CVR-numre) og kommunens medfinansiering"
    )
    office_cols = [_Col(o.office.cluster, COUNT, cap=16, min_width=11) for o in f.offices]
    columns = [
        _Col("Kommune", cap=20),
        *office_cols,
        _Col("I alt, unikke virksomheder", COUNT, cap=15),
        _Col(f"Medfinansiering {f.year}", MONEY, cap=17),
        _Col("Kr. pr. nået virksomhed", MONEY, cap=15),
    ]
    reach = reach_by_municipality(f)
    funding = {m.municipality.code: m.total for m in f.funding.municipalities}
    rows = []
    for m in sorted(f.participating, key=lambda m: danish.sort_key(m.name)):
        per_office = [
            o.companies_by_municipality.get(m.code, 0) if accepted(o.status) else None
            for o in f.offices
        ]
        total = reach.get(m.code, 0)
        paid = funding.get(m.code, 0)
        rows.append([m.name, *per_office, total, paid, round(paid / total, 2) if total else None])
    header, last = layout.table("tblGeografisk_spredning", columns, rows, freeze=True)
    n = len(f.offices)
    if rows:
        first = header + 1
        layout.rule(
            f"B{first}:{get_column_letter(n + 2)}{last}",
            FormulaRule(
                formula=[f"AND(ISNUMBER(B{first}),B{first}=0)"],
                fill=PatternFill(start_color=_RED[0], end_color=_RED[0], fill_type="solid"),
                font=Font(color=_RED[1], bold=True),
            ),
        )
    layout.blank()
    layout.note(
        "Rødt felt: ingen virksomheder fra kommunen. En virksomhed, der er registreret i "
        "flere kommuner, tælles i hver af dem."
    )
    missing = [o.office.cluster for o in f.offices if not accepted(o.status)]
    if missing:
        layout.note(f"Ingen godkendt indberetning (tom kolonne): {', '.join(missing)}.")
    codes = {m.code for m in f.participating}
    outside = [
        e.company.municipality.name
        for e in f.engagements
        if e.company.municipality is not None and e.company.municipality.code not in codes
    ]
    if outside:
        names = sorted(set(outside), key=danish.sort_key)
        layout.note(
            f"Ikke talt med: {len(outside)} virksomhedsforløb i kommuner, der ikke "
            f"deltager ({', '.join(names)})."
        )

    if rows:
        chart = _bar_chart(
            f"Virksomheder nået pr. kommune {f.year}, alle klyngekontorer",
            "Unikke virksomheder (CVR-numre)",
            3 + 0.75 * len(rows),
        )
        chart.legend = None
        chart.gapWidth = 50
        chart.add_data(
            Reference(ws, min_col=n + 2, min_row=header, max_row=last), titles_from_data=True
        )
        chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=last))
        chart.series[0].graphicalProperties.solidFill = _HEADER_FILL
        layout.chart(chart)
    return layout


# --- 4. Finansiering ---------------------------------------------------------------------------


def _funding(f: Followup, ws: Any) -> _Layout:
    funding = f.funding
    basis = funding.population.basis_text()
    layout = _Layout(
        f"Kommunal medfinansiering af klyngekontorerne {f.year} og bevillinger. {basis}."
    )
    layout.section(f"Medfinansiering {f.year} pr. kommune og klyngekontor (kr.)")
    offices = funding.offices
    paid = {(o.office.id, s.municipality.code): s.amount for o in offices for s in o.shares}
    # Office columns as wide as the grant table's text columns below them.
    columns = [
        _Col("Kommune", cap=24),
        _Col("Folketal", COUNT, min_width=10),
        _Col("Deltager", min_width=10, align="center"),
        *(_Col(o.office.cluster, MONEY, cap=22, min_width=20) for o in offices),
        _Col("Heraf som leadkommune", MONEY, cap=14, min_width=13),
        _Col("Heraf som medfinansierer", MONEY, cap=14, min_width=13),
        _Col("I alt", MONEY, min_width=14),
        _Col("Kr. pr. indbygger", MONEY_DECIMALS, cap=13, min_width=12),
    ]
    rows = [
        [
            m.municipality.name,
            m.population,
            "Ja" if m.participating else "Nej",
            *(paid.get((o.office.id, m.municipality.code), 0) for o in offices),
            m.as_lead,
            m.as_cofinancer,
            m.total,
            round(m.total / m.population, 2) if m.population else None,
        ]
        for m in sorted(funding.municipalities, key=lambda m: danish.sort_key(m.municipality.name))
    ]
    layout.table("tblFinansiering", columns, rows, freeze=True)
    layout.row(
        _bold("I alt"),
        _bold(funding.covered_population, COUNT),
        None,
        *(_bold(o.total, MONEY) for o in offices),
        _bold(sum(m.as_lead for m in funding.municipalities), MONEY),
        _bold(sum(m.as_cofinancer for m in funding.municipalities), MONEY),
        _bold(funding.total_municipal, MONEY),
    )
    layout.note(
        "Leadkommunen betaler sin faste andel til sit eget klyngekontor; resten fordeles "
        "efter folketal på de øvrige deltagende kommuner i hele kroner (største rest)."
    )
    outside = [m.municipality.name for m in funding.municipalities if not m.participating]
    if outside:
        layout.note(f"Deltager ikke i medfinansieringen: {', '.join(outside)} (betaler 0 kr.).")

    layout.blank()
    layout.section(f"Bevillinger {f.year}")
    # Columns ordered so that the narrow ones meet the narrow columns of the table above.
    grant_rows = [
        [
            g.source,
            g.amount,
            f"{g.first_year}–{g.last_year}" if g.first_year != g.last_year else str(g.first_year),
            g.recipient,
            g.purpose or None,
        ]
        for g in funding.grants
    ]
    layout.table(
        "tblBevillinger",
        [
            _Col("Bevilliger", cap=24, wrap=True),
            _Col(f"Beløb {f.year}", MONEY, min_width=14),
            _Col("Periode", min_width=10, align="center"),
            _Col("Modtager", cap=22, wrap=True),
            _Col("Formål", cap=22, wrap=True),
        ],
        grant_rows,
        top=True,
    )
    layout.row(_bold("I alt"), _bold(funding.total_grants, MONEY))

    layout.blank()
    layout.note(
        f"{basis}. Folketal fra {funding.population.source}. Folketal i alt er de "
        "deltagende kommuners."
        + (f" {funding.population.rule_note}" if funding.population.rule_note else "")
    )
    return layout


# --- 5. Virksomheder ---------------------------------------------------------------------------


def _companies(f: Followup, ws: Any) -> _Layout:
    layout = _Layout(
        f"Alle virksomhedsforløb {f.year} fra indberetningerne. Talt med = Nej: "
        "kommunen deltager ikke, eller klyngekontorets indberetning er ikke godkendt."
    )
    clusters = {o.office.id: o.office.cluster for o in f.offices}
    # The hot loop of a large year: plain values only, written by the bulk path. "Talt med"
    # sits beside the municipality it mostly depends on.
    rows = [
        [
            clusters.get(e.office_id, e.office_id),
            e.company.cvr,
            e.company.name,
            e.company.municipality.name if e.company.municipality is not None else None,
            "Ja" if e.counted else "Nej",
            None if e.company.sme is None else ("Ja" if e.company.sme else "Nej"),
            e.company.activity,
            e.company.date,
            f"{e.file}, Virksomheder, række {e.company.row}",
        ]
        for e in f.engagements
    ]
    layout.table(
        "tblVirksomheder",
        [
            _Col("Klyngekontor", cap=30),
            _Col("CVR-nummer", min_width=12),
            _Col("Virksomhedsnavn", cap=40),
            _Col("Kommune", cap=20),
            _Col("Talt med", min_width=11),
            _Col("SMV", min_width=7),
            _Col("Aktivitet", cap=26),
            _Col("Dato", min_width=12, header_align="center"),
            _Col("Kilde", cap=50),
        ],
        rows,
        freeze=True,
        bulk=True,
    )
    return layout


# --- 6. Valideringsnoter -----------------------------------------------------------------------


def _findings(f: Followup, ws: Any) -> _Layout:
    layout = _Layout(
        f"Alt, hvad valideringen af indberetningerne for {f.year} har fundet. "
        "Fejl skal rettes; advarsler er til orientering."
    )
    items = sorted(f.validation.all_findings(), key=Finding.sort_key)
    rows = [
        [
            _shown_file(x.file),
            x.sheet,
            x.cell,
            x.code,
            _SEVERITY.get(x.severity, x.severity),
            x.value,
            x.message,
        ]
        for x in items
    ]
    header, last = layout.table(
        "tblValideringsnoter",
        [
            _Col("Fil", cap=44),
            _Col("Ark", cap=16),
            _Col("Celle", min_width=7),
            _Col("Kode", cap=22),
            _Col("Alvorlighed", min_width=13),
            _Col("Værdi", cap=24),
            _Col("Besked", cap=80, wrap=True),
        ],
        rows,
        freeze=True,
        top=True,
    )
    if rows:
        _status_rules(
            layout, f"E{header + 1}:E{last}", "E", header + 1, {"Fejl": _RED, "Advarsel": _YELLOW}
        )
    else:
        layout.blank()
        layout.note("Ingen valideringsnoter: alle indberetninger er godkendt uden bemærkninger.")
    return layout


def _shown_file(name: str) -> str:
    """A finding's file as the report shows it: never a path from the machine's root."""
    path = PurePath(name)
    return path.name if path.is_absolute() or PureWindowsPath(name).is_absolute() else name


# --- 7. Kilder ---------------------------------------------------------------------------------


def _sources(f: Followup, ws: Any) -> _Layout:
    layout = _Layout(
        "Filerne rapporten bygger på, med SHA-256-kontrolsum, så de kan genfindes og kontrolleres."
    )
    rows = [
        [
            "Konfiguration",
            f.config_source.path,
            f.config_source.sha256,
            f.config_source.size,
            f.config_source.modified,
        ]
    ]
    rows.extend(["Indberetning", s.path, s.sha256, s.size, s.modified] for s in f.sources)
    layout.table(
        "tblKilder",
        [
            _Col("Type", min_width=14),
            _Col("Fil", cap=50),
            _Col("SHA-256", cap=66),
            _Col("Størrelse (byte)", COUNT, cap=12),
            _Col("Ændret", DATETIME, min_width=20),
        ],
        rows,
        freeze=True,
    )
    layout.blank()
    layout.section("Grundlag")
    layout.pair("Konfiguration", f"{f.config_source.path} (SHA-256 {f.config_source.sha256})")
    layout.pair("Fordelingsnøgle", f.funding.population.basis_value())
    layout.pair("Folketal fra", f.funding.population.source)
    if f.funding.population.rule_note:
        layout.pair("Bemærk", f.funding.population.rule_note)
    layout.pair("Værktøj", f"klyngerapport {f.tool_version}")
    layout.pair("Dannet", _left(f.generated, DATETIME))
    return layout


# --- saving ------------------------------------------------------------------------------------


def _utc(moment: dt.datetime) -> dt.datetime:
    """Document properties are stored in UTC; a naive time is the machine's local time."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _save_atomically(wb: Any, path: Path, generated: dt.datetime) -> None:
    """Save via a temporary file and a rename (atomic_write): never a half-written report."""
    # ExcelWriter rather than wb.save(): save() stamps "modified" with the clock, and the
    # report's time is the generation time.
    with (
        atomic_write(path) as handle,
        ZipFile(handle, "w", ZIP_DEFLATED, allowZip64=True) as archive,
    ):
        wb.properties.modified = _utc(generated)
        ExcelWriter(wb, archive).save()
