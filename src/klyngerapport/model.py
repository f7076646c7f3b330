"""Plain, immutable data that flows between the layers.

files -> model -> checks -> report -> renderers: every layer speaks in these objects, so none of
them needs to know how another one reads or writes files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]
Unit = Literal["antal", "kr."]

# Statuses of an indicator, in the words the report uses.
MET = "Opfyldt"
PARTIAL = "Delvist opfyldt"
NOT_MET = "Ikke opfyldt"
NOT_REPORTED = "Ikke indberettet"

# Statuses of an office's submission.
SUBMISSION_OK = "Godkendt"
SUBMISSION_WARNINGS = "Godkendt med bemærkninger"
SUBMISSION_ERRORS = "Fejl i indberetningen"
SUBMISSION_MISSING = "Mangler"

ACTIVITIES: tuple[str, ...] = (
    "Netværk og arrangementer",
    "Innovationsprojekt",
    "Videnssamarbejde",
    "Internationalisering",
    "Sparring og matchmaking",
    "Grøn omstilling",
)

DERIVED_KINDS: tuple[str, ...] = ("companies", "smes", "municipalities")


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

    @property
    def total_grants(self) -> int:
        return sum(g.amount for g in self.grants)


# --- follow-up -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndicatorOutcome:
    indicator: Indicator
    target: float | None
    result: float | None
    attainment: float | None  # result / target; None when not computable
    status: str  # MET, PARTIAL, NOT_MET, NOT_REPORTED
    source: str = ""  # where the result comes from ("Indikatorer!E5", "Virksomheder (optalt)")


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
    status: str  # SUBMISSION_OK / SUBMISSION_WARNINGS / SUBMISSION_ERRORS / SUBMISSION_MISSING
    submission: Submission | None
    indicators: tuple[IndicatorOutcome, ...]
    companies: int
    smes: int
    municipalities_reached: tuple[Municipality, ...]
    companies_by_municipality: dict[int, int] = field(default_factory=dict)  # code -> count

    def count(self, status: str) -> int:
        return sum(1 for i in self.indicators if i.status == status)


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
    participating: tuple[Municipality, ...]
    funding: Funding
    engagements: tuple[Engagement, ...]
    validation: Validation
    sources: tuple[SourceFile, ...]
    config_source: SourceFile
    tool_version: str
    generated: dt.datetime
    partial_threshold: float

    @property
    def errors(self) -> int:
        return self.validation.errors

    @property
    def warnings(self) -> int:
        return self.validation.warnings
