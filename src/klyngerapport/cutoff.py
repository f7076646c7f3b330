"""`generate YEAR --as-of DATE`: the status of the year so far (PRODUCT.md §10).

KKR meets in November, before the year is over. With a cutoff date, activities dated after it
are errors (`date-after-cutoff`, raised in checks/companies.py), every output says "Status pr.
DD-MM-ÅÅÅÅ" in its title, and the targets stay the full year's.
"""

from __future__ import annotations

import datetime as dt
import re

from klyngerapport.errors import KlyngeError

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DANISH = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")


def parse_as_of(text: str, year: int) -> dt.date:
    """The cutoff date of `--as-of`: åååå-mm-dd or dd-mm-åååå, within `year`."""
    given = text.strip()
    if found := _ISO.fullmatch(given):
        y, m, d = (int(g) for g in found.groups())
    elif found := _DANISH.fullmatch(given):
        d, m, y = (int(g) for g in found.groups())
    else:
        raise KlyngeError(
            f'--as-of "{text}" er ikke en dato.',
            f"Skriv datoen som åååå-mm-dd eller dd-mm-åååå, fx --as-of {year}-11-15.",
        )
    try:
        date = dt.date(y, m, d)
    except ValueError:
        raise KlyngeError(
            f'--as-of "{text}" findes ikke i kalenderen.',
            f"Skriv en rigtig dato, fx --as-of {year}-11-15.",
        ) from None
    if date.year != year:
        raise KlyngeError(
            f"--as-of {status_date(date)} ligger ikke i {year}.",
            f"Status pr. en dato gælder årets aktiviteter: vælg en dato i {year}, "
            f"fx --as-of {year}-11-15.",
        )
    return date


def status_date(date: dt.date) -> str:
    """The date as the outputs show it: 30-06-2023."""
    return f"{date.day:02d}-{date.month:02d}-{date.year}"


def status_title(date: dt.date | None) -> str:
    """'Status pr. 30-06-2023', or '' for a report of the whole year."""
    return "" if date is None else f"Status pr. {status_date(date)}"
