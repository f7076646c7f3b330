"""`validate --feedback`: each office's corrections, written beside (never over) its file.

For every submission with findings: `<feedback>/<office>-<YEAR>-rettelser.xlsx` (render/feedback)
and `<office>-<YEAR>-besked.txt` (feedback_text). A submission that is now clean has the files
an earlier run wrote for it removed: only those two names, in the feedback folder of its year.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from klyngerapport import feedback_text
from klyngerapport.atomic import atomic_write
from klyngerapport.config import Config
from klyngerapport.errors import OutputError
from klyngerapport.model import FeedbackFiles, Submission, Validation
from klyngerapport.paths import display_path
from klyngerapport.reading.sheet import FileProblem, RawSheet

if TYPE_CHECKING:
    from klyngerapport.render.feedback import SheetValues

WORKBOOK_SUFFIX = "-rettelser.xlsx"
TEXT_SUFFIX = "-besked.txt"
_LOADABLE = (".xlsx", ".xlsm")


def feedback_folder(config: Config, year: int | None) -> Path:
    """The feedback folder of `year`; without a year, the fixed part of `[paths] feedback`."""
    if year is not None:
        return config.feedback_dir(year)
    fixed = config.feedback.split("{year}")[0].rstrip("/\\") or "."
    return config.resolve(fixed)


def feedback_stem(config: Config, submission: Submission, year: int | None) -> str:
    """'<office>-<YEAR>' for a known office; else the submitted file's own name."""
    office = config.office(submission.office_id) if submission.office_id else None
    if office is not None and year is not None:
        return f"{office.id}-{year}"
    stem = re.sub(r"[^\w.-]+", "-", submission.path.stem).strip("-.") or "indberetning"
    return stem


def write_feedback(validation: Validation, config: Config, year: int | None) -> FeedbackFiles:
    """Write the corrections of every submission with findings; remove stale ones."""
    plans = list(_plan(validation, config, year))
    _refuse_overwriting_inputs(plans, validation, config)
    workbooks: list[Path] = []
    texts: list[Path] = []
    removed: list[Path] = []
    pairs: list[tuple[Path, Path, Path]] = []
    for submission, the_year, folder, stem in plans:
        workbook = folder / f"{stem}{WORKBOOK_SUFFIX}"
        text = folder / f"{stem}{TEXT_SUFFIX}"
        if not submission.findings:
            for stale in (workbook, text):
                if stale.is_file():
                    _remove(stale)
                    removed.append(stale)
            continue
        _write_one(submission, config, the_year, workbook, text)
        workbooks.append(workbook)
        texts.append(text)
        pairs.append((submission.path, workbook, text))
    return FeedbackFiles(tuple(workbooks), tuple(texts), tuple(removed), tuple(pairs))


def _plan(
    validation: Validation, config: Config, year: int | None
) -> Iterator[tuple[Submission, int | None, Path, str]]:
    used: set[tuple[Path, str]] = set()
    for submission in validation.submissions:
        # The round the file was checked for decides the folder: a file that states another year
        # gets its corrections with the year it was sent for.
        the_year = year if year is not None else submission.year
        folder = feedback_folder(config, the_year)
        stem = feedback_stem(config, submission, the_year)
        if (folder, stem) in used:  # two files for one office: each its own corrections
            own = re.sub(r"[^\w.-]+", "-", submission.path.stem).strip("-.")
            stem = f"{stem}-{own}" if own and own != stem else f"{stem}-{len(used) + 1}"
        used.add((folder, stem))
        yield submission, the_year, folder, stem


def _refuse_overwriting_inputs(
    plans: list[tuple[Submission, int | None, Path, str]], validation: Validation, config: Config
) -> None:
    """The feedback folder must not hold submissions: a file there would be read next time."""
    for _, the_year, folder, _ in plans:
        if the_year is not None and folder.resolve().is_relative_to(
            config.submissions_dir(the_year).resolve()
        ):
            raise OutputError(
                f"Tilbagemeldingerne må ikke skrives i indberetningsmappen "
                f"{display_path(config.submissions_dir(the_year))}: de ville blive læst som "
                "indberetninger næste gang.",
                '[paths] feedback skal pege på en anden mappe, fx "tilbagemelding/{year}".',
            )
    inputs = {s.path.resolve(): s.path for s in validation.submissions}
    for _, _, folder, stem in plans:
        for path in (folder / f"{stem}{WORKBOOK_SUFFIX}", folder / f"{stem}{TEXT_SUFFIX}"):
            if path.resolve() in inputs:
                raise OutputError(
                    f"Tilbagemeldingen {display_path(path)} ville overskrive den indsendte fil "
                    f"{display_path(inputs[path.resolve()])}.",
                    "Læg de indsendte filer i indberetningsmappen, eller ret [paths] feedback.",
                )


def _write_one(
    submission: Submission, config: Config, year: int | None, workbook: Path, text: Path
) -> None:
    from klyngerapport.render.feedback import Intro, write_feedback_workbook
    from klyngerapport.workspace import write_problem

    office = config.office(submission.office_id) if submission.office_id else None
    recipient = feedback_text.Recipient(
        cluster=office.cluster if office else None,
        person=submission.contact,
        file_name=submission.path.name,
        year=year,
        workbook_name=workbook.name,
    )
    findings = submission.findings
    title, lines = feedback_text.intro_lines(recipient, findings, config.submission)
    intro = Intro(title, lines, title)
    suffix = submission.path.suffix.lower()
    # A file the reader could not open is not opened by anything else (it may be a zip bomb):
    # its corrections are the Ret dette sheet alone.
    readable = not any(f.code.startswith("file-") for f in findings)
    original = submission.path if readable and suffix in _LOADABLE else None
    body = feedback_text.message(recipient, findings, config.submission, config.council)
    try:
        write_feedback_workbook(
            workbook,
            findings,
            intro,
            original,
            (lambda: _sheets(submission.path)) if readable else (lambda: iter(())),
        )
        with atomic_write(text) as handle:
            handle.write(body.encode("utf-8"))
    except OSError as exc:
        reason, hint = write_problem(exc)
        raise OutputError(f"Kan ikke skrive {display_path(workbook)}: {reason}.", hint) from None


def _sheets(path: Path) -> Iterator[SheetValues]:
    """Every sheet of a submission as the reader sees it, one at a time (for a rebuild)."""
    from klyngerapport.reading.workbook import open_workbook
    from klyngerapport.render.feedback import SheetValues

    try:
        with open_workbook(path) as book:
            for name in list(book.sheet_names):
                try:
                    sheet = book.sheet(name)
                except FileProblem:
                    continue
                if sheet is not None:
                    yield SheetValues(sheet.name, _cells(sheet))
    except FileProblem:
        return


def _cells(sheet: RawSheet) -> Iterator[tuple[int, int, object]]:
    """(row, column, value) of every cell that holds something, error values and formulas
    without a value included (the reader reads both as empty)."""
    from klyngerapport.render.feedback import FORMULA_WITHOUT_VALUE, CellError

    for i, values in enumerate(sheet.data):
        row = sheet.first_row + i
        for j, value in enumerate(values):
            col = sheet.first_col + j
            if value is not None:
                yield row, col, value
            elif (error := sheet.error_value(row, col)) is not None:
                yield row, col, CellError(error)
    for row, col in sorted(sheet.formulas_without_value()):
        yield row, col, FORMULA_WITHOUT_VALUE


def _remove(path: Path) -> None:
    from klyngerapport.workspace import write_problem

    try:
        path.unlink()
    except OSError as exc:
        reason, hint = write_problem(exc)
        raise OutputError(f"Kan ikke fjerne {display_path(path)}: {reason}.", hint) from None
