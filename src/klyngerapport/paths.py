"""How the tool names a file to the user."""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path


def display_path(path: Path, cwd: Path | None = None) -> str:
    """Relative to the current folder where possible, else as given."""
    try:
        here = (cwd or Path.cwd()).resolve()
        return str(path.resolve().relative_to(here))
    except (ValueError, OSError):
        return str(path)


def config_path(text: str, base: Path) -> Path:
    """A path written in the config: "~" or "~/..." is the home folder (as in a shell, also on
    Windows), and a relative path is relative to the config file's folder `base`."""
    path = Path(text)
    with suppress(RuntimeError):  # no home folder known: the path stays as written
        path = path.expanduser()
    return path if path.is_absolute() else base / path
