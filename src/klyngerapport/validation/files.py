"""The files a run checks: paths named and folders walked, and the files that cannot be checked.

A folder is walked in name order; a file that is not a supported workbook (or not a file at all)
is kept as a Submission with one finding, so the user sees why it was not checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from klyngerapport.errors import KlyngeError
from klyngerapport.model import Submission
from klyngerapport.paths import display_path
from klyngerapport.reading import problems
from klyngerapport.reading.safety import SUFFIX_FORMATS, is_skipped
from klyngerapport.validation.workbook import problem_finding

SUPPORTED = tuple(SUFFIX_FORMATS)


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
    return Submission(path, None, None, findings=(problem_finding(display, problem),))


def _unsupported(path: Path, display: str) -> Submission:
    problem = problems.unsupported(path.suffix.lower())
    return Submission(path, None, None, findings=(problem_finding(display, problem),))
