"""Looking inside an .xlsx/.xlsm package where python-calamine cannot: a sheet's extent, its
formula cells without a calculated value and its cells that show an Excel error.

calamine builds a dense grid spanning a sheet's first to last cell, so one value typed in XFD1048576
next to one in A1 asks for 17 billion cells and aborts the process. `check_extent` bounds that grid
before calamine runs: a fast byte scan proves the common case (every cell has a plain reference
inside a box of at most MAX_CELLS, at any row up to 1048576 and any column up to XFD) and only an
unusual sheet pays for an exact walk with expat.

A formula cell that was never calculated (files written by scripts and some web tools) carries no
value, so calamine reads it as empty; `formulas_without_value` finds such cells so a check can say
"open and save the file in Excel" instead of "the value is missing". calamine also reads a cell
that shows an Excel error (`<c t="e"><v>#DIV/0!</v></c>`) as empty; `scan_cells` finds those too,
so a check can name the error instead.
"""

from __future__ import annotations

import contextlib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.parsers import expat

from klyngerapport.reading import package, problems
from klyngerapport.reading.safety import MAX_CELLS
from klyngerapport.reading.sheet import CellScan, cell_ref, column_letters

_CHUNK = 1 << 20
_OVERLAP = 32  # longer than any match of the patterns below

# The byte scan proves that every cell tag starts with a plain reference ` r="A1"` (one space, then
# one to three capital letters and a row without leading zeros) inside a box A1:<column><row>. The
# box starts as A1:A256 and grows, a few times at most, as cells outside it turn up; a cell tag
# without such a reference (no reference, another attribute first, odd spacing or quoting, lower
# case) sends the sheet to the exact walk. The first alternative of the pattern passes other tags
# (<col>, <cfRule>, ...): one pass, one literal to search for.
_PLAIN_REF = re.compile(rb' r="([A-Z]{1,3})([1-9][0-9]{0,6})"')
_FIRST_ROWS = 256
_MAX_GROWTH = 64  # boxes tried before the walk is cheaper than more patterns
# A cell tag with a namespace prefix, which the box pattern cannot see.
_PREFIXED_CELL = re.compile(rb":c[\s/>]")

# What makes a sheet worth the exact walk: a formula element, plain or prefixed, or an error cell
# (t="e", also typed without a formula). Separate patterns because each then starts with a
# literal, which the regex engine searches for quickly. A false match only costs that walk.
_FORMULA_OR_ERROR = (
    re.compile(rb"<f[\s/>]"),
    re.compile(rb":f[\s/>]"),
    re.compile(rb"t=[\"']e[\"']"),
)


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> zip member holding its XML, found through the package's relationships."""
    with zipfile.ZipFile(path) as archive:
        return {p.name: p.part for p in package.sheet_parts(archive)}


# --- extent ------------------------------------------------------------------------------------


def check_extent(path: Path, part: str, sheet: str) -> bool:
    """Raise FileProblem (file-too-large) when the sheet's cells span more than MAX_CELLS.

    Returns whether the sheet may hold formula cells without a calculated value or error cells:
    False only when it has neither a formula nor an error cell (seen in the same pass, so the
    common case needs no second look).
    """
    with zipfile.ZipFile(path) as archive:
        with archive.open(part) as stream:
            plain, worth_a_look = _plainly_small(stream)
            if plain:
                return worth_a_look
        with archive.open(part) as stream:
            try:
                walk = _walk(stream, limit=MAX_CELLS)
            except expat.ExpatError as exc:
                raise problems.unreadable(
                    f'Arket "{sheet}" er beskadiget (XML-fejl: {expat.ErrorString(exc.code)}).'
                ) from None
    if walk.cells > MAX_CELLS:
        raise problems.too_many_cells(sheet, walk.extent(), MAX_CELLS)
    return bool(walk.formulas or walk.errors)


def _plainly_small(stream: IO[bytes]) -> tuple[bool, bool]:
    """(every cell lies in a box of at most MAX_CELLS, the sheet has a formula or error cell)
    from one byte scan.

    The first is False as soon as a byte scan cannot prove it (look closer); the second is then
    True (not known).
    """
    box = _Box()
    tail = b""
    has_formula = False
    while True:
        chunk = stream.read(_CHUNK)
        buffer = tail + chunk
        # A match starting in the last _OVERLAP bytes may need bytes not read yet; it is looked
        # at again, complete, at the start of the next buffer.
        decided = len(buffer) - _OVERLAP if chunk else len(buffer)
        position = 0
        while (match := box.outside.search(buffer, position)) and match.start() < decided:
            if not box.grow(_PLAIN_REF.match(buffer, match.start() + 2)):
                return False, True
            position = match.start()
        match = _PREFIXED_CELL.search(buffer)
        if match and match.start() < decided:
            return False, True
        if not has_formula:
            has_formula = any(pattern.search(buffer) for pattern in _FORMULA_OR_ERROR)
        if not chunk:
            return True, has_formula
        tail = buffer[max(decided, 0) :]


class _Box:
    """A1:<columns><rows>, the box every cell reference seen so far lies in."""

    def __init__(self) -> None:
        self.columns = 1
        self.rows = _FIRST_ROWS
        self.grown = 0
        self.outside = _outside(self.columns, self.rows)

    def grow(self, ref: re.Match[bytes] | None) -> bool:
        """Take in a cell outside the box: False when the scan cannot prove a small grid.

        Each side grows at least twofold while the box stays within MAX_CELLS, so a sheet
        written row by row needs a few dozen boxes at most. The box never shrinks: the cells
        before lie anywhere in it.
        """
        if ref is None or self.grown >= _MAX_GROWTH:
            return False
        self.grown += 1
        columns, rows = self.columns, self.rows
        column, row = _column(ref[1].decode()) + 1, int(ref[2])
        if column > columns:
            columns = max(column, min(2 * columns, MAX_CELLS // rows))
        if row > rows:
            rows = max(row, min(2 * rows, MAX_CELLS // columns))
        if columns * rows > MAX_CELLS:
            return False
        self.columns, self.rows = columns, rows
        self.outside = _outside(columns, rows)
        return True


def _outside(columns: int, rows: int) -> re.Pattern[bytes]:
    """A cell tag without a plain reference inside A1:<columns><rows>, or another tag."""
    letters = _at_most(column_letters(columns - 1), "A", "A")
    digits = _at_most(str(rows), "1", "0")
    return re.compile(f'<c(?![\\w.:-]| r="{letters}{digits}")'.encode())


def _at_most(bound: str, first: str, low: str) -> str:
    """A regex for the strings up to `bound` in the order of column letters and row numbers:
    shorter ones first, then character by character. `first` is the lowest first character
    (no leading zeros), `low` the lowest other one; the highest is "Z" or "9"."""
    high = "Z" if low == "A" else "9"
    size = len(bound)
    parts = []
    if size > 1:
        parts.append(f"{_range(first, high)}{_range(low, high)}{{0,{size - 2}}}")
    for index, char in enumerate(bound[:-1]):
        lowest = first if index == 0 else low
        if char > lowest:
            rest = size - index - 1
            parts.append(f"{bound[:index]}{_range(lowest, chr(ord(char) - 1))}")
            parts[-1] += f"{_range(low, high)}{{{rest}}}"
    parts.append(bound[:-1] + _range(first if size == 1 else low, bound[-1]))
    return "(?:" + "|".join(parts) + ")"


def _range(low: str, high: str) -> str:
    return low if low == high else f"[{low}-{high}]"


# --- formulas and errors ------------------------------------------------------------------------


def scan_cells(path: Path, part: str) -> CellScan:
    """Formula cells with no calculated value, and cells showing an error, in one sheet."""
    with zipfile.ZipFile(path) as archive:
        with archive.open(part) as stream:
            if not _has_formula_or_error(stream):
                return CellScan()
        with archive.open(part) as stream:
            walk = _Walk()
            # calamine has read the sheet already: on malformed XML, report what came before.
            with contextlib.suppress(expat.ExpatError):
                _walk(stream, limit=None, into=walk)
            return CellScan(frozenset(walk.formulas), walk.errors)


def formulas_without_value(path: Path, part: str) -> frozenset[tuple[int, int]]:
    """(row 1-based, column 0-based) of formula cells with no calculated value in one sheet."""
    return scan_cells(path, part).formulas


def _has_formula_or_error(stream: IO[bytes]) -> bool:
    """A quick byte scan: most sheets hold neither, and then no XML parse is needed."""
    tail = b""
    while chunk := stream.read(_CHUNK):
        buffer = tail + chunk
        if any(pattern.search(buffer) for pattern in _FORMULA_OR_ERROR):
            return True
        tail = buffer[-_OVERLAP:]
    return False


# --- the exact walk ----------------------------------------------------------------------------


class _TooManyCells(Exception):
    """The walk has seen enough to refuse the sheet."""


@dataclass
class _Walk:
    """Positions as calamine assigns them: 0-based row and column."""

    min_row: int = -1
    max_row: int = -1
    min_col: int = -1
    max_col: int = -1
    formulas: set[tuple[int, int]] = field(default_factory=set)  # 1-based row, 0-based col
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # likewise -> "#N/A", ...

    @property
    def cells(self) -> int:
        if self.max_row < 0:
            return 0
        return (self.max_row - self.min_row + 1) * (self.max_col - self.min_col + 1)

    def extent(self) -> str:
        first = cell_ref(self.min_row + 1, self.min_col)
        return f"{first}:{cell_ref(self.max_row + 1, self.max_col)}"

    def add(self, row: int, col: int) -> None:
        if self.max_row < 0:
            self.min_row = self.max_row = row
            self.min_col = self.max_col = col
            return
        self.min_row, self.max_row = min(self.min_row, row), max(self.max_row, row)
        self.min_col, self.max_col = min(self.min_col, col), max(self.max_col, col)


def _walk(stream: IO[bytes], limit: int | None, into: _Walk | None = None) -> _Walk:
    """Stream a sheet's XML: the extent of cells with a value, formulas without one, and the
    text of error cells (t="e").

    Stops as soon as the extent passes `limit`. Mirrors calamine: a cell's own reference wins;
    a cell without one follows the previous cell of its row; a row without one follows the
    previous row; only cells with a <v> or <is> element count. Prefixes are ignored. Raises
    ExpatError on malformed XML, with what was found so far in `into`.
    """
    walk = into if into is not None else _Walk()
    row = col = -1  # the current row, and the column of the last cell in it
    in_cell = in_value = has_formula = has_value = has_text = False
    cell_type = "n"
    error = ""  # the text of an error cell's <v>

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal row, col, in_cell, in_value, has_formula, has_value, has_text, cell_type, error
        if ":" in tag:
            tag = tag.rpartition(":")[2]
        if in_cell:
            if tag == "v":
                has_value = in_value = True
            elif tag == "f":
                has_formula = True
            elif tag == "is":
                has_value = has_text = True
        elif tag == "c":
            ref = attrs.get("r")
            letters = ref.rstrip("0123456789") if ref else ""
            if ref and letters and len(letters) <= 3 and letters.isascii() and letters.isalpha():
                row, col = _number(ref[len(letters) :], 1) - 1, _column(letters)
            else:
                row, col = max(row, 0), col + 1
            in_cell, has_formula, has_value, has_text = True, False, False, False
            cell_type, error = attrs.get("t", "n"), ""
        elif tag == "row":
            row, col = _number(attrs.get("r"), row + 2) - 1, -1

    def end(tag: str) -> None:
        nonlocal in_cell, in_value
        if not in_cell:
            return
        if tag != "c" and not tag.endswith(":c"):
            if in_value and (tag == "v" or tag.endswith(":v")):
                in_value = False
            return
        in_cell = in_value = False
        if cell_type == "e" and error.strip():
            walk.errors[(row + 1, col)] = error.strip()
        if has_value:
            walk.add(row, col)
            if limit is not None and walk.cells > limit:
                raise _TooManyCells
        # An empty <v/> of a text formula is a calculated empty string (=IF(A1="";"";A1)), not a
        # missing value; openpyxl writes <v/> into every formula it cannot calculate.
        if has_formula and not (has_text or (has_value and cell_type == "str")):
            walk.formulas.add((row + 1, col))

    def text(data: str) -> None:
        nonlocal has_text, error
        if has_value and in_cell:
            if in_value and cell_type == "e":
                error += data
            if not has_text and data.strip():
                has_text = True

    parser = _parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    with contextlib.suppress(_TooManyCells):
        parser.ParseFile(stream)
    return walk


def _parser() -> expat.XMLParserType:
    """An expat parser that refuses any DTD (the safety check has refused them already)."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_: object) -> None:
        raise expat.ExpatError("DTD not allowed")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


def _number(text: str | None, default: int) -> int:
    if text is not None and text.isascii() and text.isdigit() and len(text) <= 9:
        return int(text)
    return default


def _column(letters: str) -> int:
    """'A' -> 0, 'AA' -> 26 (case-insensitive, as calamine reads it)."""
    col = 0
    for char in letters.upper():
        col = col * 26 + ord(char) - 64
    return col - 1
