"""Looking inside a legacy .xls file before python-calamine reads it.

calamine reads every sheet of an .xls when it opens the file and builds, per sheet, a dense grid
from the first to the last cell (and one more over the formula cells), so a few bytes that place
one value at IV65536 cost hundreds of megabytes, and twenty such sheets several gigabytes. One
pass over the BIFF records (the Workbook stream of the OLE compound file) measures what calamine
will allocate for all sheets together and refuses the file before calamine runs when that is too
much. The same pass finds the cells that show an error value (#DIV/0!, #N/A), which calamine
reads as empty, and whether the workbook counts dates from 1904.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from klyngerapport.reading import problems
from klyngerapport.reading.safety import MAX_CELLS
from klyngerapport.reading.sheet import ERROR_CODES, cell_ref

# A BIFF8 sheet has at most 65,536 rows and 256 columns; a DIMENSIONS record declaring more is
# not from a spreadsheet program (calamine reserves room for what it declares).
MAX_DECLARED = 65_536 * 256

_FREE, _END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE
_BOF, _EOF, _BOUNDSHEET, _DATEMODE, _DIMENSIONS = 0x0809, 0x000A, 0x0085, 0x0022, 0x0200
_FORMULA, _BOOLERR, _MULRK = 0x0006, 0x0205, 0x00BD
_VALUE_CELLS = frozenset({0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD})


class NotReadable(Exception):
    """The compound file or its Workbook stream cannot be walked (calamine will say why)."""


@dataclass
class _Extent:
    top: int = 1 << 62
    left: int = 1 << 62
    bottom: int = -1
    right: int = -1

    def add(self, row: int, col: int) -> None:
        self.top, self.bottom = min(self.top, row), max(self.bottom, row)
        self.left, self.right = min(self.left, col), max(self.right, col)

    @property
    def cells(self) -> int:
        if self.bottom < 0:
            return 0
        return (self.bottom - self.top + 1) * (self.right - self.left + 1)

    def ref(self) -> str:
        return f"{cell_ref(self.top + 1, self.left)}:{cell_ref(self.bottom + 1, self.right)}"


@dataclass
class XlsScan:
    """What the walk found: error cells per sheet and the workbook's date system."""

    errors: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)
    date1904: bool = False
    walked: bool = True  # False: the records could not be walked (calamine will say more)


def scan(path: Path) -> XlsScan:
    """Error cells and the date system; FileProblem (file-too-large) when the sheets calamine
    would load span more cells together than the reader allows. A file whose structure cannot
    be walked is left to calamine, which reports it."""
    data = path.read_bytes()
    try:
        stream = workbook_stream(data)
    except (NotReadable, struct.error, IndexError):
        return XlsScan(walked=False)
    try:
        return _walk(stream)
    except (struct.error, IndexError):
        return XlsScan(walked=False)


# --- the OLE compound file -------------------------------------------------------------------


def workbook_stream(data: bytes) -> bytes:
    """The bytes of the 'Workbook' (or BIFF5 'Book') stream, names matched case-insensitively."""
    if len(data) < 512:
        raise NotReadable("too short")
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    if shift not in (9, 12):
        raise NotReadable("sector size")
    size = 1 << shift
    fat_count, dir_start = struct.unpack_from("<II", data, 0x2C)
    mini_cutoff, minifat_start, minifat_count, difat_start, difat_count = struct.unpack_from(
        "<IIIII", data, 0x38
    )
    sectors = (len(data) - 512) // size + 1

    def sector(n: int) -> bytes:
        at = (n + 1) * size
        return data[at : at + size]

    difat = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < sectors]
    next_difat = difat_start
    for _ in range(min(difat_count, sectors)):
        if next_difat >= sectors:
            break
        entries = struct.unpack(f"<{size // 4}I", sector(next_difat))
        difat.extend(s for s in entries[:-1] if s < sectors)
        next_difat = entries[-1]
    fat: list[int] = []
    for s in difat[: max(fat_count, 0) or len(difat)]:
        fat.extend(struct.unpack(f"<{size // 4}I", sector(s).ljust(size, b"\xff")))

    def chain(start: int, table: list[int], limit: int) -> list[int]:
        out: list[int] = []
        while start < len(table) and start not in (_FREE, _END_OF_CHAIN) and len(out) < limit:
            out.append(start)
            start = table[start]
        return out

    directory = b"".join(sector(s) for s in chain(dir_start, fat, sectors))
    root: tuple[int, int] | None = None
    found: tuple[int, int] | None = None
    for at in range(0, len(directory) - 127, 128):
        entry = directory[at : at + 128]
        length, kind = struct.unpack_from("<HB", entry, 64)
        name = entry[: max(min(length, 64) - 2, 0)].decode("utf-16-le", "replace")
        start, stream_size = struct.unpack_from("<II", entry, 116)
        if kind == 5:
            root = (start, stream_size)
        elif kind == 2 and name.casefold() in ("workbook", "book") and found is None:
            found = (start, stream_size)
    if found is None:
        raise NotReadable("no Workbook stream")
    start, stream_size = found
    if stream_size >= mini_cutoff or root is None:
        return b"".join(sector(s) for s in chain(start, fat, sectors))[:stream_size]
    # A small stream lives in the mini stream (64-byte sectors inside the root entry's stream).
    minifat: list[int] = []
    for s in chain(minifat_start, fat, min(minifat_count, sectors) or sectors):
        minifat.extend(struct.unpack(f"<{size // 4}I", sector(s).ljust(size, b"\xff")))
    mini = b"".join(sector(s) for s in chain(root[0], fat, sectors))
    pieces = [mini[m * 64 : m * 64 + 64] for m in chain(start, minifat, len(minifat))]
    return b"".join(pieces)[:stream_size]


# --- the BIFF records --------------------------------------------------------------------------


def _records(stream: bytes, at: int) -> Iterator[tuple[int, int, int]]:
    n = len(stream)
    while at + 4 <= n:
        typ, size = struct.unpack_from("<HH", stream, at)
        yield typ, at + 4, size
        at += 4 + size


def _walk(stream: bytes) -> XlsScan:
    result = XlsScan()
    sheets: list[tuple[str, int]] = []
    biff8 = True
    for typ, at, size in _records(stream, 0):
        if typ == _BOF and not sheets and size >= 2:
            biff8 = struct.unpack_from("<H", stream, at)[0] == 0x0600
        elif typ == _BOUNDSHEET and size >= 8:
            (position,) = struct.unpack_from("<I", stream, at)
            sheets.append((_sheet_name(stream[at + 6 : at + size], biff8), position))
        elif typ == _DATEMODE and size >= 2:
            result.date1904 = struct.unpack_from("<H", stream, at)[0] == 1
        elif typ == _EOF:
            break
    total = 0
    for name, position in sheets:
        values, formulas, errors = _walk_sheet(stream, position, name, biff8)
        if errors:
            result.errors[name] = errors
        total += values.cells + formulas.cells
        if total > MAX_CELLS:
            raise problems.too_many_cells(name, values.ref(), MAX_CELLS, whole_file=True)
    return result


def _sheet_name(data: bytes, biff8: bool) -> str:
    if not data:
        return ""
    count = data[0]
    if biff8 and len(data) >= 2:
        if data[1] & 0x01:
            return data[2 : 2 + 2 * count].decode("utf-16-le", "replace")
        return data[2 : 2 + count].decode("latin-1")
    return data[1 : 1 + count].decode("cp1252", "replace")


def _walk_sheet(
    stream: bytes, position: int, name: str, biff8: bool
) -> tuple[_Extent, _Extent, dict[tuple[int, int], str]]:
    """The extents of value cells and formula cells, and error cells, as calamine reads them."""
    values, formulas = _Extent(), _Extent()
    errors: dict[tuple[int, int], str] = {}
    seen_bof = False
    depth = 0  # nested substreams (embedded charts) carry cell-like records; calamine skips them
    for typ, at, size in _records(stream, position):
        if depth:
            depth += 1 if typ == _BOF else -1 if typ == _EOF else 0
            continue
        if typ == _BOF:
            if seen_bof:
                depth = 1
            seen_bof = True
        elif typ == _EOF:
            break
        elif typ == _DIMENSIONS:
            if biff8 and size >= 12:
                first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", stream, at)
            elif size >= 8:
                first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", stream, at)
            else:
                continue
            declared = max(last_row - first_row, 0) * max(last_col - first_col, 0)
            if declared > MAX_DECLARED:
                extent = f"{cell_ref(first_row + 1, first_col)}:{cell_ref(last_row, last_col)}"
                raise problems.too_many_cells(name, extent, MAX_DECLARED)
        elif typ in _VALUE_CELLS and size >= 4:
            row, col = struct.unpack_from("<HH", stream, at)
            values.add(row, col)
            if typ == _BOOLERR and size >= 8 and stream[at + 7]:
                errors[(row + 1, col)] = ERROR_CODES.get(stream[at + 6], "#FEJL")
        elif typ == _MULRK and size >= 6:
            row, first = struct.unpack_from("<HH", stream, at)
            (last,) = struct.unpack_from("<H", stream, at + size - 2)
            values.add(row, first)
            values.add(row, max(first, last))
        elif typ == _FORMULA and size >= 20:
            row, col = struct.unpack_from("<HH", stream, at)
            result = stream[at + 6 : at + 14]
            formulas.add(row, col)
            if result[6:8] == b"\xff\xff" and result[0] == 2:
                errors[(row + 1, col)] = ERROR_CODES.get(result[2], "#FEJL")
            elif not (result[6:8] == b"\xff\xff" and result[0] == 3):  # 3: an empty string
                values.add(row, col)
        else:
            continue
        if values.cells > MAX_CELLS:
            raise problems.too_many_cells(name, values.ref(), MAX_CELLS)
    return values, formulas, errors
