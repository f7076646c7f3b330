"""Finding the header row of a table sheet (Indikatorer, Virksomheder).

The header may be any of the first 10 rows, columns may come in any order and extra columns are
ignored. Header names are matched on their letters and digits only, case-insensitively, so
"CVR-nummer", "CVR nummer" and " cvr-nummer: " are the same column; a few common other names
("CVR", "Navn") are accepted too.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from klyngerapport.checks.messages import SheetFindings
from klyngerapport.reading.sheet import RawSheet

HEADER_ROWS = 10


def compact(text: str) -> str:
    """'CVR-nummer ' -> 'cvrnummer': NFC, case-folded, letters and digits only."""
    return "".join(c for c in unicodedata.normalize("NFC", text).casefold() if c.isalnum())


@dataclass(frozen=True, slots=True)
class Columns:
    """The canonical names of a table's columns and the other names each may go by."""

    names: Mapping[str, Sequence[str]]  # canonical -> accepted other spellings
    required: Sequence[str]

    def lookup(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for canonical, others in self.names.items():
            for name in (canonical, *others):
                out.setdefault(compact(name), canonical)
        return out


@dataclass(frozen=True, slots=True)
class Header:
    row: int  # 1-based row of the header
    columns: dict[str, int]  # canonical name -> 0-based column (0 = A)


def find_header(sheet: RawSheet, columns: Columns, findings: SheetFindings) -> Header | None:
    """The header row among the first 10 rows, or None (with column-missing findings).

    The row that names the most known columns wins (the first such row on a tie).
    """
    lookup = columns.lookup()
    best: Header | None = None
    last = min(len(sheet.data), HEADER_ROWS - sheet.first_row + 1)
    for i in range(max(last, 0)):
        found: dict[str, int] = {}
        for j, value in enumerate(sheet.data[i]):
            if isinstance(value, str) and value:
                canonical = lookup.get(compact(value))
                if canonical is not None and canonical not in found:
                    found[canonical] = sheet.first_col + j
        if found and (best is None or len(found) > len(best.columns)):
            best = Header(sheet.first_row + i, found)
    if best is None:
        names = ", ".join(f'"{c}"' for c in columns.names)
        findings.add("column-missing/no-header", columns=names)
        return None
    missing = [c for c in columns.required if c not in best.columns]
    for name in missing:
        findings.add_row("column-missing", best.row, column=name, header_row=best.row)
    return None if missing else best
