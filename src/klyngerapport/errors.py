"""Errors that stop the tool from doing its job (exit 2). Problems in the data are findings."""

from __future__ import annotations


class KlyngeError(Exception):
    """A user-facing error: a Danish message and, where one helps, a hint on how to fix it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ConfigError(KlyngeError):
    """The configuration file is missing, malformed or inconsistent."""


class PopulationError(KlyngeError):
    """Population figures are missing or malformed."""


class OutputError(KlyngeError):
    """A file could not be written, or would overwrite one that must be kept."""


def nearest(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """The closest of `choices` to `word`, or None when nothing is reasonably close."""
    import difflib

    lowered = {c.casefold(): c for c in choices}
    match = difflib.get_close_matches(word.casefold(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def suggestion(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """' Mente du "X"?' or the empty string."""
    best = nearest(word, choices)
    return f' Mente du "{best}"?' if best else ""
