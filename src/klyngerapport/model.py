"""Plain, immutable data that flows between the layers.

files -> model -> checks -> report -> renderers: every layer speaks in these objects, so none of
them needs to know how another one reads or writes files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import ClassVar, Literal

from klyngerapport.status import IndicatorStatus, Severity, SubmissionStatus

Unit = Literal["antal", "kr."]

# done, total, name of the file at hand: how long work reports its progress.
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True, slots=True)
class Municipality:
    code: int  # official three-digit kommunekode, e.g. 370
    name: str  # official spelling, e.g. "Næstved"


@dataclass(frozen=True, slots=True)
class Population:
    """Population per municipality code in one quarter, with where it came from."""

    quarter: str  # e.g. "2023K1"
    by_code: dict[int, int]
    source: str  # human description of the source ("FOLK1A 2023K1 (indbygget)" or a file)
    # Set when the quarter used is not the one KKR's rule ("previous-year") picks for the year,
    # so every report can say so; "" when the rule was followed.
    rule_note: str = ""

    def basis_value(self) -> str:
        """'folketal 1. januar 2023, FOLK1A 2023K1': the basis, for a cell labelled with it."""
        return f"folketal {quarter_date_text(self.quarter)}, FOLK1A {self.quarter}"

    def basis_text(self) -> str:
        """The basis stated once in a sentence of its own."""
        return f"Fordelingsnøgle: {self.basis_value()}"


def quarter_date_text(quarter: str) -> str:
    """'2023K1' -> '1. januar 2023' (FOLK1A counts on the first day of the quarter)."""
    months = {1: "januar", 2: "april", 3: "juli", 4: "oktober"}
    year, q = quarter.split("K")
    return f"1. {months[int(q)]} {year}"


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    name: str
    unit: Unit
    derive: str | None = None  # "companies", "smes", "municipalities", "activity:<Aktivitet>"
    description: str = ""  # what counts, in the office's words; shown in the template

    @property
    def derived(self) -> bool:
        return self.derive is not None


@dataclass(frozen=True, slots=True)
class Office:
    id: str
    cluster: str
    strength: str
    lead: Municipality
    first_year: int
    last_year: int

    def active(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year


@dataclass(frozen=True, slots=True)
class Grant:
    source: str
    recipient: str
    amount: int  # kr. a year
    first_year: int
    last_year: int
    purpose: str = ""
    # "national": a grant to all the national clusters, shown as context and never summed with
    # "regional" grants to the clusters' work in the region (PRODUCT.md §7, Finansiering).
    scope: str = "regional"
    SCOPES: ClassVar[tuple[str, ...]] = ("national", "regional")

    def active(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in one place. Findings are data, never exceptions."""

    code: str
    severity: Severity
    file: str
    message: str
    sheet: str | None = None
    cell: str | None = None  # "B7", or "7:7" for a whole row
    value: str | None = None  # the value as found, as text
    row: int = 0  # 1-based row for sorting; 0 for file-level findings
    company: str | None = None  # the company's name, for a finding on a Virksomheder row

    def sort_key(self) -> tuple[str, str, int, str, str]:
        return (self.file, self.sheet or "", self.row, self.cell or "", self.code)

    def as_json(self) -> dict[str, str | None]:
        return {
            "code": self.code,
            "severity": self.severity,
            "sheet": self.sheet,
            "cell": self.cell,
            "value": self.value,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    """A row of the Indikatorer sheet as the office filled it in."""

    id: str
    row: int
    target: float | None  # what the workbook says (the contract wins)
    result: float | None  # None: empty or unreadable (a finding says which)
    comment: str = ""
    result_cell: str = ""  # A1 reference of the Resultat cell ("E5"); "" when not known


@dataclass(frozen=True, slots=True)
class CompanyRow:
    """A row of the Virksomheder sheet, kept only when its CVR number is valid."""

    row: int
    cvr: str  # eight digits
    name: str
    municipality: Municipality | None  # None: unknown (a finding says so)
    sme: bool | None
    activity: str | None
    date: dt.date | None


@dataclass(frozen=True, slots=True)
class Submission:
    """What one file says, plus every finding about it."""

    path: Path
    office_id: str | None
    year: int | None
    contact: str = ""
    email: str = ""
    indicators: tuple[IndicatorRow, ...] = ()
    companies: tuple[CompanyRow, ...] = ()
    findings: tuple[Finding, ...] = ()
    national: tuple[IndicatorRow, ...] = ()  # the Nationale mål sheet (PRODUCT.md §10)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    @property
    def valid(self) -> bool:
        return self.errors == 0


@dataclass(frozen=True, slots=True)
class Validation:
    """The outcome of validating a set of files (and, for a year folder, of what is missing)."""

    submissions: tuple[Submission, ...]
    findings: tuple[Finding, ...] = ()  # findings about the set, e.g. submission-missing
    year: int | None = None

    def all_findings(self) -> list[Finding]:
        out = [f for s in self.submissions for f in s.findings]
        out.extend(self.findings)
        return out

    @property
    def errors(self) -> int:
        return sum(1 for f in self.all_findings() if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.all_findings() if f.severity == "warning")


# --- funding -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Share:
    municipality: Municipality
    population: int
    amount: int  # kr.
    lead: bool


@dataclass(frozen=True, slots=True)
class OfficeFunding:
    office: Office
    shares: tuple[Share, ...]  # lead first, then by municipality code

    def population_percent(self, share: Share) -> float | None:
        """A co-financer's part of the population the split covers, in percent to two
        decimals (the key of the split); None for the lead municipality."""
        if share.lead:
            return None
        covered = sum(s.population for s in self.shares if not s.lead)
        return float(round(Fraction(100 * share.population, covered), 2)) if covered else 0.0

    @property
    def total(self) -> int:
        return sum(s.amount for s in self.shares)


@dataclass(frozen=True, slots=True)
class MunicipalityFunding:
    municipality: Municipality
    population: int
    participating: bool
    as_lead: int
    as_cofinancer: int

    @property
    def total(self) -> int:
        return self.as_lead + self.as_cofinancer

    @property
    def per_inhabitant(self) -> float | None:
        """Kr. per inhabitant, to the øre; None without a population."""
        return float(round(Fraction(self.total, self.population), 2)) if self.population else None


@dataclass(frozen=True, slots=True)
class Funding:
    year: int
    population: Population
    offices: tuple[OfficeFunding, ...]
    municipalities: tuple[MunicipalityFunding, ...]  # all municipalities of the region, by code
    grants: tuple[Grant, ...]

    @property
    def total_municipal(self) -> int:
        return sum(m.total for m in self.municipalities)

    @property
    def covered_population(self) -> int:
        """The population of the municipalities the split covers (the participating ones)."""
        return sum(m.population for m in self.municipalities if m.participating)

    def grants_in(self, scope: str) -> tuple[Grant, ...]:
        """The year's grants of one scope ("national" or "regional"): the two are never
        summed together."""
        return tuple(g for g in self.grants if g.scope == scope)


# --- follow-up -------------------------------------------------------------------------------
# What `generate` reports, every figure computed once (followup.py); renderers only format it.
# A figure that is not known because an office's submission is missing or has errors is None,
# never 0: 0 would claim the office reached no company.


@dataclass(frozen=True, slots=True)
class IndicatorOutcome:
    indicator: Indicator
    target: float | None
    result: float | None
    # Attainment as shown everywhere: whole percent, rounded down (9 of 8 -> 112, 79.9 % -> 79),
    # so a shown figure never contradicts its status. None: no result, or a target of 0.
    attainment: int | None
    status: IndicatorStatus
    source: str = ""  # where the result comes from ("Indikatorer!E5", "Virksomheder (optalt)")
    reported: float | None = None  # what the office typed for a derived indicator, if it differs
    comment: str = ""  # the office's own comment (Bemærkning)


@dataclass(frozen=True, slots=True)
class Engagement:
    """A company engagement with its office, for the report's Virksomheder sheet."""

    office_id: str
    file: str
    company: CompanyRow
    counted: bool  # False when the municipality is outside the participating ones


@dataclass(frozen=True, slots=True)
class OfficeOutcome:
    office: Office
    status: SubmissionStatus
    files: tuple[str, ...]  # the office's file(s) for the year, as findings name them
    errors: int  # findings of the office's file(s); warnings are counted beside the status
    warnings: int
    indicators: tuple[IndicatorOutcome, ...]
    cofinancing: int  # kr. the municipalities pay the office in the year
    companies: int | None  # unique CVR numbers in participating municipalities
    smes: int | None
    municipalities_reached: tuple[Municipality, ...] | None  # Danish alphabetical order
    municipalities_not_reached: tuple[Municipality, ...] | None
    companies_by_municipality: Mapping[int, int] | None  # municipality code -> companies
    kr_per_company: int | None  # cofinancing / companies, whole kroner; None without companies
    national_indicators: tuple[IndicatorOutcome, ...] = ()  # the UFS contract (PRODUCT.md §10)

    @property
    def reported(self) -> bool:
        return self.status.reported

    def count(self, status: IndicatorStatus) -> int:
        return sum(1 for i in self.indicators if i.status is status)


@dataclass(frozen=True, slots=True)
class MunicipalityOutcome:
    """A participating municipality: what it paid and whom the offices reached in it."""

    municipality: Municipality
    population: int
    as_lead: int  # kr. paid as lead municipality
    as_cofinancer: int  # kr. paid as co-financer
    companies_by_office: Mapping[str, int | None]  # office id -> companies; None: not reported
    companies: int  # unique CVR numbers over the offices that reported
    companies_per_1000: float | None  # per 1.000 inhabitants, one decimal
    complete: bool  # every office active in the year reported

    @property
    def total(self) -> int:
        return self.as_lead + self.as_cofinancer


@dataclass(frozen=True, slots=True)
class Totals:
    """The year over all offices. `complete` is False when an office's submission is missing or
    has errors: its figures are then left out, and no ratio mixes it with the others."""

    complete: bool
    not_reported: tuple[Office, ...]  # offices whose submission is missing or has errors
    accepted: int  # offices with an accepted submission
    companies: int  # unique CVR numbers over the offices that reported
    smes: int
    municipalities_reached: tuple[Municipality, ...]  # by at least one office; Danish order
    municipalities_not_reached: tuple[Municipality, ...]
    # The source's principle: each office reaches companies in every participating municipality.
    full_coverage: tuple[Office, ...]  # offices that reported and reached all of them
    cofinancing: int  # the municipalities' co-financing of all offices
    kr_per_company: int | None  # None when incomplete or no companies
    population: int  # of the participating municipalities
    companies_per_1000: float | None  # over the offices that reported (see `complete`)
    indicators: Mapping[IndicatorStatus, int]  # indicators per status over all offices


# --- the contract period (history.py computes it; PRODUCT.md §10) ----------------------------


@dataclass(frozen=True, slots=True)
class HistoryYear:
    """One office in one year of the contract period."""

    year: int
    status: SubmissionStatus
    indicators: tuple[IndicatorOutcome, ...]  # the year's contract: target, result, status
    companies: int | None  # None: the submission is missing or has errors
    new_companies: int | None  # not counted by the office in an earlier year of the period
    returning_companies: int | None  # counted by the office in an earlier year too


@dataclass(frozen=True, slots=True)
class Period:
    """An office's figures over the contract period so far."""

    first: int
    last: int
    unique_companies: int  # a company counted once, over the years with figures
    municipalities_reached: tuple[Municipality, ...]  # in at least one year; Danish order
    complete: bool  # every year of the period has figures


@dataclass(frozen=True, slots=True)
class OfficeHistory:
    office: Office
    years: tuple[HistoryYear, ...]  # the office's active years, oldest first, YEAR last
    period: Period


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str  # as shown to the user (relative to the config folder where possible)
    sha256: str
    size: int
    modified: dt.datetime


@dataclass(frozen=True, slots=True)
class Followup:
    year: int
    region: str
    council: str
    offices: tuple[OfficeOutcome, ...]
    municipalities: tuple[MunicipalityOutcome, ...]  # participating ones, Danish order
    totals: Totals
    participating: tuple[Municipality, ...]
    funding: Funding
    engagements: tuple[Engagement, ...]
    outside: tuple[Municipality, ...]  # non-participating municipalities of engagements
    outside_engagements: int  # engagements in them: listed, not counted
    validation: Validation
    sources: tuple[SourceFile, ...]
    config_source: SourceFile
    tool_version: str
    generated: dt.datetime
    partial_threshold: float
    as_of: dt.date | None = None  # generate --as-of: the status at this date (PRODUCT.md §10)
    history: tuple[OfficeHistory, ...] = ()  # per office of the year, in the same order

    @property
    def errors(self) -> int:
        return self.validation.errors

    @property
    def warnings(self) -> int:
        return self.validation.warnings

    @property
    def findings(self) -> list[Finding]:
        """Every finding of the year, sorted by file, sheet and row."""
        return sorted(self.validation.all_findings(), key=Finding.sort_key)


@dataclass(frozen=True)
class SubmissionContact:
    """`[submission]`: when and to whom the offices send their workbooks (template, feedback)."""

    deadline: str = ""  # "31-01": day-month in the year after the submission year
    recipient: str = ""
    email: str = ""
    contact: str = ""

    def deadline_for(self, year: int) -> dt.date | None:
        """The deadline of the submission for `year`; None when none is set, ValueError when
        it is not a day and month."""
        if not self.deadline:
            return None
        day, _, month = self.deadline.partition("-")
        if not (day.isdigit() and month.isdigit()):
            raise ValueError(self.deadline)
        return dt.date(year + 1, int(month), int(day))


@dataclass(frozen=True, slots=True)
class FeedbackFiles:
    """What a feedback run did: workbooks and texts written, stale ones removed."""

    workbooks: tuple[Path, ...] = ()
    texts: tuple[Path, ...] = ()
    removed: tuple[Path, ...] = ()
    # (submitted file, its feedback workbook, its e-mail text)
    by_submission: tuple[tuple[Path, Path, Path], ...] = ()
