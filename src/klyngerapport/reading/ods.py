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

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
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
    names: list[str] = field(default_factory=list)  # every table, in order
    # Byte ranges of content.xml to leave out: tables nobody asked for that are worth leaving
    # out (their grids are larger than SKIP_FROM cells).
    skip: list[tuple[int, int]] = field(default_factory=list)


# An unwanted table whose grid is larger than this is cut out of the copy calamine reads.
SKIP_FROM = 100_000


def scan_content(path: Path, wanted: Callable[[str], bool] | None = None) -> OdsScan:
    """Per table: formula cells without a value, error cells and merged ranges; FileProblem when
    the tables calamine will load are too large together (it loads every table when it opens
    the file). `wanted(name)`: the tables the caller will read (None: all); a large table it
    will not read is not counted but marked to be cut out (`OdsScan.skip`).

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
    done = 0  # cells of the grids of the counted tables before the current one
    counted = True  # the current table is one calamine will load
    starts: list[int] = []  # byte index of each <table:table>
    grids: list[int] = []  # cells of each table's grid
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
        nonlocal counted
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
                if grew and counted and done + (bottom - top) * (right - left) > MAX_CELLS:
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
            grid = (bottom - top) * (right - left) if bottom else 0
            if starts:
                grids.append(grid)
                done = _add_table(done, grid, counted, name)
            starts.append(parser.CurrentByteIndex)
            name = attrs.get("table:name", "")
            counted = wanted is None or wanted(name)
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
        if starts:
            grids.append((bottom - top) * (right - left) if bottom else 0)
            done = _add_table(done, grids[-1], counted, name)
        names = list(formulas)
        skip: list[tuple[int, int]] = []
        if wanted is not None and len(names) == len(starts):
            drop = [
                i
                for i, (table, grid) in enumerate(zip(names, grids, strict=True))
                if grid > SKIP_FROM and not wanted(table)
            ]
            if drop:
                with zipfile.ZipFile(path) as archive, archive.open("content.xml") as stream:
                    ends = _table_ends(stream)
                skip = _ranges(starts, ends, drop)
                if not skip:  # the tables cannot be cut out: calamine would load them all
                    total = done + sum(grids[i] for i in drop)
                    if total > MAX_CELLS:
                        last = names[drop[-1]]
                        raise problems.too_many_cells(last, "", MAX_CELLS, whole_file=True)
    except (expat.ExpatError, KeyError) as exc:
        detail = expat.ErrorString(exc.code) if isinstance(exc, expat.ExpatError) else "mangler"
        raise problems.unreadable(
            f"Regnearkets indhold (content.xml) er beskadiget ({detail})."
        ) from None
    finally:
        # The parser and its handler (a closure over the scan) refer to each other: a cycle
        # that only the cycle collector, paused while files are checked, would free.
        parser.StartElementHandler = parser.CharacterDataHandler = None
    tables = {
        table: CellScan(frozenset(positions), errors.get(table, {}))
        for table, positions in formulas.items()
    }
    return OdsScan(tables, merged, date1904, names, skip)


def _add_table(done: int, grid: int, counted: bool, name: str) -> int:
    """The cells calamine will load after a table ends: a table nobody reads counts too when
    it is too small to be worth cutting out (it is loaded with the file)."""
    if counted:
        return done + grid
    if grid <= SKIP_FROM:
        done += grid
        if done > MAX_CELLS:
            raise problems.too_many_cells(name, "", MAX_CELLS, whole_file=True)
    return done


_END_TAG = b"</table:table>"


def _table_ends(stream: IO[bytes]) -> list[int]:
    """Byte index just after each </table:table> (a byte search: tags are ASCII)."""
    ends: list[int] = []
    offset = 0
    tail = b""
    while chunk := stream.read(1 << 20):
        buffer = tail + chunk
        at = buffer.find(_END_TAG)
        while at >= 0:
            ends.append(offset - len(tail) + at + len(_END_TAG))
            at = buffer.find(_END_TAG, at + 1)
        keep = len(_END_TAG) - 1
        tail = buffer[-keep:]
        offset += len(chunk)
    return ends


def _ranges(starts: list[int], ends: list[int], drop: list[int]) -> list[tuple[int, int]]:
    """The byte ranges of the tables in `drop`, when every table has one end after its start
    and before the next table (no nested tables); else nothing is cut."""
    if len(ends) != len(starts):
        return []
    following = [*starts[1:], None]
    for start, end, after in zip(starts, ends, following, strict=True):
        if end <= start or (after is not None and end > after):
            return []
    return [(starts[i], ends[i]) for i in drop]


def without_tables(path: Path, skip: list[tuple[int, int]]) -> bytes:
    """The .ods package with the byte ranges `skip` cut out of content.xml, for calamine."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(path) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for info in source.infolist():
            if info.filename != "content.xml":
                kind = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
                target.writestr(info.filename, source.read(info), compress_type=kind)
                continue
            with source.open(info) as reader, target.open("content.xml", "w") as writer:
                position = 0
                for start, end in [*skip, (1 << 62, 1 << 62)]:
                    remaining = start - position
                    while remaining > 0 and (chunk := reader.read(min(remaining, 1 << 20))):
                        writer.write(chunk)
                        remaining -= len(chunk)
                        position += len(chunk)
                    gap = end - position
                    while gap > 0 and (chunk := reader.read(min(gap, 1 << 20))):
                        gap -= len(chunk)
                        position += len(chunk)
    return out.getvalue()


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
