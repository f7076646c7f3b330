"""One submission workbook -> one Submission with its findings.

Nothing in the file makes this raise: a sheet that cannot be read, or even a bug met while
checking it, becomes a finding about the file, and what the other sheets said is kept. Each
workbook holds one sheet in memory at a time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import re
import threading
from collections.abc import Iterator
from pathlib import Path

from klyngerapport.checks.companies import SHEET as COMPANIES
from klyngerapport.checks.companies import check_companies
from klyngerapport.checks.derived import derived_differences
from klyngerapport.checks.indicators import (
    NATIONAL_SHEET,
    check_indicators,
    contract_for,
    national_contract_for,
)
from klyngerapport.checks.indicators import SHEET as INDICATORS
from klyngerapport.checks.messages import SEVERITY, finding
from klyngerapport.checks.metadata import SHEET as METADATA
from klyngerapport.checks.metadata import Metadata, check_metadata
from klyngerapport.config import Config
from klyngerapport.model import CompanyRow, Finding, IndicatorRow, Submission
from klyngerapport.reading.sheet import FileProblem, RawSheet, Workbook
from klyngerapport.reading.workbook import open_workbook


def validate_file(
    path: Path,
    config: Config,
    year: int | None,
    display: str,
    keep_rows: bool = True,
    cutoff: dt.date | None = None,
) -> Submission:
    """Read and check one submission workbook. Never raises for what is in the file.

    `year` is the year asked for (None: the year the file states); `display` is how the file is
    named in findings. `keep_rows=False` leaves Submission.companies empty (checks only).
    `cutoff` (generate --as-of): activities dated after it are errors.
    """
    try:
        with _collector_paused():
            return _validate_workbook(path, config, year, display, keep_rows, cutoff)
    except FileProblem as problem:
        office_id, file_year = office_from_name(path, config, year)
        return Submission(path, office_id, file_year, findings=(problem_finding(display, problem),))
    except Exception as exc:  # a bug must not stop the other files; the message says so
        office_id, file_year = office_from_name(path, config, year)
        return Submission(path, office_id, file_year, findings=(_crash_finding(display, exc),))


def office_from_name(path: Path, config: Config, year: int | None) -> tuple[str | None, int | None]:
    """The office and year a file's name points to ("bio-solutions-2022.xlsx"), if any.

    For a file that cannot be read or states no office, the office did send something, so
    the report shows its submission as having errors rather than as missing; and for the files
    that look like an office's missing submission. Template files are named
    `<office-id>-<YEAR>.xlsx`; the longest office id the name starts with wins.
    """
    stem = path.stem.casefold()
    ids = sorted((o.id for o in config.offices), key=len, reverse=True)
    office = next(
        (i for i in ids if stem == i or stem.startswith((f"{i}-", f"{i} ", f"{i}_"))), None
    )
    if office is None:
        return None, None
    found = re.search(r"(?<!\d)(\d{4})(?!\d)", stem[len(office) :])
    return office, int(found.group(1)) if found else year


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while workbooks are read and checked.

    Reading and checking a large sheet creates a few hundred thousand objects that form no
    cycles (cells, rows, CompanyRows); the collector would walk them again and again for nothing.
    Reference counting still frees everything as usual, so the readers take care to leave no
    cycles behind. Files are checked two at a time (validation/__init__.py), so the pause
    usually lasts until the last file is done.
    """
    with _PAUSE.lock:
        if _PAUSE.workbooks == 0:
            _PAUSE.was_enabled = gc.isenabled()
            gc.disable()
        _PAUSE.workbooks += 1
    try:
        yield
    finally:
        with _PAUSE.lock:
            _PAUSE.workbooks -= 1
            if _PAUSE.workbooks == 0 and _PAUSE.was_enabled:
                gc.enable()


class _Pause:
    """The workbooks being checked now, and whether the collector ran before the first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.workbooks = 0
        self.was_enabled = False


_PAUSE = _Pause()


@contextlib.contextmanager
def _step(findings: list[Finding], display: str) -> Iterator[None]:
    """Read and check one sheet; a sheet that cannot be read, or a bug, becomes a finding.

    What the other sheets said (the office and year above all) is kept, so a file with one
    broken sheet is still known as the office's submission, not reported as missing.
    """
    try:
        yield
    except FileProblem as problem:
        findings.append(problem_finding(display, problem))
    except Exception as exc:
        findings.append(_crash_finding(display, exc))


def _validate_workbook(
    path: Path,
    config: Config,
    year: int | None,
    display: str,
    keep_rows: bool,
    cutoff: dt.date | None,
) -> Submission:
    # Only these sheets are ever read; a reader that loads every sheet at once (.ods) is given
    # a copy without the large others.
    workbook = open_workbook(path, wanted=(METADATA, INDICATORS, COMPANIES, NATIONAL_SHEET))
    findings: list[Finding] = []
    meta: Metadata | None = None
    indicators: tuple[IndicatorRow, ...] = ()
    national: tuple[IndicatorRow, ...] = ()
    companies: tuple[CompanyRow, ...] = ()
    try:
        # One sheet in memory at a time: each is dropped when its step ends.
        with _step(findings, display):
            sheet = _sheet(workbook, METADATA, display, findings)
            if sheet is not None:
                meta = check_metadata(sheet, display, config, year)
                findings.extend(meta.findings)
        office_id = meta.office_id if meta else None
        the_year = meta.year if meta and meta.year is not None else year
        # When the file states another year than the one asked for, which year its dates belong
        # to is unknown until År is fixed: the year-mismatch error says so once, instead of a
        # date-outside-year error on every row.
        dates_year = None if year is not None and the_year != year else the_year
        # Participation is that of the submission's year; a file without any year is checked
        # against the list in force from the start (its year-missing error says the rest).
        participating = config.participating(the_year if the_year is not None else 0)
        with _step(findings, display):
            sheet = _sheet(workbook, INDICATORS, display, findings)
            if sheet is not None:
                indicators, found = check_indicators(sheet, display, config, office_id, the_year)
                findings.extend(found)
        sheet = None
        with _step(findings, display):
            national, national_findings = _national(workbook, display, config, office_id, the_year)
            findings.extend(national_findings)
        # A number reported for a derived indicator is compared with the count of the company
        # rows, which are then kept for this file even when the caller wants none.
        contract = contract_for(config, office_id, the_year) or []
        derived = {i.id for i, _ in contract if i.derived}
        compare = any(r.id in derived and r.result is not None for r in indicators)
        with _step(findings, display):
            sheet = _sheet(workbook, COMPANIES, display, findings)
            if sheet is not None:
                companies, found = check_companies(
                    sheet,
                    display,
                    dates_year,
                    participating,
                    keep_rows or compare,
                    cutoff,
                )
                findings.extend(found)
                if compare:
                    codes = frozenset(m.code for m in participating)
                    findings.extend(
                        derived_differences(display, indicators, companies, contract, codes)
                    )
        sheet = None
        if not keep_rows:
            companies = ()
    finally:
        workbook.close()
    # The same crash in every step is one finding.
    findings = sorted(dict.fromkeys(findings), key=Finding.sort_key)
    file_year = meta.year if meta else None
    if office_id is None:
        # Indberetning could not be read or names no known office: the file is still there,
        # so a name like "bio-solutions-2022.xlsx" makes it that office's (with its errors),
        # never a missing submission.
        office_id, name_year = office_from_name(path, config, year)
        if file_year is None:
            file_year = name_year
    return Submission(
        path,
        office_id,
        file_year,
        contact=meta.contact if meta else "",
        email=meta.email if meta else "",
        indicators=indicators,
        companies=companies,
        findings=tuple(findings),
        national=national,
    )


def _national(
    workbook: Workbook, display: str, config: Config, office_id: str | None, year: int | None
) -> tuple[tuple[IndicatorRow, ...], list[Finding]]:
    """The Nationale mål sheet, read when the office has national targets for the year.

    Without national targets the sheet is not needed and never loaded. Where there are some and
    the sheet is absent, that is a warning, not an error (PRODUCT.md §10): the regional
    follow-up does not depend on it. The spec names no code for it; it is `sheet-missing` with
    severity warning and its own message.
    """
    if not national_contract_for(config, office_id, year):
        return (), []
    sheet = workbook.sheet(NATIONAL_SHEET)
    if sheet is None:
        office = config.office(office_id) if office_id else None
        found = ", ".join(f'"{n}"' for n in workbook.sheet_names) or "ingen faner"
        missing = finding(
            "sheet-missing/national",
            display,
            sheet=NATIONAL_SHEET,
            name=NATIONAL_SHEET,
            found=found,
            cluster=office.cluster if office else office_id,
            office=office_id,
            year=year,
        )
        return (), [dataclasses.replace(missing, severity="warning")]
    rows, found_findings = check_indicators(sheet, display, config, office_id, year, national=True)
    return rows, list(found_findings)


def problem_finding(display: str, problem: FileProblem) -> Finding:
    """A file that cannot be read or checked (FileProblem), as a finding about that file."""
    return Finding(problem.code, SEVERITY.get(problem.code, "error"), display, problem.message)


def _crash_finding(display: str, exc: Exception) -> Finding:
    detail = f"{type(exc).__name__}: {exc}"
    return finding("file-unreadable/crash", display, detail=detail[:300])


def _sheet(workbook: Workbook, name: str, display: str, findings: list[Finding]) -> RawSheet | None:
    matching = workbook.matching(name)
    if len(matching) > 1:
        # "Virksomheder" and "Virksomheder " both match: which one holds the data is a guess.
        names = ", ".join(f'"{n}"' for n in matching[:-1]) + f' og "{matching[-1]}"'
        findings.append(finding("sheet-ambiguous", display, sheet=name, name=name, names=names))
        return None
    sheet = workbook.sheet(name)
    if sheet is None:
        found = ", ".join(f'"{n}"' for n in workbook.sheet_names) or "ingen faner"
        findings.append(finding("sheet-missing", display, sheet=name, name=name, found=found))
    return sheet
