"""`generate YEAR`: read and validate a year's submissions, follow up, write the outputs.

The only module that ties the layers together for the annual orientation (files -> validation
-> follow-up model -> renderers); each step it calls is tested on its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

from klyngerapport import __version__
from klyngerapport.config import Config
from klyngerapport.errors import KlyngeError, OutputError
from klyngerapport.model import Followup, Progress, SourceFile
from klyngerapport.outputs import ensure_replaceable
from klyngerapport.paths import display_path
from klyngerapport.workspace import write_problem


@dataclass(frozen=True, slots=True)
class Generated:
    """The follow-up of a year and the files written from it, by format ("xlsx", ...)."""

    followup: Followup
    outputs: dict[str, Path]
    feedback: tuple[Path, ...] = ()  # each office's corrections (validate --feedback)

    @property
    def failed(self) -> bool:
        """Whether the data has errors (exit 1): findings of severity error, or an office
        whose submission is missing or has errors."""
        return self.followup.errors > 0 or not self.followup.totals.complete


def source_file(path: Path, base: Path) -> SourceFile:
    """SHA-256, size and modification time of an input file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    stat = path.stat()
    return SourceFile(
        path=display_path(path, base, private=True),
        sha256=digest.hexdigest(),
        size=stat.st_size,
        modified=dt.datetime.fromtimestamp(stat.st_mtime).replace(microsecond=0),
    )


def readable_source(path: Path, base: Path) -> SourceFile | None:
    """source_file, or None for a file that went away or cannot be read (its finding says so)."""
    try:
        return source_file(path, base)
    except OSError:
        return None


def report_path(config: Config, year: int, output: Path | None) -> Path:
    return output if output is not None else config.reports_dir(year) / f"klyngerapport-{year}.xlsx"


def generate(
    config: Config,
    year: int,
    input_dir: Path | None = None,
    output: Path | None = None,
    progress: Progress | None = None,
    formats: tuple[str, ...] = ("xlsx",),
    as_of: dt.date | None = None,
) -> Generated:
    """Build the follow-up of `year` and write the chosen documents (PRODUCT.md §7, §9): the XLSX
    report and the agenda package beside it.

    `as_of` (--as-of): the status at that date; activities after it are errors. The history
    reads the earlier years of the contract period, whose findings stay out of YEAR's.
    """
    from klyngerapport import agenda
    from klyngerapport.feedback import write_feedback
    from klyngerapport.followup import follow_up
    from klyngerapport.funding import funding_of_year
    from klyngerapport.history import histories
    from klyngerapport.period import earlier_followups
    from klyngerapport.render.xlsx import write_report
    from klyngerapport.validation import validate_paths

    if not config.active_offices(year):
        raise KlyngeError(
            f"Intet klyngekontor er aktivt i {year} ifølge {config.path.name}.",
            "Tjek årstallet, eller years = [første, sidste] under [[office]].",
        )
    folder = input_dir if input_dir is not None else config.submissions_dir(year)
    if not folder.is_dir():
        raise KlyngeError(
            f"Indberetningsmappen for {year} findes ikke: {folder}",
            "Læg de indsendte filer dér, eller angiv mappen med --input.",
        )
    path = report_path(config, year, output)
    _check_output(path, folder, config)
    paths = agenda.document_paths(year, path, formats)
    for each in paths.values():
        ensure_replaceable(each, year)
    template = config.docx_template_path() if "docx" in formats else None
    if template is not None and not template.is_file():
        raise KlyngeError(
            f"Word-skabelonen {template.name} findes ikke ({config.docx_template}).",
            f"Ret docx_template under [paths] i {config.path.name}, eller fjern den.",
        )
    year_funding = funding_of_year(config, year)
    validation = validate_paths(
        [folder], config, year, progress=progress, whole_year=True, cutoff=as_of
    )
    sources = tuple(
        filter(None, (readable_source(s.path, config.base) for s in validation.submissions))
    )
    config_source = source_file(config.path, config.base)
    generated = dt.datetime.now().replace(microsecond=0)
    result = follow_up(
        config, year, validation, year_funding, sources, config_source, __version__, generated
    )
    earlier = earlier_followups(
        config, year, year_funding, config_source, __version__, generated, progress
    )
    result = replace(result, as_of=as_of, history=histories([*earlier, result]))
    if "xlsx" in formats:
        try:
            write_report(result, path)
        except OSError as exc:
            reason, hint = write_problem(exc)
            raise OutputError(f"Kan ikke skrive rapporten {path}: {reason}.", hint) from None
    agenda.write_documents(result, paths, template)
    # generate validates, so each office gets its corrections as with validate --feedback.
    feedback = write_feedback(validation, config, year)
    return Generated(result, paths, feedback.workbooks)


def _check_output(path: Path, folder: Path, config: Config) -> None:
    """Refuse a report path that is not .xlsx or lies among the submissions of any year
    (inputs stay)."""
    if path.suffix.lower() != ".xlsx":
        raise OutputError(
            f"Rapporten {path} skal have endelsen .xlsx.",
            "Angiv fx --output rapporter/klyngerapport.xlsx.",
        )
    # Among submissions it could replace a submitted file, and would be read as one next time.
    if path.resolve().is_relative_to(folder.resolve()):
        where = f"indberetningsmappen {display_path(folder, config.base, private=True)}"
    elif in_submission_folder(path, config):
        where = f"en indberetningsmappe ({config.submissions} for et år)"
    else:
        return
    raise OutputError(
        f"Rapporten {path} må ikke ligge i {where}: den kan overskrive en indsendt fil og "
        "ville blive læst som en indberetning.",
        "Vælg en anden placering med --output, fx i mappen rapporter.",
    )


def in_submission_folder(path: Path, config: Config) -> bool:
    """Whether `path` lies in the submission folder of some year ([paths] submissions with
    any year put in for {year}), whether or not that folder exists yet."""
    template = config.submissions
    if "{year}" not in template:
        return path.resolve().is_relative_to(config.resolve(template).resolve())
    placeholder = "KLYNGERAPPORTYEAR"
    folder = str(config.resolve(template.replace("{year}", placeholder)).resolve())
    pattern = re.compile(re.escape(folder).replace(placeholder, r"\d{4}"))
    resolved = path.resolve()
    return any(pattern.fullmatch(str(parent)) for parent in resolved.parents)
