"""The Virksomheder sheet: one row per company engagement.

This is the one check that runs over tens of thousands of rows, so it works a column at a time:
the known columns are cut out of the rows once, each *distinct* value of a column is interpreted
once (a year's sheet repeats the same municipalities, activities, dates and companies), and the
rows then look their meaning up in a dict, in C-speed `map`s. Only the values that turned out
wrong are looked for row by row, so regular expressions, difflib suggestions and message
formatting cost nothing on a clean sheet.

Accepted spellings: SMV is "Ja" or "Nej" in any case, or the one-letter "J"/"N" (a common Danish
shorthand; anything else, including TRUE/FALSE, is sme-invalid). An activity is matched
case-insensitively with its spaces normalised. A municipality is any of Denmark's 98 that
`danish_municipalities().match` accepts (name in any case, ASCII ae/oe/aa, " Kommune", or its
code): a company in Aarhus is real but outside the participating municipalities, a warning.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import types
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, TypeVar

from klyngerapport.checks.cvr import cvr_checksum_ok, normalize_cvr
from klyngerapport.checks.header import Columns, find_header
from klyngerapport.checks.messages import SheetFindings, unseen
from klyngerapport.checks.values import (
    clean_text,
    display,
    format_date,
    is_blank,
    parse_date,
)
from klyngerapport.errors import suggestion
from klyngerapport.model import CompanyRow, Finding, Municipality
from klyngerapport.reading.sheet import RawSheet, cell_ref
from klyngerapport.reference import danish_municipalities
from klyngerapport.schema import (
    ACTIVITIES,
    ACTIVITY,
    CVR,
    DATE,
    MUNICIPALITY,
    NAME,
    SHEET_COMPANIES,
    SME,
)

SHEET = SHEET_COMPANIES
COLUMNS = Columns(
    names={
        CVR: ("CVR", "CVR-nr", "CVR-nr.", "CVR nummer"),
        NAME: ("Navn", "Virksomhed", "Firmanavn", "Virksomhedens navn"),
        MUNICIPALITY: ("Kommunenavn", "Kommunekode"),
        SME: ("SMV (Ja/Nej)", "SMV Ja/Nej"),
        ACTIVITY: ("Aktivitetstype", "Aktiviteter"),
        DATE: ("Aktivitetsdato",),
    },
    required=(CVR, NAME, MUNICIPALITY, SME, ACTIVITY, DATE),
)
SME_WORDS: dict[str, bool] = {"ja": True, "j": True, "nej": False, "n": False}
_ACTIVITY_KEYS = {" ".join(a.casefold().split()): a for a in ACTIVITIES}
_ACTIVITY_LIST = ", ".join(ACTIVITIES)
_CHECKSUM = "!"  # prefix of a CVR outcome whose check digit is wrong
T = TypeVar("T")


def check_companies(
    sheet: RawSheet,
    file: str,
    year: int | None,
    participating: Iterable[Municipality],
    keep_rows: bool = True,
    cutoff: dt.date | None = None,
) -> tuple[tuple[CompanyRow, ...], tuple[Finding, ...]]:
    """Read and check Virksomheder. Rows are kept when their CVR number is valid.

    `year` is the submission's year (None: dates are not checked against a year);
    `participating` are the municipalities whose companies count (others get a warning).
    `keep_rows=False` only checks: no CompanyRows are built (validate needs none).
    `cutoff` (generate --as-of): an activity of the year dated after it is an error.
    """
    findings = SheetFindings(file, sheet.name)
    header = find_header(sheet, COLUMNS, findings)
    if header is None:
        return (), tuple(findings.items)
    _spread_merged(sheet, header.row, [header.columns[c] for c in COLUMNS.required], findings)
    table = _Table(sheet, header.row, [header.columns[c] for c in COLUMNS.required])
    cvr, name, muni, sme, act, date = table.columns
    n = len(table.body)

    # Each distinct value of a column is interpreted once; rows then look their meaning up.
    cvr_of = _meanings(cvr.raw, _cvr_outcome)
    name_of = _meanings(name.raw, clean_text)
    muni_of = _meanings(muni.raw, danish_municipalities().match)
    sme_of = _meanings(sme.raw, _sme)
    act_of = _meanings(act.raw, _activity)
    parsed_of = _meanings(date.raw, functools.partial(parse_date, date1904=sheet.date1904))
    date_of = {v: p[0] if p else None for v, p in parsed_of.items()}

    invalid_cvr = {v for v, outcome in cvr_of.items() if len(outcome) != 8}
    empty = table.empty_rows(invalid_cvr)
    report = _Reporter(table, findings, empty)

    # --- what is wrong, column by column (nothing to do on the happy path) --------------------
    report.each(cvr, invalid_cvr, lambda row, v: _bad_cvr(report, row, cvr.col, v, cvr_of[v]))
    if missing_names := {v for v, text in name_of.items() if not text}:

        def name_missing(row: int, value: object) -> None:
            raw = cvr.raw[row - table.first]
            if is_blank(value) and sheet.formula_without_value(row, name.col):
                findings.add("formula-no-value", row, name.col)
                return
            shown = cvr_of[raw] if len(cvr_of[raw]) == 8 else display(raw).strip()
            findings.add(
                "name-missing", row, name.col, value=value or None, cvr=shown or "(mangler)"
            )

        report.each(name, missing_names, name_missing)
    report.each(
        muni,
        {v for v, m in muni_of.items() if m is None},
        lambda row, v: report.bad(
            row, muni.col, v, "municipality-unknown", suggest=_municipality_suggestion(v)
        ),
    )
    codes = {m.code for m in participating}
    outside = {v: m for v, m in muni_of.items() if m is not None and m.code not in codes}
    report.each(
        muni,
        outside,
        lambda row, v: findings.add(
            "municipality-outside", row, muni.col, value=v, municipality=outside[v].name
        ),
    )
    report.each(
        sme,
        {v for v, b in sme_of.items() if b is None},
        lambda row, v: report.bad(row, sme.col, v, "sme-invalid"),
    )
    report.each(
        act,
        {v for v, a in act_of.items() if a is None},
        lambda row, v: report.bad(
            row,
            act.col,
            v,
            "activity-unknown",
            known=_ACTIVITY_LIST,
            suggest=_activity_suggestion(v),
        ),
    )
    example_year = year or dt.date.today().year
    report.each(
        date,
        {v for v, d in date_of.items() if d is None},
        lambda row, v: report.bad(row, date.col, v, "date-invalid", year=example_year),
    )
    as_text = {v: p[0] for v, p in parsed_of.items() if p and p[1]}
    report.each(
        date,
        as_text,
        lambda row, v: findings.add(
            "date-as-text/serial" if isinstance(v, int | float) else "date-as-text",
            row,
            date.col,
            value=v,
            date=format_date(as_text[v]),
        ),
    )
    if year is not None:
        other_year = {v: d for v, d in date_of.items() if d is not None and d.year != year}
        report.each(
            date,
            other_year,
            lambda row, v: findings.add(
                "date-outside-year",
                row,
                date.col,
                value=v,
                date=format_date(other_year[v]),
                year=year,
            ),
        )
    if cutoff is not None:
        # A date outside the year already has its error; only the year's own dates are compared.
        late = {
            v: d
            for v, d in date_of.items()
            if d is not None and d > cutoff and (year is None or d.year == year)
        }
        report.each(
            date,
            late,
            lambda row, v: findings.add(
                "date-after-cutoff",
                row,
                date.col,
                value=v,
                date=format_date(late[v]),
                cutoff=format_date(cutoff),
            ),
        )

    # --- the rows to keep: those with a valid CVR number -------------------------------------
    rows: Sequence[int] = range(table.first, table.first + n)
    cvrs = list(map(cvr_of.__getitem__, cvr.raw))
    acts = list(map(act_of.__getitem__, act.raw))
    dates = list(map(date_of.__getitem__, date.raw))
    keep = [i for i, v in enumerate(cvr.raw) if v not in invalid_cvr] if invalid_cvr else None
    if keep is not None:
        rows, cvrs, acts, dates = (
            _pick(rows, keep),
            _pick(cvrs, keep),
            _pick(acts, keep),
            _pick(dates, keep),
        )
    kept: tuple[CompanyRow, ...] = ()
    if keep_rows:
        names = list(map(name_of.__getitem__, name.raw))
        munis = list(map(muni_of.__getitem__, muni.raw))
        smes = list(map(sme_of.__getitem__, sme.raw))
        if keep is not None:
            names, munis, smes = _pick(names, keep), _pick(munis, keep), _pick(smes, keep)
        kept = tuple(map(_new_company_row, rows, cvrs, names, munis, smes, acts, dates))

    # --- the same engagement twice -----------------------------------------------------------
    for row, first, number in _duplicates(rows, cvrs, acts, dates):
        findings.add_row("row-duplicate", row, value=number, first=first, cvr=number)
    return kept, _with_company_names(findings.items, table.first, name.raw, name_of)


def _with_company_names(
    items: list[Finding], first: int, raw_names: list[Any], name_of: dict[Any, str]
) -> tuple[Finding, ...]:
    """Each finding on a company row carries the company's name, so a reader knows the row."""
    out: list[Finding] = []
    for item in items:
        i = item.row - first
        name = name_of[raw_names[i]] if 0 <= i < len(raw_names) else ""
        out.append(dataclasses.replace(item, company=name) if name else item)
    return tuple(out)


def _spread_merged(
    sheet: RawSheet, header_row: int, cols: list[int], findings: SheetFindings
) -> None:
    """Give every row a merge covers the merged value, with a cell-merged warning.

    A merged cell shows its value in every row it spans, but only its first cell holds it; the
    rows below would otherwise read as empty ("CVR-nummeret mangler") although the office sees
    them filled. Only merges over several rows of the company data in a known column count.
    """
    wanted = set(cols)
    for top, left, bottom, right in sheet.merged:
        if bottom <= header_row or bottom == top or not wanted.intersection(range(left, right + 1)):
            continue
        first = max(top, header_row + 1)
        value = sheet.value(top, left)
        cells = f"{cell_ref(top, left)}:{cell_ref(bottom, right)}"
        if is_blank(value):
            findings.add("cell-merged/empty", top, left, cells=cells)
            continue
        for row in range(first, bottom + 1):
            sheet.set_value(row, left, value)
        findings.add("cell-merged", top, left, value=value, cells=cells)


class _Column:
    __slots__ = ("col", "raw")

    def __init__(self, col: int, raw: list[Any]) -> None:
        self.col = col  # 0-based column in the sheet (0 = A)
        self.raw = raw  # the cell of every body row, as read


class _Table:
    """The rows below the header, and the known columns cut out of them once."""

    def __init__(self, sheet: RawSheet, header_row: int, cols: list[int]) -> None:
        self.sheet = sheet
        self.first = header_row + 1  # sheet row of body[0]
        body = sheet.data[header_row - sheet.first_row + 1 :]
        index = [c - sheet.first_col for c in cols]
        width = max(index) + 1
        # Rows of formulas without a calculated value lie below the reader's grid.
        below = sheet.last_row(cols) - (self.first + len(body) - 1)
        if below > 0:
            body = [*body, *([None] * width for _ in range(below))]
        if body and min(map(len, body)) < width:  # rows may differ in length
            body = [r if len(r) >= width else [*r, *([None] * (width - len(r)))] for r in body]
        self.body = body
        self.index = index
        self.columns = [_Column(c, [r[j] for r in body]) for c, j in zip(cols, index, strict=True)]

    def empty_rows(self, invalid_cvr: set[object]) -> set[int]:
        """Sheet rows whose known columns are all blank (an empty row has no valid CVR).

        A formula without a calculated value (or a cell showing an error) reads as blank, but its
        row is not empty: a sheet filled by formulas that were never calculated must not pass as
        one without companies.
        """
        blank = {v for v in invalid_cvr if is_blank(v)}
        if not blank:
            return set()
        index, first = self.index, self.first
        empty = {
            first + i
            for i, r in enumerate(self.body)
            if r[index[0]] in blank and all(is_blank(r[j]) for j in index)
        }
        if not empty:
            return empty
        sheet, cols = self.sheet, [c.col for c in self.columns]
        return {
            row
            for row in empty
            if not any(
                sheet.formula_without_value(row, col) or sheet.error_value(row, col) is not None
                for col in cols
            )
        }


class _Reporter:
    """Reports the rows of a column whose value is in a set of wrong values."""

    def __init__(self, table: _Table, findings: SheetFindings, empty: set[int]) -> None:
        self.table = table
        self.findings = findings
        self.empty = empty

    def each(
        self, column: _Column, wrong: Collection[Any], report: Callable[[int, Any], None]
    ) -> None:
        if not wrong:
            return
        first, empty = self.table.first, self.empty
        for i, value in enumerate(column.raw):
            if value in wrong and first + i not in empty:
                report(first + i, value)

    def bad(self, row: int, col: int, raw: object, code: str, **params: object) -> None:
        """`code` for a wrong value, "<code>/missing" for an empty cell, "<code>/error" for one
        that shows an Excel error, or formula-no-value."""
        if not is_blank(raw):
            self.findings.add(code, row, col, value=raw, **params)
        elif self.table.sheet.formula_without_value(row, col):
            self.findings.add("formula-no-value", row, col)
        elif (error := self.table.sheet.error_value(row, col)) is not None:
            self.findings.add(f"{code}/error", row, col, value=error, **params)
        else:
            self.findings.add(
                f"{code}/missing", row, col, value=raw or None, **params, **unseen(self.table.sheet)
            )


def _meanings(raw: list[Any], interpret: Callable[[Any], T]) -> dict[Any, T]:
    """What each distinct value of a column means."""
    return {value: interpret(value) for value in set(raw)}


def _pick(column: Sequence[T], keep: list[int]) -> list[T]:
    return [column[i] for i in keep]


def _bad_cvr(report: _Reporter, row: int, col: int, raw: object, outcome: str) -> None:
    if outcome:
        report.findings.add("cvr-checksum", row, col, value=raw, cvr=outcome[1:])
    elif not is_blank(raw):
        report.findings.add("cvr-invalid", row, col, value=raw, reason=cvr_problem(raw))
    else:
        report.bad(row, col, raw, "cvr-invalid")


def _duplicates(
    rows: Sequence[int], cvrs: list[str], acts: list[str | None], dates: list[dt.date | None]
) -> list[tuple[int, int, str]]:
    """(row, first row, CVR) of each engagement that repeats an earlier row."""
    keys = list(zip(cvrs, acts, dates, strict=True))
    if len(set(keys)) == len(keys):
        return []
    first: dict[tuple[str, str | None, dt.date | None], int] = {}
    out = []
    for row, key in zip(rows, keys, strict=True):
        if key[1] is None or key[2] is None:
            continue  # an unknown activity or date is reported as such, not as a repeat
        seen = first.setdefault(key, row)
        if seen != row:
            out.append((row, seen, key[0]))
    return out


# --- interpreting one value (once per distinct value) -------------------------------------------


def _cvr_outcome(raw: object) -> str:
    """The eight digits; "!" + digits when the check digit is wrong; "" when not a CVR number."""
    if type(raw) is float and 10_000_000 <= raw <= 99_999_999 and raw.is_integer():
        digits: str | None = str(int(raw))  # the usual case: a number cell, read as a float
    elif isinstance(raw, bool) or is_blank(raw):
        return ""
    else:
        digits = normalize_cvr(raw)
    if digits is None:
        return ""
    return digits if cvr_checksum_ok(digits) else _CHECKSUM + digits


def cvr_problem(raw: object) -> str:
    """Why `raw` is not an eight-digit CVR number, in words for the message."""
    if isinstance(raw, bool):
        return "ikke et tal"
    if isinstance(raw, float) and not raw.is_integer():
        return "ikke et helt tal"
    if isinstance(raw, int | float) and raw < 0:
        return "negativt tal"
    text = "".join(display(raw).split()).upper().removeprefix("DK").removeprefix("-")
    if not text.isascii() or not text.isdigit():
        return "må kun indeholde cifre"
    if len(text) != 8:
        return f"{len(text)} cifre, ikke 8"
    if text.startswith("0"):
        return "et CVR-nummer begynder aldrig med 0"
    return "ikke et CVR-nummer"


def _sme(raw: object) -> bool | None:
    if isinstance(raw, str):
        return SME_WORDS.get(clean_text(raw).casefold())
    return None


def _activity(raw: object) -> str | None:
    if isinstance(raw, str):
        return _ACTIVITY_KEYS.get(" ".join(clean_text(raw).casefold().split()))
    return None


# --- building the rows ----------------------------------------------------------------------------

_ROW_FIELDS = ("row", "cvr", "name", "municipality", "sme", "activity", "date")


def _company_row_builder() -> Callable[..., CompanyRow]:
    """A function that builds a CompanyRow from its fields in order, in about half the time.

    A frozen dataclass's __init__ sets every field through object.__setattr__; for the tens of
    thousands of rows of a large sheet that costs more than checking them. Writing the slots
    directly gives an equal object. If the model's fields change, this falls back to the class.
    """
    slots = [CompanyRow.__dict__.get(name) for name in _ROW_FIELDS]
    if tuple(f.name for f in dataclasses.fields(CompanyRow)) != _ROW_FIELDS or not all(
        isinstance(s, types.MemberDescriptorType) for s in slots
    ):
        return CompanyRow
    new = object.__new__
    set_row, set_cvr, set_name, set_muni, set_sme, set_act, set_date = (s.__set__ for s in slots)  # type: ignore[union-attr]

    def build(
        row: int,
        cvr: str,
        name: str,
        municipality: Municipality | None,
        sme: bool | None,
        activity: str | None,
        date: dt.date | None,
    ) -> CompanyRow:
        company = new(CompanyRow)
        set_row(company, row)
        set_cvr(company, cvr)
        set_name(company, name)
        set_muni(company, municipality)
        set_sme(company, sme)
        set_act(company, activity)
        set_date(company, date)
        return company

    return build


_new_company_row = _company_row_builder()


# --- suggestions (only for wrong values) ----------------------------------------------------------


def _municipality_suggestion(raw: object) -> str:
    if not isinstance(raw, str) or is_blank(raw):
        return ""
    names = danish_municipalities().names()
    return suggestion(clean_text(raw).removesuffix(" Kommune"), names)


def _activity_suggestion(raw: object) -> str:
    return "" if is_blank(raw) else suggestion(display(raw), ACTIVITIES)
