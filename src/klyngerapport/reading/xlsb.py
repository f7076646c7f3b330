"""Looking inside an .xlsb sheet before python-calamine reads it: its extent and its error cells.

calamine builds a dense grid from a sheet's first to last cell, whatever the sheet's declared
dimension (BrtWsDim) says, so one record far away asks for billions of cells. One streaming pass
over the sheet's records measures the grid as calamine will build it (every cell record with a
value; blank cells are skipped as calamine skips them) and collects the cells that show an error,
which calamine reads as empty. .xlsb always stores a formula's calculated value, so there are no
formulas without one.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path
from typing import IO

from klyngerapport.reading import problems
from klyngerapport.reading.safety import MAX_CELLS
from klyngerapport.reading.sheet import ERROR_CODES, CellScan, cell_ref

_ROW_HEADER = 0x0000
_VALUE_CELLS = frozenset(range(0x0002, 0x000B))  # BrtCellRk .. BrtFmlaBool, as calamine reads
_CELL_ERROR, _FORMULA_ERROR = 0x0003, 0x000B
_END_SHEET_DATA = 0x0092
_MERGE_CELL = 0x00B0
_MAX_ROW = 0x0010_0000  # calamine stops at a row header beyond Excel's last row
_CHUNK = 1 << 20
_MAX_RECORD = 1 << 24


Merge = tuple[tuple[int, int], tuple[int, int]]


def scan_sheet(path: Path, part: str, sheet: str) -> tuple[CellScan, list[Merge]]:
    """Error cells and merged ranges (0-based, as calamine gives them for other formats) of one
    sheet; FileProblem (file-too-large) when its grid is too large."""
    with zipfile.ZipFile(path) as archive, archive.open(part) as stream:
        return _scan(stream, sheet)


def _scan(stream: IO[bytes], sheet: str) -> tuple[CellScan, list[Merge]]:
    errors: dict[tuple[int, int], str] = {}
    merged: list[Merge] = []
    in_data = True
    top = left = 1 << 62
    bottom = right = -1
    row = 0
    buffer = b""
    at = 0
    while True:
        record = _next(stream, buffer, at)
        if record is None:
            break
        typ, start, size, buffer = record
        at = start + size
        if not in_data:
            # After the cells: the merged ranges (BrtMergeCell: first row, last row, first
            # column, last column).
            if typ == _MERGE_CELL and size >= 16:
                r0, r1, c0, c1 = struct.unpack_from("<IIII", buffer, start)
                merged.append(((r0, c0), (r1, c1)))
            continue
        if typ == _ROW_HEADER and size >= 4:
            (row,) = struct.unpack_from("<I", buffer, start)
            if row > _MAX_ROW:
                in_data = False
        elif typ in _VALUE_CELLS or typ == _FORMULA_ERROR:
            if size < 8:
                continue
            (col,) = struct.unpack_from("<I", buffer, start)
            if typ in (_CELL_ERROR, _FORMULA_ERROR) and size >= 9:
                errors[(row + 1, col)] = ERROR_CODES.get(buffer[start + 8], "#FEJL")
            if typ == _FORMULA_ERROR:
                continue  # calamine does not read formula errors as cells
            grew = False
            if row < top:
                top, grew = row, True
            if row > bottom:
                bottom, grew = row, True
            if col < left:
                left, grew = col, True
            if col > right:
                right, grew = col, True
            if grew and (bottom - top + 1) * (right - left + 1) > MAX_CELLS:
                extent = f"{cell_ref(top + 1, left)}:{cell_ref(bottom + 1, right)}"
                raise problems.too_many_cells(sheet, extent, MAX_CELLS)
        elif typ == _END_SHEET_DATA:
            in_data = False
    return CellScan(frozenset(), errors), merged


def _next(stream: IO[bytes], buffer: bytes, at: int) -> tuple[int, int, int, bytes] | None:
    """(type, data offset, size, buffer) of the record at `at`, reading more as needed."""
    while True:
        parsed = _header(buffer, at)
        if parsed is not None:
            typ, start, size = parsed
            if size > _MAX_RECORD:
                return None  # no cell record is this long: a damaged part, read no further
            if start + size <= len(buffer):
                return typ, start, size, buffer
        more = stream.read(_CHUNK)
        if not more:
            return None
        buffer = buffer[at:] + more
        at = 0


def _header(buffer: bytes, at: int) -> tuple[int, int, int] | None:
    values = []
    for most in (2, 4):
        value = shift = 0
        for _ in range(most):
            if at >= len(buffer):
                return None
            byte = buffer[at]
            at += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        values.append(value)
    return values[0], at, values[1]
