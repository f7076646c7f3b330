"""How the tool names a file to the user."""

from __future__ import annotations

from pathlib import Path


def display_path(path: Path, cwd: Path | None = None) -> str:
    """Relative to the current folder where possible, else as given."""
    try:
        here = (cwd or Path.cwd()).resolve()
        return str(path.resolve().relative_to(here))
    except (ValueError, OSError):
        return str(path)
