"""How the tool names a file to the user."""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path


def display_path(path: Path, base: Path | None = None, private: bool = False) -> str:
    """`path` relative to `base` (default: the current folder) where possible, else as given;
    always readable text.

    `private`: a path outside `base` is shown by its name only, so a report never shows the
    folders of the machine it was made on.
    """
    try:
        here = (base if base is not None else Path.cwd()).resolve()
        relative = path.resolve().relative_to(here)
    except (ValueError, OSError):
        return readable(path.name if private else str(path))
    # A report is the same on every machine; the terminal speaks the machine's own way.
    return readable(relative.as_posix() if private else str(relative))


def readable(name: str) -> str:
    """A file name as text a person can read and JSON can hold.

    A name that is not UTF-8 (Latin-1 bytes left by unzip or an old Windows tool, e.g. 0xF8 for
    "ø") reaches Python with surrogate escapes; it is shown decoded as Windows-1252, the encoding
    such names come in, so "f\udcf8devarer" reads "fødevarer".
    """
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = os.fsencode(name)
        return raw.decode("cp1252", "replace")


def config_path(text: str, base: Path) -> Path:
    """A path written in the config: "~" or "~/..." is the home folder (as in a shell, also on
    Windows), and a relative path is relative to the config file's folder `base`."""
    path = Path(text)
    with suppress(RuntimeError):  # no home folder known: the path stays as written
        path = path.expanduser()
    return path if path.is_absolute() else base / path
