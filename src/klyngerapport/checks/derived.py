"""Derived indicators: counts over the Virksomheder rows, and `derived-differs`.

Pure functions over model objects. The follow-up uses the counts for its results; validation
uses them to warn when an office reported a number for a derived indicator that is not the count.
Counted are unique CVR numbers of companies in the participating municipalities (PRODUCT.md §5).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from klyngerapport import danish
from klyngerapport.checks.messages import build
from klyngerapport.model import CompanyRow, Finding, Indicator, IndicatorRow
from klyngerapport.schema import SHEET_INDICATORS


@dataclass(frozen=True, slots=True)
class Counts:
    """Unique CVR numbers of counted engagements, by the questions the indicators ask."""

    cvrs: frozenset[str]
    sme_cvrs: frozenset[str]
    reach: dict[int, frozenset[str]]  # municipality code -> CVR numbers
    by_activity: dict[str, frozenset[str]]

    @classmethod
    def of(cls, companies: Iterable[CompanyRow]) -> Counts:
        cvrs: set[str] = set()
        smes: set[str] = set()
        reach: dict[int, set[str]] = {}
        activities: dict[str, set[str]] = {}
        for c in companies:
            cvrs.add(c.cvr)
            if c.sme:
                smes.add(c.cvr)
            if c.municipality is not None:
                reach.setdefault(c.municipality.code, set()).add(c.cvr)
            if c.activity is not None:
                activities.setdefault(c.activity, set()).add(c.cvr)
        return cls(
            frozenset(cvrs),
            frozenset(smes),
            {k: frozenset(v) for k, v in reach.items()},
            {k: frozenset(v) for k, v in activities.items()},
        )

    @property
    def companies(self) -> int:
        return len(self.cvrs)

    @property
    def smes(self) -> int:
        return len(self.sme_cvrs)

    def derived(self, kind: str) -> int:
        """The count a derived indicator (`Indicator.derive`) asks for."""
        if kind == "companies":
            return self.companies
        if kind == "smes":
            return self.smes
        if kind == "municipalities":
            return len(self.reach)
        if kind.startswith("activity:"):
            return len(self.by_activity.get(kind.removeprefix("activity:"), ()))
        raise ValueError(f"unknown derived indicator kind: {kind}")


def rows_by_id(rows: tuple[IndicatorRow, ...]) -> dict[str, IndicatorRow]:
    """Indicator rows by ID; the first row wins when an ID is repeated."""
    found: dict[str, IndicatorRow] = {}
    for row in rows:
        found.setdefault(row.id.strip().upper(), row)
    return found


_COUNTED = {
    "companies": "unikke CVR-numre i de deltagende kommuner",
    "smes": "unikke CVR-numre med SMV = Ja i de deltagende kommuner",
    "municipalities": "deltagende kommuner med mindst én virksomhed",
}


def derived_differences(
    file: str,
    rows: Iterable[IndicatorRow],
    companies: Iterable[CompanyRow],
    contract: Iterable[tuple[Indicator, float]],
    codes: frozenset[int],
) -> list[Finding]:
    """`derived-differs` of one file: derived indicators whose reported number is not the count
    of its company rows in the participating municipalities (`codes`), as `generate` counts."""
    by_id = rows_by_id(tuple(rows))
    reported = [
        (i, by_id[i.id])
        for i, _ in contract
        if i.derive is not None and i.id in by_id and by_id[i.id].result is not None
    ]
    if not reported:
        return []
    counts = Counts.of(
        c for c in companies if c.municipality is not None and c.municipality.code in codes
    )
    found = []
    for indicator, row in reported:
        count = counts.derived(indicator.derive or "")
        if row.result != count:
            found.append(derived_differs(file, indicator, row, count))
    return found


def derived_differs(file: str, indicator: Indicator, row: IndicatorRow, count: int) -> Finding:
    kind = indicator.derive or ""
    counted = _COUNTED.get(kind) or (
        f"unikke CVR-numre med aktiviteten "
        f"{kind.removeprefix('activity:')} i de deltagende kommuner"
    )
    col = _column_index(row.result_cell)
    return build(
        "derived-differs",
        file,
        SHEET_INDICATORS,
        row.row,
        col,
        col is None,
        row.result,
        {"indicator": indicator.id, "count": f"{danish.number(count)} {counted}"},
    )


def _column_index(cell: str) -> int | None:
    """'E5' -> 4 (0-based, as the checks count columns); None when there is no cell."""
    letters = cell.rstrip("0123456789")
    if not letters or not letters.isalpha() or not letters.isascii():
        return None
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index - 1
