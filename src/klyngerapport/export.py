"""`export YEAR [--from YEAR]`: company engagements over the years as CSV (PRODUCT.md §10).

Danmarks Statistik and Erhvervsstyrelsen measure the effect of cluster participation from CVR
numbers against a control group. The export lists every engagement (a row of Virksomheder) of
every submission without errors, one CSV row each, in the form Excel opens directly: UTF-8 with
a byte order mark and `;` between fields.

Rules decided here:

- A submission is exported when it is the one file of an office active in that year and has no
  errors. A submission with errors, two files for one office, or an office without a file is
  named (the caller prints it on stderr) and leaves the exit code at 1.
- Every engagement of an exported submission is a row, also one in a municipality outside the
  participating ones: the study asks who took part, not who counts towards a target.
- Rows come year by year, offices in the order of the config, then in the order of the sheet.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from klyngerapport.config import Config
from klyngerapport.errors import KlyngeError, OutputError
from klyngerapport.model import CompanyRow, Office, Progress, Submission

HEADER = (
    "År",
    "Klyngekontor",
    "Klynge",
    "CVR",
    "Kommunekode",
    "Kommune",
    "SMV",
    "Aktivitet",
    "Dato",
)
SEPARATOR = ";"
ENCODING = "utf-8-sig"  # UTF-8 with BOM: Excel then reads æøå right


@dataclass(frozen=True, slots=True)
class ExportRow:
    year: int
    office: Office
    company: CompanyRow


@dataclass(frozen=True, slots=True)
class Export:
    first: int
    last: int
    engagements: tuple[ExportRow, ...]
    skipped: tuple[str, ...]  # Danish lines: what was left out, and why


def default_path(config: Config, first: int, last: int) -> Path:
    return config.reports_dir(last) / f"engagementer-{first}-{last}.csv"


def first_year(config: Config, year: int) -> int:
    """The start of the contract period: the first year of any office active in `year`."""
    return min((o.first_year for o in config.active_offices(year)), default=year)


def collect(config: Config, first: int, last: int, progress: Progress | None = None) -> Export:
    """Validate the submission folders of `first`..`last` and keep the accepted engagements."""
    from klyngerapport.paths import display_path
    from klyngerapport.validation import validate_paths

    if first > last:
        raise KlyngeError(
            f"--from {first} ligger efter {last}.",
            f"Angiv et år til og med {last}, fx --from {last}.",
        )
    if not any(config.active_offices(y) for y in range(first, last + 1)):
        raise KlyngeError(
            f"Intet klyngekontor er aktivt i {_years(first, last)} ifølge {config.path.name}.",
            "Tjek årstallene, eller years = [første, sidste] under [[office]].",
        )
    engagements: list[ExportRow] = []
    skipped: list[str] = []
    for year in range(first, last + 1):
        offices = config.active_offices(year)
        if not offices:
            continue
        folder = config.submissions_dir(year)
        if not folder.is_dir():
            skipped.append(
                f"{year}: indberetningsmappen {display_path(folder)} findes ikke; "
                f"intet fra {year} er med."
            )
            continue
        validation = validate_paths([folder], config, year, progress=progress, whole_year=True)
        for office in offices:
            mine = [
                s
                for s in validation.submissions
                if s.office_id == office.id and s.year in (year, None)
            ]
            problem = _problem(mine)
            if problem:
                skipped.append(f"{year}, {office.cluster}: {problem}")
                continue
            engagements.extend(ExportRow(year, office, c) for c in mine[0].companies)
        for s in validation.submissions:
            belongs = any(s.office_id == o.id for o in offices) and s.year in (year, None)
            if s.errors and not belongs:
                skipped.append(f"{year}: {display_path(s.path)} har fejl og er ikke med.")
    return Export(first, last, tuple(engagements), tuple(skipped))


def _problem(mine: list[Submission]) -> str:
    from klyngerapport.paths import display_path

    if not mine:
        return "ingen indberetning."
    if len(mine) > 1:
        names = " og ".join(display_path(s.path) for s in mine)
        return f"to indberetninger ({names}); ingen af dem er med."
    if mine[0].errors:
        count = mine[0].errors
        errors = "1 fejl" if count == 1 else f"{count} fejl"
        return (
            f"{display_path(mine[0].path)} har {errors} og er ikke med. "
            "Se dem med 'klyngerapport validate'."
        )
    return ""


def _years(first: int, last: int) -> str:
    return str(last) if first == last else f"{first}–{last}"


def csv_text(export: Export) -> str:
    """The CSV document (without the BOM; `write` adds it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=SEPARATOR, lineterminator="\r\n")
    writer.writerow(HEADER)
    for e in export.engagements:
        c = e.company
        writer.writerow(
            (
                e.year,
                e.office.id,
                e.office.cluster,
                c.cvr,
                f"{c.municipality.code}" if c.municipality else "",
                c.municipality.name if c.municipality else "",
                {True: "Ja", False: "Nej", None: ""}[c.sme],
                c.activity or "",
                c.date.strftime("%d-%m-%Y") if c.date else "",
            )
        )
    return buffer.getvalue()


def is_export(path: Path) -> bool:
    """Whether `path` is a CSV this tool wrote: it starts with the BOM and the exact header."""
    expected = ("\ufeff" + SEPARATOR.join(HEADER)).encode("utf-8")
    try:
        with path.open("rb") as handle:
            return handle.read(len(expected)) == expected
    except OSError:
        return False


def check_output(path: Path, config: Config, first: int, last: int) -> None:
    """Refuse an output that is not .csv, lies among the submissions, or is someone else's."""
    if path.is_dir():
        raise OutputError(f"{path} er en mappe; angiv et filnavn med --output.")
    if path.suffix.lower() != ".csv":
        raise OutputError(
            f"Eksporten {path} skal have endelsen .csv.",
            f"Angiv fx --output engagementer-{first}-{last}.csv.",
        )
    target = path.resolve()
    for year in range(first, last + 1):
        folder = config.submissions_dir(year).resolve()
        if target.is_relative_to(folder):
            raise OutputError(
                f"Eksporten {path} må ikke ligge i indberetningsmappen for {year}.",
                "Vælg en anden placering med --output, fx i mappen rapporter.",
            )
    if path.exists() and not is_export(path):
        raise OutputError(
            f"{path} findes allerede og er ikke en eksport fra klyngerapport; "
            "den overskrives ikke.",
            "Vælg et andet filnavn med --output, eller flyt filen først.",
        )


def write(path: Path, export: Export) -> None:
    from klyngerapport.atomic import atomic_write
    from klyngerapport.workspace import write_problem

    try:
        with atomic_write(path) as handle:
            handle.write(csv_text(export).encode(ENCODING))
    except OSError as exc:
        reason, hint = write_problem(exc)
        raise OutputError(f"Kan ikke skrive {path}: {reason}.", hint) from None
