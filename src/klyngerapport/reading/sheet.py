"""What the reader hands to the checks: a sheet's cell values with their true positions.

This module imports no spreadsheet library, so checks and their tests can build RawSheets by hand.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

# Characters that show as nothing, left by copy-paste from web pages, mails and PDFs: zero-width
# space, non-joiner and joiner, word joiner, byte order mark (zero-width no-break space), soft
# hyphen. Removed before identifiers and names are matched.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_REMOVE_INVISIBLE = str.maketrans(
    {**dict.fromkeys(INVISIBLE), "\u00a0": " ", "\u202f": " ", "\u2007": " "}
)


def without_invisible(text: str) -> str:
    """`text` with invisible characters removed and no-break spaces made ordinary spaces."""
    return text.translate(_REMOVE_INVISIBLE)


def invisible_shown(text: str) -> str:
    """The invisible characters in `text`, named so a reader can find them: 'U+200B, U+00AD'."""
    found = dict.fromkeys(f"U+{ord(c):04X}" for c in text if c in INVISIBLE or c == "\u00a0")
    return ", ".join(found)


def sheet_key(name: str) -> str:
    """How sheet names are compared: NFC, invisible characters gone, case-folded, surrounding
    spaces ignored ("Virksomheder", " virksomheder\u200b" and "VIRKSOMHEDER " are one name)."""
    return without_invisible(unicodedata.normalize("NFC", name)).strip().casefold()


def column_letters(col: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA'."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# The error a cell shows, by the code binary workbooks (.xls BIFF8 and .xlsb) store for it.
ERROR_CODES = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}


def cell_ref(row: int, col: int) -> str:
    """A1 reference of a 1-based row and a 0-based column: (7, 0) -> 'A7'."""
    return f"{column_letters(col)}{row}"


@dataclass(frozen=True)
class CellScan:
    """Cells the reader reads as empty but are not; positions are (row 1-based, column 0-based)."""

    formulas: frozenset[tuple[int, int]] = frozenset()  # formula cells without a value
    errors: Mapping[tuple[int, int], str] = field(default_factory=dict)  # -> "#DIV/0!", ...


@dataclass
class RawSheet:
    """Cell values of one sheet as the library read them.

    `data[i][j]` is the cell at row `first_row + i` (1-based) and column `first_col + j`
    (0-based, 0 = A). Values are None (empty), str, int, float, bool, datetime.date,
    datetime.datetime, datetime.time or datetime.timedelta. Rows may differ in length.
    """

    name: str
    data: list[list[Any]]
    first_row: int = 1
    first_col: int = 0
    # Called at most once, and only when a check needs it: the (row, col) positions of formula
    # cells that carry no calculated value (the reader reads them as empty). None: the sheet has
    # no such cells (the reader knows, or the format always stores values).
    formula_probe: Callable[[], frozenset[tuple[int, int]]] | None = None
    # Likewise for cells that show an Excel error (#DIV/0!, #N/A, ...), which the reader also
    # reads as empty: (row, col) -> the error text. None: the sheet has no such cells.
    error_probe: Callable[[], Mapping[tuple[int, int], str]] | None = None
    # Merged ranges as (first row, first col, last row, last col), rows 1-based, columns 0-based.
    merged: tuple[tuple[int, int, int, int], ...] = ()
    # The workbook counts dates from 1904 (old Mac Excel); bare serial numbers follow it.
    date1904: bool = False
    # The reader cannot see error values in this format: an empty cell may hold one.
    errors_unseen: bool = False
    _formulas: frozenset[tuple[int, int]] | None = field(default=None, repr=False)
    _errors: Mapping[tuple[int, int], str] | None = field(default=None, repr=False)

    def value(self, row: int, col: int) -> Any:
        i, j = row - self.first_row, col - self.first_col
        if 0 <= i < len(self.data) and 0 <= j < len(self.data[i]):
            return self.data[i][j]
        return None

    def set_value(self, row: int, col: int, value: Any) -> None:
        """Put `value` at a cell (the grid grows to hold it): merged values spread by a check."""
        i, j = row - self.first_row, col - self.first_col
        if i < 0 or j < 0:
            return
        while len(self.data) <= i:
            self.data.append([])
        line = self.data[i]
        if len(line) <= j:
            line.extend([None] * (j + 1 - len(line)))
        line[j] = value

    def formula_without_value(self, row: int, col: int) -> bool:
        return (row, col) in self.formulas_without_value()

    def formulas_without_value(self) -> frozenset[tuple[int, int]]:
        """(row, col) of every formula cell without a calculated value (probed once)."""
        if self.formula_probe is None:
            return frozenset()
        if self._formulas is None:
            self._formulas = self.formula_probe()
        return self._formulas

    def error_value(self, row: int, col: int) -> str | None:
        """The error a cell shows ("#DIV/0!", "#N/A", ...), or None (probed once, when asked)."""
        if self.error_probe is None:
            return None
        if self._errors is None:
            self._errors = self.error_probe()
        return self._errors.get((row, col))

    def last_row(self, cols: Iterable[int]) -> int:
        """The last row with a value, or with a formula without one in one of `cols`.

        The reader's grid ends at the last value, so rows that hold only formulas that were never
        calculated lie below it; a check must still see them. Probes only sheets with formulas.
        """
        last = self.first_row + len(self.data) - 1
        if self.formula_probe is None:
            return last
        wanted = set(cols)
        rows = (r for r, c in self.formulas_without_value() if c in wanted)
        return max(last, max(rows, default=last))


class Workbook(Protocol):
    """An open workbook; sheets are read on demand, one at a time."""

    path: Path
    sheet_names: list[str]

    def sheet(self, name: str) -> RawSheet | None:
        """The sheet called `name` (compared by `sheet_key`), or None."""
        ...

    def matching(self, name: str) -> list[str]:
        """The names of every sheet that `name` matches (compared by `sheet_key`)."""
        ...

    def close(self) -> None: ...


class FileProblem(Exception):
    """A file that cannot be read as a workbook: a file-level finding code and a Danish message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
