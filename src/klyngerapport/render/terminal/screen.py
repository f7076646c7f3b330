"""The two consoles, and the tables and words every terminal view is built from."""

from __future__ import annotations

from itertools import accumulate
from typing import Any

from rich import box
from rich.console import Console, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from klyngerapport import danish
from klyngerapport.console import fit

out = Console(highlight=False, markup=False, emoji=False)
err = Console(stderr=True, highlight=False, markup=False, emoji=False)


def kr(amount: float) -> str:
    """1234567 -> '1.234.567 kr.' (Danish thousands separator)."""
    return f"{number(amount)} kr."


def number(value: float) -> str:
    return danish.number(value, decimals=1)


def percent(attainment: int | None) -> str:
    """Attainment as the model shows it (whole percent, rounded down): 112 -> '112 %'."""
    return "–" if attainment is None else f"{danish.number(attainment)} %"


def warnings(count: int) -> str:
    return "1 advarsel" if count == 1 else f"{count} advarsler"


def new_table(*columns: tuple[str, str]) -> Table:
    """A table; right-justified columns hold numbers and amounts, which are never wrapped or
    cut (`show`). Text columns wrap."""
    head = box.SIMPLE_HEAD if fit("─", out.encoding) == "─" else _ASCII_SIMPLE_HEAD
    table = _ConsoleTable(box=head, pad_edge=False, show_edge=False, collapse_padding=True)
    for name, justify in columns:
        table.add_column(
            fit(name, out.encoding),
            justify=justify,  # type: ignore[arg-type]
            no_wrap=justify == "right",
            overflow="fold",
        )
    return table


# SIMPLE_HEAD drawn with "-": Rich would otherwise fall back to its ASCII box with "|" columns.
_ASCII_SIMPLE_HEAD = box.Box("    \n    \n -- \n    \n    \n    \n    \n    \n", ascii=True)


class _ConsoleTable(Table):
    """A table whose rows hold what the console will really print: in a console that cannot
    write ✓ or æøå (cp1252, ASCII) their stand-ins ("OK", "ae") are put in before Rich measures
    the columns, so the columns stay aligned (klyngerapport.console)."""

    def add_row(self, *renderables: RenderableType | None, **kwargs: Any) -> None:
        super().add_row(*(_fit(r) if r is not None else None for r in renderables), **kwargs)


def _fit(cell: RenderableType) -> RenderableType:
    encoding = out.encoding
    if isinstance(cell, str):
        return fit(cell, encoding)
    if not isinstance(cell, Text) or fit(cell.plain, encoding) == cell.plain:
        return cell
    pieces = [fit(c, encoding) for c in cell.plain]
    offsets = [0, *accumulate(len(p) for p in pieces)]
    fitted = Text(
        "".join(pieces),
        style=cell.style,
        justify=cell.justify,
        overflow=cell.overflow,
        no_wrap=cell.no_wrap,
        end=cell.end,
    )
    for span in cell.spans:
        fitted.stylize(span.style, offsets[span.start], offsets[span.end])
    return fitted


def show(table: Table) -> None:
    """Print a table with every number whole: numeric columns are as wide as their widest
    value; if the terminal is too narrow even when text wraps, the table is printed wider than
    the terminal (the terminal wraps the lines) rather than cutting a figure."""
    for column in table.columns:
        if column.no_wrap:
            cells = [*column.cells, column.header]
            column.min_width = max(
                (_cell_len(c) for c in cells),
                default=1,
            )
    needed = Measurement.get(out, out.options.update_width(10_000), table).minimum
    width = out.width
    if needed <= width:
        out.print(table)
        return
    out.width = needed
    try:
        out.print(table)
    finally:
        out.width = width


def _cell_len(cell: object) -> int:
    if isinstance(cell, Text):
        return cell.cell_len
    return Text(str(cell)).cell_len if isinstance(cell, str) else 1


def heading(text: str) -> None:
    out.print()
    out.print(Text(text, style="bold"))
