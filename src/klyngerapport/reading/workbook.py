"""Open a submitted workbook with python-calamine and hand out its sheets one at a time.

The only module that calls python-calamine. Every file passes the safety checks first; every
calamine failure becomes a FileProblem with a Danish message, never a traceback.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import python_calamine as calamine

from klyngerapport.reading import ods, ooxml, package, problems, safety, xls, xlsb
from klyngerapport.reading.sheet import CellScan, FileProblem, RawSheet, sheet_key

if TYPE_CHECKING:
    from klyngerapport.reading.sheet import Workbook

Probe = Callable[[], frozenset[tuple[int, int]]]
ErrorProbe = Callable[[], Mapping[tuple[int, int], str]]


def open_workbook(path: Path, wanted: Collection[str] | None = None) -> WorkbookFile:
    """Open `path` for reading sheets; FileProblem when it cannot or must not be read.

    `wanted`: the only sheets the caller will read (None: any). Usable as a context manager.
    The file is only ever opened read-only.
    """
    fmt = safety.sniff(path)
    extras = _Extras()
    keys = {sheet_key(n) for n in wanted} if wanted is not None else None
    is_wanted = (lambda name: sheet_key(name) in keys) if keys is not None else None
    content: bytes | None = None  # an .ods without the large tables nobody will read
    try:
        # calamine reads every sheet of an .xls or .ods when it opens it: their extents are
        # checked first, for all sheets together.
        if fmt == "ods":
            found = ods.scan_content(path, is_wanted)
            extras = _Extras(found.tables, found.merged, found.date1904, names=found.names)
            if found.skip:
                content = ods.without_tables(path, found.skip)
        elif fmt == "xls":
            scanned = xls.scan(path)
            extras = _Extras(
                {name: CellScan(errors=e) for name, e in scanned.errors.items()},
                date1904=scanned.date1904,
                errors_seen=scanned.walked,
            )
        else:
            with zipfile.ZipFile(path) as archive:
                extras = _Extras(date1904=package.uses_1904(archive))
    except FileProblem:
        raise
    except Exception:  # calamine reports a damaged file below, in its own words
        pass
    try:
        if content is not None:
            book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
            del content
        elif safety.SUFFIX_FORMATS[path.suffix.lower()] == fmt and _utf8(str(path)):
            book = calamine.CalamineWorkbook.from_path(str(path))
        else:
            # The bytes disagree with the extension (an .xls saved as .xlsx, ...): calamine picks
            # the format by extension from a path, but detects it from a file object. A name
            # that is not UTF-8 (Latin-1 bytes left by unzip) cannot be handed to calamine as a
            # path at all.
            with path.open("rb") as f:
                book = calamine.CalamineWorkbook.from_filelike(f)
    except Exception as exc:  # calamine raises its own classes and, on odd input, others
        raise _problem(exc, fmt) from None
    except BaseException as exc:
        raise _panic(exc, fmt) from None
    return WorkbookFile(path, fmt, book, extras)


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class _Extras:
    """What the reader's own look at the file found before calamine: per sheet cells calamine
    reads as empty, merged ranges (0-based, where calamine has none), the date system."""

    cells: dict[str, CellScan] = field(default_factory=dict)
    merged: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = field(default_factory=dict)
    date1904: bool = False
    errors_seen: bool = True  # False: error values cannot be told from empty cells
    names: list[str] | None = None  # every sheet, when calamine is given fewer


class WorkbookFile:
    """An open workbook (implements reading.sheet.Workbook)."""

    def __init__(
        self,
        path: Path,
        fmt: safety.Format,
        book: calamine.CalamineWorkbook,
        extras: _Extras | None = None,
    ) -> None:
        self.path = path
        self.format = fmt
        self._extras = extras or _Extras()
        loaded = list(book.sheet_names)
        names = self._extras.names
        self.sheet_names: list[str] = names if names and set(loaded) <= set(names) else loaded
        self._book: calamine.CalamineWorkbook | None = book
        self._parts: dict[str, str] | None = None  # xlsx/xlsb: sheet name -> zip member

    def matching(self, name: str) -> list[str]:
        key = sheet_key(name)
        return [n for n in self.sheet_names if sheet_key(n) == key]

    def sheet(self, name: str) -> RawSheet | None:
        """The sheet called `name` (compared by `sheet_key`; the first of several), or None.

        Reads that sheet only; the caller holds it for as long as it needs it. Raises FileProblem
        when the sheet cannot be read or spans more cells than the reader allows.
        """
        found_names = self.matching(name)
        if not found_names:
            return None
        actual = found_names[0]
        if self._book is None:
            raise ValueError(f"{self.path} is closed")
        probe: Probe | None = None
        error_probe: ErrorProbe | None = None
        errors_unseen = False
        xlsb_merged: list[tuple[tuple[int, int], tuple[int, int]]] = []
        if self.format in ("xlsx", "xlsb"):
            try:
                part = self._part(actual)
                if self.format == "xlsb":
                    scanned, xlsb_merged = xlsb.scan_sheet(self.path, part, actual)
                    error_probe = _fixed_errors(scanned.errors)
                elif ooxml.check_extent(self.path, part, actual):
                    probe, error_probe = _xlsx_probes(self.path, part)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
                # A damaged member (bad CRC, cut off) is a damaged file, not a bug of ours.
                raise problems.unreadable(
                    f'Arket "{actual}" kan ikke pakkes ud: filen er beskadiget.'
                ) from None
        else:
            cells = self._extras.cells.get(actual, CellScan())
            probe = _fixed_probe(cells.formulas) if cells.formulas else None
            error_probe = _fixed_errors(cells.errors)
            # .xls: calamine reads an error value as empty; the walk finds them unless the file
            # could not be walked.
            errors_unseen = not self._extras.errors_seen
        try:
            found = self._book.get_sheet_by_name(actual)
            start = found.start
            # to_python(skip_empty_area=True) returns the grid from `start` on: one call into
            # Rust, no per-cell work in Python.
            data = found.to_python()
            ranges = found.merged_cell_ranges
        except Exception as exc:
            raise _problem(exc, self.format, actual) from None
        except BaseException as exc:
            raise _panic(exc, self.format, actual) from None
        if ranges is None:
            ranges = xlsb_merged or self._extras.merged.get(actual, [])
        merged = tuple(
            (r0 + 1, c0, r1 + 1, c1) for (r0, c0), (r1, c1) in ranges if (r0, c0) != (r1, c1)
        )
        first_row, first_col = (start[0] + 1, start[1]) if start is not None else (1, 0)
        return RawSheet(
            actual,
            data,
            first_row,
            first_col,
            formula_probe=probe,
            error_probe=error_probe,
            merged=merged,
            date1904=self._extras.date1904,
            errors_unseen=errors_unseen,
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


def _fixed_errors(errors: Mapping[tuple[int, int], str]) -> ErrorProbe | None:
    return (lambda: errors) if errors else None


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
