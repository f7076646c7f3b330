"""The Indberetning sheet: which office and year a submission is for, and who sent it.

Labels are in column A and values in column B, on any row; labels are matched like headers
("År", "år:", "Aar" are the same label).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from klyngerapport.checks.header import compact
from klyngerapport.checks.messages import SheetFindings
from klyngerapport.checks.values import clean_text, is_blank, parse_date, parse_year
from klyngerapport.config import Config
from klyngerapport.errors import nearest
from klyngerapport.model import Finding, Office
from klyngerapport.reading.sheet import RawSheet
from klyngerapport.schema import (
    INFO_CONTACT,
    INFO_DATE,
    INFO_EMAIL,
    INFO_OFFICE,
    INFO_YEAR,
    SHEET_INFO,
)

SHEET = SHEET_INFO
LABELS: dict[str, tuple[str, ...]] = {
    INFO_OFFICE: ("Klyngekontor-id", "Kontor"),
    INFO_YEAR: ("Aar", "Ar", "Indberetningsår"),
    INFO_CONTACT: ("Kontakt",),
    INFO_EMAIL: ("Email", "Mail", "E-mailadresse"),
    INFO_DATE: ("Indberetningsdato",),
}
_LOOKUP = {compact(name): label for label, names in LABELS.items() for name in (label, *names)}
_LABEL_COL, _VALUE_COL = 0, 1


@dataclass(frozen=True, slots=True)
class Metadata:
    office_id: str | None  # a configured office id, or None (a finding says why)
    year: int | None  # the year the file states, or None
    contact: str
    email: str
    date: dt.date | None
    findings: tuple[Finding, ...]


def check_metadata(sheet: RawSheet, file: str, config: Config, year: int | None = None) -> Metadata:
    """Read and check the Indberetning sheet. `year` is the year asked for (None: any)."""
    findings = SheetFindings(file, sheet.name)
    rows: dict[str, int] = {}
    for i in range(len(sheet.data)):
        row = sheet.first_row + i
        label = sheet.value(row, _LABEL_COL)
        if isinstance(label, str) and label:
            canonical = _LOOKUP.get(compact(label))
            if canonical is not None:
                rows.setdefault(canonical, row)

    def value(label: str) -> object:
        row = rows.get(label)
        return None if row is None else sheet.value(row, _VALUE_COL)

    found_year = _year(sheet, rows.get(INFO_YEAR), year, config, findings)
    office_id = _office(sheet, rows.get(INFO_OFFICE), found_year or year, config, findings)
    date = parse_date(value(INFO_DATE), sheet.date1904)
    return Metadata(
        office_id=office_id,
        year=found_year,
        contact=clean_text(value(INFO_CONTACT)),
        email=clean_text(value(INFO_EMAIL)),
        date=date[0] if date else None,
        findings=tuple(findings.items),
    )


def _year(
    sheet: RawSheet, row: int | None, asked: int | None, config: Config, findings: SheetFindings
) -> int | None:
    example = asked or _example_year(config)
    if row is None:
        findings.add("year-missing/no-label", example=example)
        return None
    raw = sheet.value(row, _VALUE_COL)
    if is_blank(raw):
        key = "formula-no-value" if sheet.formula_without_value(row, _VALUE_COL) else "year-missing"
        findings.add(key, row, _VALUE_COL, example=example)
        return None
    found = parse_year(raw)
    if found is None:
        findings.add("year-missing/not-a-year", row, _VALUE_COL, value=raw, example=example)
        return None
    if asked is not None and found != asked:
        findings.add("year-mismatch", row, _VALUE_COL, value=raw, found=found, year=asked)
    return found


def _office(
    sheet: RawSheet, row: int | None, year: int | None, config: Config, findings: SheetFindings
) -> str | None:
    example = config.offices[0].id if config.offices else "we-build-denmark"
    if row is None:
        findings.add("office-missing/no-label", example=example)
        return None
    raw = sheet.value(row, _VALUE_COL)
    if is_blank(raw):
        key = (
            "formula-no-value" if sheet.formula_without_value(row, _VALUE_COL) else "office-missing"
        )
        findings.add(key, row, _VALUE_COL, example=example)
        return None
    text = clean_text(raw)
    office = match_office(text, config.offices)
    if office is None:
        ids = [o.id for o in config.offices]
        best = nearest(text, ids) or nearest(text, [o.cluster for o in config.offices])
        if best is not None and best not in ids:
            best = next(o.id for o in config.offices if o.cluster == best)
        suggest = f' Mente du "{best}"?' if best else ""
        findings.add(
            "office-unknown",
            row,
            _VALUE_COL,
            value=raw,
            suggest=suggest,
            known=", ".join(ids) or "ingen",
        )
        return None
    if year is not None and not office.active(year):
        # Known, but without a contract for the year: the id is kept so the file is still shown
        # as this office's; the caller checks no contract.
        findings.add(
            "office-unknown/inactive",
            row,
            _VALUE_COL,
            value=raw,
            year=year,
            first=office.first_year,
            last=office.last_year,
        )
    return office.id


def match_office(text: str, offices: tuple[Office, ...]) -> Office | None:
    """An office by its id or its cluster name, case-insensitively."""
    key = text.casefold()
    for office in offices:
        if office.id == key:
            return office
    by_cluster = [o for o in offices if o.cluster.casefold() == key]
    return by_cluster[0] if len(by_cluster) == 1 else None


def _example_year(config: Config) -> int:
    return config.offices[0].first_year if config.offices else dt.date.today().year
