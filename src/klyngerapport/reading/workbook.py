"""Open a submitted workbook with python-calamine and hand out its sheets one at a time.

The only module that calls python-calamine. Every file passes the safety checks first; every
calamine failure becomes a FileProblem with a Danish message, never a traceback.
"""

from __future__ import annotations

import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import python_calamine as calamine

from klyngerapport.reading import ods, ooxml, problems, safety
from klyngerapport.reading.sheet import CellScan, FileProblem, RawSheet

if TYPE_CHECKING:
    from klyngerapport.reading.sheet import Workbook

Probe = Callable[[], frozenset[tuple[int, int]]]
ErrorProbe = Callable[[], Mapping[tuple[int, int], str]]


def open_workbook(path: Path) -> WorkbookFile:
    """Open `path` for reading sheets; FileProblem when it cannot or must not be read.

    Usable as a context manager. The file is only ever opened read-only.
    """
    fmt = safety.sniff(path)
    ods_cells = ods.scan_content(path) if fmt == "ods" else {}
    try:
        if safety.SUFFIX_FORMATS[path.suffix.lower()] == fmt:
            book = calamine.CalamineWorkbook.from_path(str(path))
        else:
            # The bytes disagree with the extension (an .xls saved as .xlsx, ...): calamine picks
            # the format by extension from a path, but detects it from a file object.
            with path.open("rb") as f:
                book = calamine.CalamineWorkbook.from_filelike(f)
    except Exception as exc:  # calamine raises its own classes and, on odd input, others
        raise _problem(exc, fmt) from None
    except BaseException as exc:
        raise _panic(exc, fmt) from None
    return WorkbookFile(path, fmt, book, ods_cells)


class WorkbookFile:
    """An open workbook (implements reading.sheet.Workbook)."""

    def __init__(
        self,
        path: Path,
        fmt: safety.Format,
        book: calamine.CalamineWorkbook,
        ods_cells: dict[str, CellScan],
    ) -> None:
        self.path = path
        self.format = fmt
        self.sheet_names: list[str] = list(book.sheet_names)
        self._book: calamine.CalamineWorkbook | None = book
        self._ods_cells = ods_cells
        self._parts: dict[str, str] | None = None  # xlsx: sheet name -> zip member
        self._by_key: dict[str, str] = {}
        for name in self.sheet_names:
            self._by_key.setdefault(sheet_key(name), name)

    def sheet(self, name: str) -> RawSheet | None:
        """The sheet called `name` (case-insensitive, surrounding spaces ignored), or None.

        Reads that sheet only; the caller holds it for as long as it needs it. Raises FileProblem
        when the sheet cannot be read or spans more cells than the reader allows.
        """
        actual = self._by_key.get(sheet_key(name))
        if actual is None:
            return None
        if self._book is None:
            raise ValueError(f"{self.path} is closed")
        probe: Probe | None = None
        error_probe: ErrorProbe | None = None
        if self.format == "xlsx":
            try:
                part = self._part(actual)
                if ooxml.check_extent(self.path, part, actual):
                    probe, error_probe = _xlsx_probes(self.path, part)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
                # A damaged member (bad CRC, cut off) is a damaged file, not a bug of ours.
                raise problems.unreadable(
                    f'Arket "{actual}" kan ikke pakkes ud: filen er beskadiget.'
                ) from None
        elif self.format == "ods":
            cells = self._ods_cells.get(actual, CellScan())
            probe = _fixed_probe(cells.formulas)
            error_probe = (lambda: cells.errors) if cells.errors else None
        # .xls needs no probe: the format always stores a formula's last calculated value.
        try:
            found = self._book.get_sheet_by_name(actual)
            start = found.start
            # to_python(skip_empty_area=True) returns the grid from `start` on: one call into
            # Rust, no per-cell work in Python.
            data = found.to_python()
        except Exception as exc:
            raise _problem(exc, self.format, actual) from None
        except BaseException as exc:
            raise _panic(exc, self.format, actual) from None
        first_row, first_col = (start[0] + 1, start[1]) if start is not None else (1, 0)
        return RawSheet(
            actual, data, first_row, first_col, formula_probe=probe, error_probe=error_probe
        )

    def close(self) -> None:
        if self._book is not None:
            self._book.close()
            self._book = None

    def __enter__(self) -> WorkbookFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _part(self, sheet: str) -> str:
        if self._parts is None:
            try:
                self._parts = ooxml.sheet_parts(self.path)
            except FileProblem:
                raise
            except Exception as exc:  # a package calamine opened but we cannot map
                raise problems.unreadable(
                    f"Projektmappens oversigt over ark kan ikke læses ({exc})."
                ) from None
        part = self._parts.get(sheet)
        if part is None:
            raise problems.unreadable(f'Arket "{sheet}" kan ikke findes i projektmappen.')
        return part


if TYPE_CHECKING:
    _implements: type[Workbook] = WorkbookFile  # mypy checks the class against the Protocol


def sheet_key(name: str) -> str:
    """How sheet names are compared: Unicode-normalised, case-folded, surrounding spaces gone."""
    return unicodedata.normalize("NFC", name).strip().casefold()


def _xlsx_probes(path: Path, part: str) -> tuple[Probe, ErrorProbe]:
    """Formula and error probes that share one walk of the sheet, made when first asked."""
    found: list[CellScan] = []

    def scan() -> CellScan:
        if not found:
            # A probe runs inside a check; if the file has changed or vanished since it was
            # read, "nothing found" lets the check report what it sees instead of crashing.
            try:
                found.append(ooxml.scan_cells(path, part))
            except Exception:
                found.append(CellScan())
        return found[0]

    return (lambda: scan().formulas), (lambda: scan().errors)


def _fixed_probe(positions: frozenset[tuple[int, int]]) -> Probe:
    return lambda: positions


def _problem(exc: Exception, fmt: safety.Format, sheet: str | None = None) -> FileProblem:
    if isinstance(exc, calamine.PasswordError):
        return problems.encrypted(legacy_xls=fmt == "xls")
    detail = str(exc).strip() or type(exc).__name__
    if "cell limit" in detail.lower():  # calamine's own guard against huge .ods grids
        return problems.too_large(
            f"Regnearket beder om flere celler, end det kan læses med ({detail}). {problems.RESAVE}"
        )
    where = f'Arket "{sheet}"' if sheet else "Filen"
    return problems.unreadable(f"{where} kan ikke læses som regneark ({detail}).")


def _panic(exc: BaseException, fmt: safety.Format, sheet: str | None = None) -> FileProblem:
    """calamine's Rust code panicked on odd input (pyo3 raises PanicException, a BaseException)."""
    if type(exc).__name__ != "PanicException":
        raise exc
    return _problem(Exception(str(exc)), fmt, sheet)
