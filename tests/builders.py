"""Submission workbooks for tests, built from plain values.

A `Book` describes a submission: the Indberetning labels and values, the Indikatorer and
Virksomheder rows (dicts keyed by column name, so a test can reorder, drop or add columns), rows
above the headers, and which sheets exist under which names. `book.sheets()` gives the RawSheets
the checks see, without a file; `book.save(path)` writes a real .xlsx with openpyxl.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from klyngerapport import schema
from klyngerapport.config import Config
from klyngerapport.reading.sheet import RawSheet
from klyngerapport.schema import COMPANY_HEADERS, DERIVED_TEXT, INDICATOR_HEADERS

INFO, INDICATORS, COMPANIES = schema.SHEET_INFO, schema.SHEET_INDICATORS, schema.SHEET_COMPANIES

# Valid CVR numbers (modulus 11 passes): municipalities' own, from the bundled data README.
NAESTVED_CVR, ROSKILDE_CVR, KALUNDBORG_CVR, KOEGE_CVR = 29189625, 29189404, 29189595, 29189374
VALID_CVR, CHECKSUM_BAD_CVR = 13585628, 13585627

Row = dict[str, Any]


def company(
    cvr: Any = NAESTVED_CVR,
    name: Any = "Næstved Byg ApS",
    municipality: Any = "Næstved",
    sme: Any = "Ja",
    activity: Any = "Innovationsprojekt",
    date: Any = dt.date(2022, 3, 1),
    **extra: Any,
) -> Row:
    """One Virksomheder row; every column can be overridden, extra columns added by name."""
    return {
        schema.CVR: cvr,
        schema.NAME: name,
        schema.MUNICIPALITY: municipality,
        schema.SME: sme,
        schema.ACTIVITY: activity,
        schema.DATE: date,
        **extra,
    }


def indicator(
    ident: Any,
    result: Any,
    target: Any = None,
    name: Any = "",
    unit: Any = "antal",
    comment: Any = None,
    **extra: Any,
) -> Row:
    return {
        schema.IND_ID: ident,
        schema.IND_NAME: name,
        schema.IND_UNIT: unit,
        schema.IND_TARGET: target,
        schema.IND_RESULT: result,
        schema.IND_COMMENT: comment,
        **extra,
    }


def contract_rows(config: Config, office: str, year: int, result: float = 10) -> list[Row]:
    """The Indikatorer rows the template writes, with `result` for every reported indicator."""
    return [
        indicator(i.id, DERIVED_TEXT if i.derived else result, target, i.name, i.unit)
        for i, target in config.contract(office, year)
    ]


@dataclass
class Book:
    office: Any = "we-build-denmark"
    year: Any = 2022
    contact: Any = "Test Testesen"
    email: Any = "test@example.dk"
    date: Any = dt.date(2023, 1, 15)
    info: list[tuple[Any, Any]] | None = None  # replaces the Indberetning rows entirely
    info_title_rows: int = 3  # the template puts a title above the labels (labels from row 4)
    indicators: list[Row] = field(default_factory=list)
    indicator_headers: Sequence[str] = INDICATOR_HEADERS
    companies: list[Row] = field(default_factory=list)
    company_headers: Sequence[str] = COMPANY_HEADERS
    title_rows: int = 0  # rows (a title and a blank row) above the table headers
    names: dict[str, str | None] = field(default_factory=dict)  # sheet name, or None: leave out

    def with_(self, **changes: Any) -> Book:
        return replace(self, **changes)

    def _grid(self, sheet: str) -> list[list[Any]]:
        if sheet == INFO:
            labels = (
                self.info
                if self.info is not None
                else [
                    (schema.INFO_OFFICE, self.office),
                    (schema.INFO_YEAR, self.year),
                    (schema.INFO_CONTACT, self.contact),
                    (schema.INFO_EMAIL, self.email),
                    (schema.INFO_DATE, self.date),
                ]
            )
            title: list[list[Any]] = [["Indberetning til KKR Sjælland"]] + [
                [None] for _ in range(self.info_title_rows - 1)
            ]
            return title[: self.info_title_rows] + [list(pair) for pair in labels]
        headers, rows = (
            (self.indicator_headers, self.indicators)
            if sheet == INDICATORS
            else (self.company_headers, self.companies)
        )
        grid: list[list[Any]] = []
        if self.title_rows:
            grid.append([f"{sheet} – indberetning"])
            grid.extend([None] for _ in range(self.title_rows - 1))
        grid.append(list(headers))
        grid.extend([row.get(h) for h in headers] for row in rows)
        return grid

    def sheet_names(self) -> list[tuple[str, str]]:
        """(canonical, name in the file) of the sheets that exist."""
        out = []
        for canonical in (INFO, INDICATORS, COMPANIES):
            name = self.names.get(canonical, canonical)
            if name is not None:
                out.append((canonical, name))
        return out

    def sheets(self) -> dict[str, RawSheet]:
        """The RawSheets a reader would produce, by canonical name."""
        return {
            canonical: RawSheet(name, self._grid(canonical))
            for canonical, name in self.sheet_names()
        }

    def sheet(self, canonical: str) -> RawSheet:
        return self.sheets()[canonical]

    def save(self, path: Path) -> Path:
        from openpyxl import Workbook

        wb = Workbook()
        wb.remove(wb.active)
        for canonical, name in self.sheet_names():
            ws = wb.create_sheet(name)
            for row in self._grid(canonical):
                ws.append(row)
        if not wb.sheetnames:
            wb.create_sheet("Ark1")
        wb.save(path)
        return path


SAMPLE_CONFIG = Path(__file__).resolve().parents[1] / "samples" / "klyngerapport.toml"


def sample_config() -> Config:
    """The sample working folder's config (four offices, Greve not participating)."""
    from klyngerapport.config import parse_file

    return parse_file(SAMPLE_CONFIG)
