"""How the tool names a file to the user."""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path


def display_path(path: Path, base: Path | None = None, private: bool = False) -> str:
    """`path` relative to `base` (default: the current folder) where possible, else as given.

    `private`: a path outside `base` is shown by its name only, so a report never shows the
    folders of the machine it was made on.
    """
    try:
        here = (base if base is not None else Path.cwd()).resolve()
        relative = path.resolve().relative_to(here)
    except (ValueError, OSError):
        return path.name if private else str(path)
    # A report is the same on every machine; the terminal speaks the machine's own way.
    return relative.as_posix() if private else str(relative)


def config_path(text: str, base: Path) -> Path:
    """A path written in the config: "~" or "~/..." is the home folder (as in a shell, also on
    Windows), and a relative path is relative to the config file's folder `base`."""
    path = Path(text)
    with suppress(RuntimeError):  # no home folder known: the path stays as written
        path = path.expanduser()
    return path if path.is_absolute() else base / path
