"""Statuses and severities: the stable English code scripts read (JSON), and the Danish label,
symbol and colour every output shows, looked up here and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Colour:
    """How a status looks: Excel's "good / neutral / bad" cell colours, a chart colour and the
    name of the terminal colour. The one table every renderer reads."""

    fill: str  # cell background, RGB hex
    text: str  # cell text, RGB hex
    chart: str  # bar in a chart, RGB hex
    terminal: str  # Rich colour name


GOOD = Colour("C6EFCE", "006100", "70AD47", "green")
FAIR = Colour("FFEB9C", "9C5700", "FFC000", "yellow")
BAD = Colour("FFC7CE", "9C0006", "E0301E", "red")
NONE = Colour("E7E6E6", "3A3A3A", "A5A5A5", "dim")


class IndicatorStatus(StrEnum):
    """An indicator's status for the year; the value is the stable code scripts read (JSON)."""

    MET = "met"
    PARTIAL = "partial"
    NOT_MET = "not-met"
    NOT_REPORTED = "not-reported"

    @property
    def label(self) -> str:
        """The Danish word the report uses."""
        return _INDICATOR_LOOK[self][0]

    @property
    def symbol(self) -> str:
        return _INDICATOR_LOOK[self][1]

    @property
    def colour(self) -> Colour:
        return _INDICATOR_LOOK[self][2]


_INDICATOR_LOOK: dict[IndicatorStatus, tuple[str, str, Colour]] = {
    IndicatorStatus.MET: ("Opfyldt", "✓", GOOD),
    IndicatorStatus.PARTIAL: ("Delvist opfyldt", "~", FAIR),
    IndicatorStatus.NOT_MET: ("Ikke opfyldt", "✗", BAD),
    IndicatorStatus.NOT_REPORTED: ("Ikke indberettet", "–", NONE),
}


class SubmissionStatus(StrEnum):
    """The status of an office's submission for the year (PRODUCT.md §7). Warnings do not
    change it: they are counted beside it."""

    ACCEPTED = "accepted"  # exactly one file for the office and year, without errors
    ERRORS = "errors"  # errors in the file, or two files for the same office and year
    MISSING = "missing"  # no file

    @property
    def label(self) -> str:
        return _SUBMISSION_LOOK[self][0]

    @property
    def symbol(self) -> str:
        return _SUBMISSION_LOOK[self][1]

    @property
    def colour(self) -> Colour:
        return _SUBMISSION_LOOK[self][2]

    @property
    def reported(self) -> bool:
        """Whether the office's figures count (the one place that decides it)."""
        return self is SubmissionStatus.ACCEPTED


_SUBMISSION_LOOK: dict[SubmissionStatus, tuple[str, str, Colour]] = {
    SubmissionStatus.ACCEPTED: ("Godkendt", "✓", GOOD),
    SubmissionStatus.ERRORS: ("Fejl", "✗", BAD),
    SubmissionStatus.MISSING: ("Mangler", "✗", BAD),
}

SEVERITY_LABEL: dict[str, str] = {"error": "Fejl", "warning": "Advarsel"}
