"""Reading the earlier years of the contract period for `generate YEAR` (PRODUCT.md §10).

Every earlier year in which an office of YEAR was active is read and validated the same way as
YEAR itself and followed up; history.py turns those follow-ups into the history. A missing
folder or a faulty submission of an earlier year is shown as such in the history; it never
stops the run or changes its exit code (that is about YEAR).
"""

from __future__ import annotations

import datetime as dt

from klyngerapport.config import Config
from klyngerapport.errors import KlyngeError
from klyngerapport.model import Followup, Funding, Progress, SourceFile, Validation


def period_start(config: Config, year: int) -> int:
    """The first year of the contract period of the offices active in `year`."""
    return min((o.first_year for o in config.active_offices(year)), default=year)


def earlier_years(config: Config, year: int) -> list[int]:
    """The years before `year` in which an office active in `year` was active, oldest first."""
    offices = config.active_offices(year)
    return [y for y in range(period_start(config, year), year) if any(o.active(y) for o in offices)]


def earlier_followups(
    config: Config,
    year: int,
    year_funding: Funding,
    config_source: SourceFile,
    tool_version: str,
    generated: dt.datetime,
    progress: Progress | None = None,
) -> list[Followup]:
    """The follow-up of every earlier year of the period, oldest first.

    The history shows no money: an earlier year whose population quarter is not available is
    split on YEAR's population instead of stopping the report.
    """
    from klyngerapport import funding
    from klyngerapport.followup import follow_up
    from klyngerapport.validation import validate_paths

    out: list[Followup] = []
    for y in earlier_years(config, year):
        folder = config.submissions_dir(y)
        if folder.is_dir():
            validation = validate_paths([folder], config, y, progress=progress, whole_year=True)
        else:
            validation = Validation((), (), y)  # no folder: every office of the year is missing
        try:
            paid = funding.funding_of_year(config, y)
        except KlyngeError:
            paid = funding.compute(config, y, year_funding.population)
        out.append(
            follow_up(config, y, validation, paid, (), config_source, tool_version, generated)
        )
    return out
