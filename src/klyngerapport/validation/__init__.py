"""`validate`: files and folders -> Submissions with findings -> one Validation.

Bad data never raises here: a file that cannot be read, or even a bug met while checking one
file, becomes a finding about that file, and the other files are checked as usual. Only a path
that does not exist or a folder that cannot be listed stops the run (KlyngeError, exit 2).

`files` finds the workbooks to check, `workbook` checks one of them; this module checks a set
of files as a whole: the same office twice, and offices without a file in the year's folder.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from klyngerapport.checks.messages import finding
from klyngerapport.config import Config
from klyngerapport.errors import KlyngeError
from klyngerapport.model import Finding, Progress, Submission, Validation
from klyngerapport.paths import display_path
from klyngerapport.reading.safety import is_skipped
from klyngerapport.validation.files import SUPPORTED, collect_files
from klyngerapport.validation.workbook import office_from_name, validate_file

WORKERS = 2  # files read and checked at a time
# Files larger than this on disk are checked one at a time: each file in flight holds a sheet.
PARALLEL_MAX_BYTES = 8_000_000


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

    def check(path: Path) -> Submission:
        return validate_file(path, config, year, display_path(path, cwd), keep_rows, cutoff)

    # python-calamine reads without holding Python's lock, so one file is read while another is
    # checked; results are taken in the files' order. Two at a time: the gain of a third is
    # small (the checks are Python), and each file in flight holds one sheet in memory, so
    # large files go one at a time. Kept rows (generate) already grow with the year: there one
    # file at a time, in this thread, keeps a second sheet off the peak (4 x 120,000 rows:
    # 229 MB instead of 324 MB).
    parallel = 1 if keep_rows else min(WORKERS, total, _cores())
    if parallel > 1 and any(_size(path) > PARALLEL_MAX_BYTES for path in files):
        parallel = 1
    with contextlib.closing(
        _in_order(check, files, parallel) if parallel > 1 else (check(path) for path in files)
    ) as results:
        for done, path in enumerate(files):
            if progress is not None:
                progress(done, total, path.name)
            submissions.append(next(results))
    if progress is not None:
        progress(total, total, "")
    submissions = _mark_duplicates(submissions, year, cwd)
    submissions.sort(key=lambda s: display_path(s.path, cwd).casefold())
    missing: list[Finding] = []
    if whole_year and year is not None and paths:
        missing = _missing(submissions, config, year, paths[0], cwd)
    return Validation(tuple(submissions), tuple(missing), year)


def _in_order(
    check: Callable[[Path], Submission], files: Sequence[Path], workers: int
) -> Generator[Submission, None, None]:
    """check(file) for every file, `workers` at a time in threads, yielded in the files' order.

    The waits are short and repeated: on Windows (Python before 3.14) a wait without a timeout
    cannot be interrupted by Ctrl+C. When the caller stops early, files not started are
    dropped and the ones being checked are finished."""
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        pending = [pool.submit(check, path) for path in files]
        for result in pending:
            while True:
                try:
                    submission = result.result(timeout=0.25)
                except TimeoutError:
                    continue
                break
            yield submission
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _cores() -> int:
    """The processor cores this process may run on (its affinity, where the system says)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # its own finding says so when it is checked


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
