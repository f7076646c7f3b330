"""Layout of a report sheet: rows, Excel tables, widths, conditional formats, charts, print setup.

Each sheet is first laid out as plain rows (`Layout`: values, tables, conditional formats,
charts, column widths, row heights), then streamed into openpyxl's write-only sheet.

Looks: LibreOffice does not draw Excel's table styles, so header rows carry their own colours;
row heights of wrapped text are set, not left to the program that opens the file.
"""

from __future__ import annotations

import datetime as dt
import textwrap
import warnings
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from openpyxl.chart import BarChart
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.text import (
    CharacterProperties,
    Paragraph,
    ParagraphProperties,
    RegularTextRun,
)
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from klyngerapport.render.xlsx.cells import (
    HEADER,
    LABEL,
    NOTE,
    SECTION,
    SUBTITLE,
    TITLE,
    CellFactory,
    Sheet,
    Style,
    Styled,
    cell_text,
)
from klyngerapport.status import Colour

TITLE_ROWS = 3  # title, subtitle, blank line; the first table's header follows
LINE_HEIGHT = 15.0  # points per line of 11 pt Calibri
TABLE_STYLE = "TableStyleMedium2"
PAPER_A4 = "9"  # OOXML paper size code
# What landscape A4 prints across within 0,5" margins, in cm (measured in LibreOffice, which
# draws columns a little wider than Excel); and the smallest print scale at which
# 11 pt text still prints at 9 pt or more (PRODUCT.md §7: no fit-to-width below 80 %).
PRINTABLE_WIDTH_CM = 25.5
MIN_PRINT_SCALE = 82


@dataclass(frozen=True, slots=True)
class Col:
    name: str
    number_format: str | None = None  # for the column's numbers
    cap: int = 40  # widest the column gets, in characters
    wrap: bool = False  # long text wraps within `cap`
    align: str | None = None  # "right" or "center"; numbers are right-aligned anyway
    header_align: str | None = None  # the header's alignment where the values set their own
    min_width: int = 6


@dataclass
class Layout:
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
    # A large table's plain rows (CellFactory.plain_row); may make them anew on each pass.
    bulk: Collection[Sequence[Any]] | None = None
    freeze: str | None = None
    print_rows: str | None = None
    print_area: str | None = None  # None: everything on the sheet

    def __post_init__(self) -> None:
        self.rows.append([])  # the title, filled in by write()
        self.rows.append([Styled(cell_text(self.subtitle), SUBTITLE)])
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
        self.row(Styled(text, SECTION))

    def pair(self, label: str, value: Any) -> None:
        """A bold label in column A and its value in B; the label widens A past its cap."""
        self.caps[1] = max(self.caps.get(1, 0), len(label) + 1)
        self.row(Styled(label, LABEL), value, measure=(1,))

    def note(self, text: str) -> None:
        self.row(Styled(text, NOTE))

    def page_break(self) -> None:
        self.breaks.append(len(self.rows))

    def table(
        self,
        name: str,
        columns: Sequence[Col],
        data: Iterable[Sequence[Any]],
        freeze: bool = False,
        top: bool = False,
        bulk: bool = False,
    ) -> tuple[int, int]:
        """An Excel table at the next row; returns (header row, last row).

        `top` aligns every cell to the top, for tables whose rows hold wrapped text. `bulk` rows
        (plain values, no per-column styles, the last thing on the sheet) are kept as they are
        and written through the light `CellFactory.plain_row`.
        """
        names = _unique_names([c.name for c in columns])
        header = self.next_row
        self.rows.append(
            [
                Styled(
                    n,
                    replace(
                        HEADER,
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
            self.bulk = data if isinstance(data, Collection) else list(data)
            data_rows: Collection[Sequence[Any]] = self.bulk
        elif not styled_cols:
            self.rows.extend(v if isinstance(v, list) else list(v) for v in data)
        else:
            vertical = "top" if top else None
            styles = [
                Style(
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
                    if value.__class__ is Styled:
                        if top:
                            row[i] = value = Styled(
                                value.value, replace(value.style, vertical="top")
                            )
                        wraps = wraps or value.style.wrap
                        continue
                    if style.number_format is not None and isinstance(value, str):
                        style = replace(style, number_format=None)
                    row[i] = Styled(value, style)
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
        if bulk:
            self._measure_rows(len(columns), data_rows)
        else:
            for i in range(1, len(columns) + 1):
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

    def chart_beside(self, chart: Any, row: int) -> None:
        """A chart to the right of the columns laid out so far, from `row` down: beside its
        table on screen and on the printed page, never alone on a page of its own."""
        column = max(self.column_widths(), default=0) + 2
        self.charts.append((chart, f"{get_column_letter(column)}{row}"))

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

    def print_scale(self) -> int:
        """The scale (percent) to print at: the largest at which the printed columns and charts
        fit the page's width, up to 100, but never below MIN_PRINT_SCALE — a sheet that is
        wider prints on more pages rather than in unreadable type."""
        return max(MIN_PRINT_SCALE, min(100, self.fitting_scale()))

    def fitting_scale(self) -> int:
        """The largest scale (percent) at which the printed columns and charts fit across."""
        widths = self.column_widths()
        last = max(widths, default=1)
        if self.print_area is not None:
            last = column_index_from_string(
                "".join(c for c in self.print_area.split(":")[-1] if c.isalpha())
            )
        right = sum(column_cm(widths.get(col, 8.43)) for col in range(1, last + 1))
        for chart, anchor in self.charts:
            col = column_index_from_string("".join(c for c in anchor if c.isalpha()))
            left = sum(column_cm(widths.get(c, 8.43)) for c in range(1, col))
            right = max(right, left + float(chart.width))
        return int(PRINTABLE_WIDTH_CM * 100 / right) if right else 100

    def _measure_rows(self, columns: int, rows: Iterable[Sequence[Any]]) -> None:
        """_measure for every column in one pass over the rows (bulk rows may be made anew
        on each pass)."""
        widest = [self.widths.get(col, 0) for col in range(1, columns + 1)]
        for row in rows:
            for i, value in enumerate(row):
                if value is None:
                    continue
                if value.__class__ is str and "\n" not in value:
                    length = len(value)
                else:
                    length = _display_length(value)
                if length > widest[i]:
                    widest[i] = length
        for col, width in enumerate(widest, start=1):
            self.widths[col] = width

    def column_widths(self) -> dict[int, float]:
        return {
            col: min(self.caps.get(col, 60), width + 2)
            for col, width in sorted(self.widths.items())
        }

    def write(self, ws: Sheet, title: str) -> None:
        """Stream the layout into the write-only sheet `ws`."""
        self.rows[0] = [Styled(title, TITLE)]
        widths = self.column_widths()
        for col, width in widths.items():
            ws.column_dimensions[get_column_letter(col)].width = width
        ws.row_dimensions[1].height = 21
        for index in self.wrapped:
            lines = max(
                (
                    _lines(v.value, widths.get(col, 10))
                    for col, v in enumerate(self.rows[index], start=1)
                    if v.__class__ is Styled and v.style.wrap and v.value is not None
                ),
                default=1,
            )
            if lines > 1:
                ws.row_dimensions[index + 1].height = LINE_HEIGHT * lines
        ws.freeze_panes = self.freeze or f"A{TITLE_ROWS + 1}"
        print_setup(ws, title, self.print_rows or f"1:{TITLE_ROWS - 1}", self.print_scale())
        if self.print_area is not None:
            ws.print_area = self.print_area
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
        cells = CellFactory(ws)
        for row in self.rows:
            ws.append(cells.row(row))
        if self.bulk is not None:
            for values in self.bulk:
                ws.append(cells.plain_row(values))


def _display_length(value: Any) -> int:
    """Roughly how many characters wide the value shows."""
    if value.__class__ is Styled:
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
        name = " ".join(cell_text(raw).split())[:200] or f"Kolonne {i}"
        candidate, n = name, 2
        while candidate.casefold() in seen:
            candidate, n = f"{name} ({n})", n + 1
        seen.add(candidate.casefold())
        out.append(candidate)
    return out


def column_cm(width: float) -> float:
    """Printed width of a column `width` characters wide: Excel draws 7 px per character of
    11 pt Calibri plus 5 px of padding, at 96 px per inch."""
    return (7 * width + 5) / 96 * 2.54


def print_setup(ws: Sheet, title: str, title_rows: str, scale: int = 100) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER_A4
    # A fixed scale rather than fit-to-width, which would shrink a wide sheet to any size.
    ws.page_setup.scale = scale
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)
    ws.print_title_rows = title_rows
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddHeader.left.text = title.replace("&", "&&") + " – &A"  # &A: the sheet's name
    ws.oddHeader.left.size = 9
    ws.oddFooter.right.text = "Side &P af &N"
    ws.oddFooter.right.size = 9
    ws.HeaderFooter.scaleWithDoc = False  # the 9 pt header and footer stay 9 pt


def status_rules(
    layout: Layout, ref: str, column: str, first_row: int, colours: Mapping[str, Colour]
) -> None:
    """Fill the cells of `ref` by the status text in `column` of the same row."""
    for status, colour in colours.items():
        layout.rule(
            ref,
            _formula_rule(f'${column}{first_row}="{status}"', colour, bold=False, stop=True),
        )


def zero_rule(layout: Layout, ref: str, first_cell: str, colour: Colour) -> None:
    """Mark the cells of `ref` that hold the number 0 (not the empty ones)."""
    layout.rule(
        ref,
        _formula_rule(f"AND(ISNUMBER({first_cell}),{first_cell}=0)", colour, bold=True, stop=False),
    )


def _formula_rule(formula: str, colour: Colour, bold: bool, stop: bool) -> Rule:
    """A conditional format that colours a cell where `formula` holds (Excel's "Use a formula
    to determine which cells to format")."""
    style = DifferentialStyle(
        font=Font(color=colour.text, bold=bold),
        fill=PatternFill(start_color=colour.fill, end_color=colour.fill, fill_type="solid"),
    )
    return Rule(type="expression", formula=[formula], stopIfTrue=stop or None, dxf=style)


def chart_title(text: str) -> Title:
    """A chart title in 12 pt bold (the default is large enough to crowd the plot)."""
    props = CharacterProperties(sz=1200, b=True)
    paragraph = Paragraph(
        pPr=ParagraphProperties(defRPr=props), r=[RegularTextRun(rPr=props, t=text)]
    )
    return Title(tx=Text(rich=RichText(p=[paragraph])), overlay=False)


def bar_chart(title: str, value_title: str, height_cm: float) -> BarChart:
    chart = BarChart()
    chart.type = "bar"  # horizontal: long names read better on the category axis
    chart.title = chart_title(title)
    chart.y_axis.title = value_title
    chart.x_axis.scaling.orientation = "maxMin"  # top to bottom in the table's order
    chart.x_axis.tickLblSkip = 1
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width, chart.height = 24, height_cm
    return chart
