"""`validate`: files and folders -> Submissions with findings -> one Validation.

Bad data never raises here: a file that cannot be read, or even a bug met while checking one
file, becomes a finding about that file, and the other files are checked as usual. Only a path
that does not exist or a folder that cannot be listed stops the run (KlyngeError, exit 2).
Each workbook holds one sheet in memory at a time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import re
from collections.abc import Iterable, Iterator, Sequence
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
from klyngerapport.errors import KlyngeError
from klyngerapport.model import (
    CompanyRow,
    Finding,
    IndicatorRow,
    Progress,
    Submission,
    Validation,
)
from klyngerapport.paths import display_path
from klyngerapport.reading import problems
from klyngerapport.reading.safety import SUFFIX_FORMATS, is_skipped
from klyngerapport.reading.sheet import FileProblem, RawSheet, Workbook
from klyngerapport.reading.workbook import open_workbook

SUPPORTED = tuple(SUFFIX_FORMATS)


# --- one file ----------------------------------------------------------------------------------


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
        return Submission(
            path, office_id, file_year, findings=(_problem_finding(display, problem),)
        )
    except Exception as exc:  # a bug must not stop the other files; the message says so
        office_id, file_year = office_from_name(path, config, year)
        return Submission(path, office_id, file_year, findings=(_crash_finding(display, exc),))


def office_from_name(path: Path, config: Config, year: int | None) -> tuple[str | None, int | None]:
    """The office and year a file's name points to ("bio-solutions-2022.xlsx"), if any.

    Used only for a file that cannot be read: the office did send something, so the report
    shows its submission as having errors rather than as missing. Template files are named
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
    """Pause Python's cycle collector while one workbook is read and checked.

    Reading and checking a large sheet creates a few hundred thousand objects that form no
    cycles (cells, rows, CompanyRows); the collector would walk them again and again for nothing.
    Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def _step(findings: list[Finding], display: str) -> Iterator[None]:
    """Read and check one sheet; a sheet that cannot be read, or a bug, becomes a finding.

    What the other sheets said (the office and year above all) is kept, so a file with one
    broken sheet is still known as the office's submission, not reported as missing.
    """
    try:
        yield
    except FileProblem as problem:
        findings.append(_problem_finding(display, problem))
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


def _problem_finding(display: str, problem: FileProblem) -> Finding:
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


# --- files and folders -------------------------------------------------------------------------


def collect_files(
    paths: Iterable[Path], cwd: Path | None = None
) -> tuple[list[Path], list[Submission]]:
    """The workbooks to check, and the other files found (each with a file-unsupported finding).

    Folders are walked recursively in name order; lock files (~$...) and hidden files and
    folders in them are skipped. A file named explicitly is always taken. A path that does not
    exist, or a folder that cannot be listed, is a KlyngeError.
    """
    files: list[Path] = []
    rejected: list[Submission] = []
    seen: set[Path] = set()
    for given in paths:
        if given.is_symlink() and not given.exists():
            rejected.append(_not_a_file(given, display_path(given, cwd)))
            continue
        if not given.exists():
            raise KlyngeError(
                f"{given} findes ikke.", "Tjek stavningen, og angiv filer eller mapper, der findes."
            )
        candidates = _walk(given, set()) if _is_folder(given) else iter([given])
        for path in candidates:
            key = path.resolve()
            if key in seen:
                continue
            seen.add(key)
            if path.suffix.lower() in SUPPORTED and path.is_file():
                files.append(path)
            elif _is_special(path):
                rejected.append(_not_a_file(path, display_path(path, cwd)))
            else:
                rejected.append(_unsupported(path, display_path(path, cwd)))
    return files, rejected


def _is_folder(path: Path) -> bool:
    # A Numbers document can be a macOS package (a folder); it is one unsupported file.
    return path.is_dir() and path.suffix.lower() != ".numbers"


def _walk(folder: Path, visited: set[Path]) -> Iterator[Path]:
    real = folder.resolve()
    if real in visited:  # a symbolic link back up the tree
        return
    visited.add(real)
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name.casefold())
    except OSError as exc:
        raise KlyngeError(
            f"Mappen {folder} kan ikke læses: {exc.strerror or exc}.",
            "Tjek, at mappen findes, og at du har adgang til den.",
        ) from None
    for entry in entries:
        if is_skipped(entry):
            continue
        if _is_folder(entry):
            # A linked folder is not followed: it may lead anywhere (up the tree, or to '/').
            if not entry.is_symlink():
                yield from _walk(entry, visited)
        elif entry.is_file() or entry.suffix.lower() == ".numbers" or _is_special(entry):
            yield entry


def _is_special(path: Path) -> bool:
    """A link to nothing, or something that is neither a file nor a folder (a named pipe, a
    device, a socket): reported, never opened (reading a pipe would wait forever)."""
    try:
        return not path.exists() or not (path.is_file() or path.is_dir())
    except OSError:
        return True


def _not_a_file(path: Path, display: str) -> Submission:
    if path.is_symlink() and not path.exists():
        problem = problems.unreadable(
            "Filen er en genvej (symbolsk link) til en fil, der ikke findes.",
            "Læg selve filen i mappen, eller slet genvejen.",
        )
    else:
        problem = problems.unreadable(
            "Stien er ikke en almindelig fil (men fx en navngiven pipe eller en enhed) og "
            "læses ikke.",
            "Læg selve regnearksfilen i mappen.",
        )
    return Submission(path, None, None, findings=(_problem_finding(display, problem),))


def _unsupported(path: Path, display: str) -> Submission:
    problem = problems.unsupported(path.suffix.lower())
    return Submission(path, None, None, findings=(_problem_finding(display, problem),))


# --- a set of files ----------------------------------------------------------------------------


def validate(
    config: Config, paths: Sequence[Path], year: int | None, progress: Progress | None = None
) -> Validation:
    """`validate [PATH ...] [--year YEAR]`: the files and folders named, else the submission
    folder of `year`. A year folder (named or by default) also reports offices without a file.
    Company rows are not kept (only findings are wanted), so memory stays flat."""
    if paths:
        # Naming the year's own folder is the same as naming no path: missing offices count.
        year_dir = config.submissions_dir(year).resolve() if year is not None else None
        whole_year = any(p.resolve() == year_dir for p in paths)
        targets = list(paths)
    else:
        if year is None:
            raise KlyngeError(
                "Angiv filer eller mapper, der skal tjekkes, eller et år med --year.",
                "Fx: klyngerapport validate --year 2022",
            )
        targets, whole_year = [config.submissions_dir(year)], True
        if not targets[0].is_dir():
            raise KlyngeError(
                f"Indberetningsmappen for {year} findes ikke: {targets[0]}",
                "Læg de indsendte filer dér, eller angiv filerne direkte.",
            )
    return validate_paths(
        targets, config, year, progress=progress, whole_year=whole_year, keep_rows=False
    )


def validate_paths(
    paths: Sequence[Path],
    config: Config,
    year: int | None,
    progress: Progress | None = None,
    whole_year: bool = False,
    keep_rows: bool = True,
    cutoff: dt.date | None = None,
) -> Validation:
    """Check every workbook in `paths` (files or folders) for `year` (None: any year).

    `whole_year`: `paths` is the year's submission folder, so an office active in `year` without
    a file is a submission-missing finding. `progress(done, total, name)` is called as files are
    checked. `keep_rows=False` checks without keeping the company rows (Submission.companies
    stays empty), so memory does not grow with the number of files: what `validate` wants.
    `cutoff` (generate --as-of): activities dated after it are date-after-cutoff errors.
    """
    cwd = _cwd()
    files, rejected = collect_files(paths, cwd)
    submissions = list(rejected)
    total = len(files)
    for done, path in enumerate(files):
        if progress is not None:
            progress(done, total, path.name)
        submissions.append(
            validate_file(path, config, year, display_path(path, cwd), keep_rows, cutoff)
        )
    if progress is not None:
        progress(total, total, "")
    submissions = _mark_duplicates(submissions, year, cwd)
    submissions.sort(key=lambda s: display_path(s.path, cwd).casefold())
    missing: list[Finding] = []
    if whole_year and year is not None and paths:
        missing = _missing(submissions, config, year, paths[0], cwd)
    return Validation(tuple(submissions), tuple(missing), year)


def _cwd() -> Path | None:
    try:
        return Path.cwd()
    except OSError:  # the current folder was removed
        return None


def _mark_duplicates(
    submissions: list[Submission], year: int | None, cwd: Path | None
) -> list[Submission]:
    groups: dict[tuple[str, int | None], list[int]] = {}
    for i, s in enumerate(submissions):
        if s.office_id is not None:
            groups.setdefault((s.office_id, s.year if s.year is not None else year), []).append(i)
    out = list(submissions)
    for (office_id, group_year), members in groups.items():
        if len(members) < 2:
            continue
        names = [display_path(submissions[i].path, cwd) for i in members]
        files = ", ".join(names[:-1]) + " og " + names[-1]
        for i, name in zip(members, names, strict=True):
            extra = finding(
                "submission-duplicate",
                name,
                value=office_id,
                office=office_id,
                year=group_year if group_year is not None else "(uden år)",
                files=files,
            )
            found = sorted((*out[i].findings, extra), key=Finding.sort_key)
            out[i] = dataclasses.replace(out[i], findings=tuple(found))
    return out


def _missing(
    submissions: list[Submission], config: Config, year: int, folder: Path, cwd: Path | None
) -> list[Finding]:
    present = {s.office_id for s in submissions if s.year in (year, None)}
    shown = display_path(folder, cwd)
    out: list[Finding] = []
    for office in config.active_offices(year):
        if office.id in present:
            continue
        nearby = [display_path(p, cwd) for p in _lookalikes(folder, office.id, year, config)]
        out.append(
            finding(
                "submission-missing/nearby" if nearby else "submission-missing",
                shown,
                value=office.id,
                office=office.id,
                cluster=office.cluster,
                year=year,
                folder=shown,
                found=" og ".join(nearby[:3]),
            )
        )
    return out


def _lookalikes(folder: Path, office_id: str, year: int, config: Config) -> list[Path]:
    """Files that look like the office's submission but were not counted for `year`.

    The usual slips: the file lies one folder up ("indberetninger/bio-solutions-2022.xlsx"),
    is named for another year in the year's folder ("2022/bio-solutions-2023.xlsx"), or lies
    in another year's folder but is named for this year ("2023/bio-solutions-2022.xlsx").
    Only names are looked at; the parent and its folders are listed, never walked deeper.
    """
    found: list[Path] = []

    def files(where: Path) -> list[Path]:
        try:
            return sorted(
                (p for p in where.iterdir() if p.is_file() and not is_skipped(p)),
                key=lambda p: p.name.casefold(),
            )
        except OSError:
            return []

    parent = folder.parent if folder.parent != folder else None
    for path in files(folder):
        if (
            path.suffix.lower() in SUPPORTED
            and office_from_name(path, config, None)[0] == office_id
        ):
            found.append(path)
    if parent is not None:
        for path in files(parent):
            if (
                path.suffix.lower() in SUPPORTED
                and office_from_name(path, config, None)[0] == office_id
            ):
                found.append(path)
        try:
            siblings = sorted(p for p in parent.iterdir() if p.is_dir() and p != folder)
        except OSError:
            siblings = []
        for sibling in siblings:
            if is_skipped(sibling):
                continue
            for path in files(sibling):
                named = office_from_name(path, config, None)
                if path.suffix.lower() in SUPPORTED and named == (office_id, year):
                    found.append(path)
    return found
