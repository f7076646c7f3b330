"""The contract period: how each office developed over the years up to YEAR (PRODUCT.md §10).

Pure: fed the follow-up model of every year of the period (followup.py), it computes the
history every renderer shows. Nothing is read or written here.

The rules, decided here and stated in the report:

- An office's history covers the years it was active, from its first year up to YEAR. A year
  whose submission is missing or has errors shows that status and no figures (never zeros).
- A company is its CVR number, counted where it counts in its year (a participating
  municipality, an accepted submission). Over the period a company is counted once, however
  many years it took part (`unique_companies`).
- In each year a company is *returning* when the office counted it in an earlier year of the
  period, and *new* otherwise. A year without figures cannot tell: a company first seen after
  such a year counts as new, and the period says it is incomplete.
- Municipalities reached in the period: participating municipalities where the office counted
  a company in at least one year.
"""

from __future__ import annotations

from collections.abc import Sequence

from klyngerapport import danish
from klyngerapport.model import (
    Followup,
    HistoryYear,
    Municipality,
    Office,
    OfficeHistory,
    Period,
)


def histories(followups: Sequence[Followup]) -> tuple[OfficeHistory, ...]:
    """The history of every office of the latest follow-up, from the follow-ups of the period.

    `followups` holds one follow-up per year, in any order; the latest is YEAR. An office's
    years are the follow-ups in which it appears (it was active then).
    """
    ordered = sorted(followups, key=lambda f: f.year)
    if not ordered:
        return ()
    current = ordered[-1]
    return tuple(_office_history(o.office, ordered, current.year) for o in current.offices)


def _office_history(office: Office, ordered: list[Followup], year: int) -> OfficeHistory:
    seen: set[str] = set()
    reached: dict[int, Municipality] = {}
    years: list[HistoryYear] = []
    for f in ordered:
        outcome = next((o for o in f.offices if o.office.id == office.id), None)
        if outcome is None:
            continue
        if not outcome.reported:
            years.append(HistoryYear(f.year, outcome.status, outcome.indicators, None, None, None))
            continue
        cvrs = counted_companies(f, office.id)
        returning = len(cvrs & seen)
        years.append(
            HistoryYear(
                f.year,
                outcome.status,
                outcome.indicators,
                len(cvrs),
                len(cvrs) - returning,
                returning,
            )
        )
        seen |= cvrs
        reached.update((m.code, m) for m in outcome.municipalities_reached or ())
    period = Period(
        first=years[0].year if years else year,
        last=year,
        unique_companies=len(seen),
        municipalities_reached=tuple(
            sorted(reached.values(), key=lambda m: danish.sort_key(m.name))
        ),
        complete=all(y.companies is not None for y in years),
    )
    return OfficeHistory(office, tuple(years), period)


def counted_companies(f: Followup, office_id: str) -> frozenset[str]:
    """The CVR numbers an office counted in a year (participating municipality, accepted)."""
    return frozenset(e.company.cvr for e in f.engagements if e.office_id == office_id and e.counted)
