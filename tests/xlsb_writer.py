"""A minimal .xlsb writer for tests: no spreadsheet program here saves binary workbooks.

Writes the records python-calamine and klyngerapport read (MS-XLSB): the workbook's sheet list
and each sheet's dimension, rows and cells (numbers, text, booleans, errors, formula errors).
Dates are written as serial numbers (there is no styles part to mark them as dates).
"""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
ERROR_CODES = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#N/A": 0x2A}


class FormulaError(str):
    """A formula cell whose cached result is this error ("#DIV/0!")."""


class CellError(str):
    """A cell that holds this error value as a constant."""


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def record(typ: int, data: bytes = b"") -> bytes:
    return _varint(typ) + _varint(len(data)) + data


def wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def _cell(col: int, value: Any) -> bytes:
    head = struct.pack("<II", col, 0)
    if isinstance(value, FormulaError):
        return record(0x000B, head + bytes([ERROR_CODES[value]]) + b"\x00\x00" + b"\x00" * 8)
    if isinstance(value, CellError):
        return record(0x0003, head + bytes([ERROR_CODES[value]]))
    if isinstance(value, bool):
        return record(0x0004, head + bytes([value]))
    if isinstance(value, dt.date):
        serial = (value - dt.date(1899, 12, 30)).days
        return record(0x0005, head + struct.pack("<d", float(serial)))
    if isinstance(value, int | float):
        return record(0x0005, head + struct.pack("<d", float(value)))
    return record(0x0006, head + wide(str(value)))


def sheet_bin(
    rows: Mapping[int, Sequence[Any]],
    dim: tuple[int, int, int, int] | None = None,
    merged: Sequence[tuple[int, int, int, int]] = (),
) -> bytes:
    """A worksheet part from {0-based row: values from column A}; `dim` overrides BrtWsDim;
    `merged` are (first row, last row, first column, last column), 0-based."""
    last_row = max(rows, default=0)
    last_col = max((len(v) for v in rows.values()), default=1) - 1
    first, last, c0, c1 = dim if dim is not None else (0, last_row, 0, max(last_col, 0))
    out = record(0x0081) + record(0x0094, struct.pack("<IIII", first, last, c0, c1))
    out += record(0x0091)
    for r in sorted(rows):
        out += record(0x0000, struct.pack("<IIHHB", r, 0, 300, 0, 0) + struct.pack("<I", 0))
        for c, value in enumerate(rows[r]):
            if value is not None:
                out += _cell(c, value)
    out += record(0x0092)
    if merged:
        out += record(0x00B1, struct.pack("<I", len(merged)))
        out += b"".join(record(0x00B0, struct.pack("<IIII", *m)) for m in merged)
        out += record(0x00B2)
    return out + record(0x0082)


def write_xlsb(
    path: Path,
    sheets: Mapping[str, Sequence[Sequence[Any]] | bytes],
    *,
    date1904: bool = False,
) -> Path:
    """An .xlsb with the given sheets (rows of values from A1, or a ready worksheet part)."""
    bundle = b""
    rels = ""
    parts: dict[str, bytes] = {}
    for i, (name, content) in enumerate(sheets.items(), start=1):
        bundle += record(0x009C, struct.pack("<II", 0, i) + wide(f"rId{i}") + wide(name))
        rels += (
            f'<Relationship Id="rId{i}" Type="{_DOC_RELS}/worksheet" '
            f'Target="worksheets/sheet{i}.bin"/>'
        )
        if isinstance(content, bytes):
            parts[f"xl/worksheets/sheet{i}.bin"] = content
        else:
            parts[f"xl/worksheets/sheet{i}.bin"] = sheet_bin(dict(enumerate(content)))
    workbook = (
        record(0x0083)
        + record(0x0099, struct.pack("<I", 1 if date1904 else 0) + struct.pack("<I", 0) + wide(""))
        + record(0x008F)
        + bundle
        + record(0x0090)
        + record(0x0084)
    )
    ct = "application/vnd.ms-excel"
    files = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="bin" ContentType="{ct}.sheet.binary.macroEnabled.main"/>'
            "</Types>"
        ).encode(),
        "_rels/.rels": (
            f'<Relationships xmlns="{_PKG_RELS}"><Relationship Id="rId1" '
            f'Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.bin"/></Relationships>'
        ).encode(),
        "xl/workbook.bin": workbook,
        "xl/_rels/workbook.bin.rels": (
            f'<Relationships xmlns="{_PKG_RELS}">{rels}</Relationships>'
        ).encode(),
        **parts,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path
