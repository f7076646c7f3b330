"""Looking inside an .ods file before python-calamine reads it.

calamine reads every table of an .ods file when it opens it, and expands repeated cells and rows
(`table:number-columns-repeated`, `table:number-rows-repeated`) into a dense grid: one repeated
cell can ask for billions. So before calamine runs, one streaming pass over content.xml measures
each table's grid as calamine will build it and collects the formula cells without a calculated
value (LibreOffice always stores values; other writers may not) and the cells that show an error:
LibreOffice stores a formula's error as an empty string (`office:string-value=""`), which
calamine reads as empty, marked `calcext:value-type="error"` with the error ("#DIV/0!") as the
cell's text. Names are matched with the `table:`/`office:`/`calcext:` prefixes literally, as
calamine does.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from klyngerapport.reading import problems
from klyngerapport.reading.safety import MAX_CELLS
from klyngerapport.reading.sheet import CellScan, cell_ref

# Formula (and error) positions kept per table; far more than a submission holds, and it bounds
# the memory a repeated formula cell can claim.
MAX_FORMULA_POSITIONS = 100_000

_NO_ROW = 1 << 62  # "no valued cell yet" for the running minimum


@dataclass
class OdsScan:
    """Per table: formula and error cells, merged ranges; and the workbook's date system."""

    tables: dict[str, CellScan] = field(default_factory=dict)
    merged: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = field(default_factory=dict)
    date1904: bool = False


def scan_content(path: Path) -> OdsScan:
    """Per table: formula cells without a value, error cells and merged ranges; FileProblem when
    the tables together are too large (calamine loads every table when it opens the file).

    Only start tags are handled (an end-tag handler would double the cost of this pass): a row's
    position follows from the rows before it, a cell's from the cells before it in its row. Like
    calamine, only cells with an `office:value-type` hold a value. Text is only listened for
    inside an error cell, until the next cell or row starts.
    """
    formulas: dict[str, set[tuple[int, int]]] = {}
    errors: dict[str, dict[tuple[int, int], str]] = {}
    error_cells: list[tuple[int, int]] = []  # positions of the error cell being read
    error_text: list[str] = []  # its text so far
    name = ""  # the current table
    merged: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = {}
    date1904 = False
    done = 0  # cells of the grids of the tables before the current one
    in_table: set[tuple[int, int]] = set()
    row, row_stop = 0, 0  # the rows [row, row_stop) the current table:table-row stands for
    col = 0  # column of the next cell in the row
    # Extent of the valued cells of the current table: rows [top, bottom), columns [left, right).
    top = left = _NO_ROW
    bottom = right = 0

    def stop_listening() -> None:
        # Handlers are swapped without expat's text buffering, which would call the handler
        # being replaced; text split across reads is joined here instead.
        parser.CharacterDataHandler = None
        if text := "".join(error_text).strip():
            errors.setdefault(name, {}).update((position, text) for position in error_cells)
        error_cells.clear()
        error_text.clear()

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal name, in_table, row, row_stop, col, top, left, bottom, right, done, date1904
        if error_cells:
            if tag.startswith("table:"):
                stop_listening()
            elif tag == "text:p":  # the cell's own text follows any comment's (annotation)
                error_text.clear()
        if tag == "table:table-cell" or tag == "table:covered-table-cell":
            first = col
            repeat = attrs.get("table:number-columns-repeated")
            col = first + (_repeat(repeat) if repeat else 1)
            if "office:value-type" in attrs:
                grew = False
                if row < top:
                    top, grew = row, True
                if row_stop > bottom:
                    bottom, grew = row_stop, True
                if first < left:
                    left, grew = first, True
                if col > right:
                    right, grew = col, True
                if grew and done + (bottom - top) * (right - left) > MAX_CELLS:
                    extent = f"{cell_ref(top + 1, left)}:{cell_ref(bottom, right - 1)}"
                    raise problems.too_many_cells(name, extent, MAX_CELLS, whole_file=done > 0)
                spans = (
                    attrs.get("table:number-rows-spanned"),
                    attrs.get("table:number-columns-spanned"),
                )
                if tag == "table:table-cell" and any(spans):
                    down, across = (_repeat(s) if s else 1 for s in spans)
                    if down > 1 or across > 1:
                        merged.setdefault(name, []).append(
                            ((row, first), (row + down - 1, first + across - 1))
                        )
                if attrs.get("calcext:value-type") == "error":
                    positions: set[tuple[int, int]] = set()
                    _add_formulas(positions, range(row, row_stop), range(first, col))
                    error_cells.extend(positions)
                    parser.CharacterDataHandler = error_text.append
            elif "table:formula" in attrs:
                _add_formulas(in_table, range(row, row_stop), range(first, col))
        elif tag == "table:table-row":
            repeat = attrs.get("table:number-rows-repeated")
            row = row_stop
            row_stop = row + (_repeat(repeat) if repeat else 1)
            col = 0
        elif tag == "table:table":
            if bottom:
                done += (bottom - top) * (right - left)
            name = attrs.get("table:name", "")
            in_table = formulas.setdefault(name, set())
            row = row_stop = col = bottom = right = 0
            top = left = _NO_ROW
        elif tag == "table:null-date":
            date1904 = attrs.get("table:date-value", "").startswith("1904")

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.StartElementHandler = start
    try:
        with zipfile.ZipFile(path) as archive, archive.open("content.xml") as stream:
            parser.ParseFile(stream)
        if error_cells:
            stop_listening()
    except (expat.ExpatError, KeyError) as exc:
        detail = expat.ErrorString(exc.code) if isinstance(exc, expat.ExpatError) else "mangler"
        raise problems.unreadable(
            f"Regnearkets indhold (content.xml) er beskadiget ({detail})."
        ) from None
    tables = {
        table: CellScan(frozenset(positions), errors.get(table, {}))
        for table, positions in formulas.items()
    }
    return OdsScan(tables, merged, date1904)


def _add_formulas(positions: set[tuple[int, int]], rows: range, cols: range) -> None:
    """Add (1-based row, column) for every cell a repeated formula cell stands for, capped."""
    room = MAX_FORMULA_POSITIONS - len(positions)
    for r in rows:
        if room <= 0:
            return
        positions.update((r + 1, c) for c in cols[:room])
        room -= min(len(cols), room)


def _repeat(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        return 1
    # More than nine digits is more than any sheet holds; it stands in for "huge" without
    # converting an arbitrarily long digit string.
    return max(int(text), 1) if len(text) <= 9 else 10**9


def _refuse(*_: object) -> None:
    raise expat.ExpatError("DTD not allowed")
