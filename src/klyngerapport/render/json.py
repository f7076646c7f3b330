"""The commands' JSON documents (PRODUCT.md §4, §6, §7): plain dicts, json.dumps does the rest.

Statuses are their stable English codes (the enums' values); numbers are integers when whole.
A figure the follow-up does not know (an office whose submission is missing or has errors) is
`null`: 0 would claim the office reached no company.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping
from pathlib import PurePath

from klyngerapport.model import (
    Finding,
    Followup,
    Funding,
    IndicatorOutcome,
    Municipality,
    OfficeHistory,
    Validation,
)
from klyngerapport.paths import display_path


def followup_json(f: Followup, outputs: Mapping[str, str | None]) -> dict[str, object]:
    """The `generate --json` document; `outputs` are the files written, as shown, by output key
    (null: a format not chosen)."""
    history = {h.office.id: h for h in f.history}
    return {
        "year": f.year,
        "as_of": f.as_of.isoformat() if f.as_of is not None else None,
        "outputs": dict(outputs),
        "report": outputs.get("xlsx"),
        "population_reference": f.funding.population.quarter,
        "offices": [
            {
                "id": o.office.id,
                "cluster": o.office.cluster,
                "status": o.status.value,
                "indicators": [_indicator(i) for i in o.indicators],
                "national_indicators": [_indicator(i) for i in o.national_indicators],
                "companies": o.companies,
                "smes": o.smes,
                "municipalities_reached": _names(o.municipalities_reached),
                "municipalities_not_reached": _names(o.municipalities_not_reached),
                "kr_per_company": o.kr_per_company,
                **_history(history.get(o.office.id)),
            }
            for o in f.offices
        ],
        "errors": f.errors,
        "warnings": f.warnings,
    }


def _history(h: OfficeHistory | None) -> dict[str, object]:
    """`history` (oldest first, YEAR last) and `period` of an office (PRODUCT.md §10)."""
    if h is None:
        return {"history": [], "period": None}
    return {
        "history": [
            {
                "year": y.year,
                "status": y.status.value,
                "indicators": [
                    {
                        "id": i.indicator.id,
                        "target": number(i.target),
                        "result": number(i.result),
                        "status": i.status.value,
                    }
                    for i in y.indicators
                ],
                "companies": y.companies,
                "new_companies": y.new_companies,
                "returning_companies": y.returning_companies,
            }
            for y in h.years
        ],
        "period": {
            "from": h.period.first,
            "to": h.period.last,
            "unique_companies": h.period.unique_companies,
            "municipalities_reached": [m.name for m in h.period.municipalities_reached],
        },
    }


def _indicator(i: IndicatorOutcome) -> dict[str, object]:
    return {
        "id": i.indicator.id,
        "target": number(i.target),
        "result": number(i.result),
        "attainment": i.attainment,  # whole percent, rounded down, as shown
        "status": i.status.value,
    }


def _names(municipalities: tuple[Municipality, ...] | None) -> list[str] | None:
    return None if municipalities is None else [m.name for m in municipalities]


def number(value: float | None) -> int | float | None:
    """12.0 -> 12; 12.5 stays; None stays."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def funding_json(funding: Funding) -> dict[str, object]:
    """The `funding --json` document (PRODUCT.md §4)."""
    return {
        "year": funding.year,
        "population_reference": funding.population.quarter,
        "offices": [
            {
                "id": o.office.id,
                "lead": o.office.lead.name,
                "lead_amount": next((s.amount for s in o.shares if s.lead), 0),
                "shares": {s.municipality.name: s.amount for s in o.shares if not s.lead},
                "total": o.total,
            }
            for o in funding.offices
        ],
        "municipalities": [
            {
                "name": m.municipality.name,
                "code": m.municipality.code,
                "population": m.population,
                "as_lead": m.as_lead,
                "as_cofinancer": m.as_cofinancer,
                "total": m.total,
            }
            for m in funding.municipalities
        ],
        "grants": [
            {
                "source": g.source,
                "recipient": g.recipient,
                "amount": g.amount,
                "purpose": g.purpose,
                "years": [g.first_year, g.last_year],
            }
            for g in funding.grants
        ],
        "total_municipal": funding.total_municipal,
    }


def validation_json(v: Validation) -> dict[str, object]:
    """The `validate --json` document (PRODUCT.md §6)."""
    files: list[dict[str, object]] = [
        {
            "path": display_path(s.path),
            "office": s.office_id,
            "year": s.year,
            "valid": s.valid,
            "findings": [f.as_json() for f in sorted(s.findings, key=Finding.sort_key)],
        }
        for s in v.submissions
    ]
    for f in v.findings:
        # Findings about the set belong to no file: a missing submission names its office.
        office = f.value if f.code == "submission-missing" else None
        files.append(
            {
                "path": None,
                "office": office,
                "year": v.year,
                "valid": f.severity != "error",
                "findings": [f.as_json()],
            }
        )
    return {"valid": v.errors == 0, "errors": v.errors, "warnings": v.warnings, "files": files}


def plain(value: object) -> object:
    """Any model object as JSON-ready data: dataclasses as dicts of their fields, enums as
    their codes, dates as ISO text, paths as text, mappings with text keys, tuples as lists.

    For outputs that take the whole follow-up model as data (the PDF templates, tests).
    """
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, dt.date):  # datetime too
        return value.isoformat()
    if isinstance(value, PurePath):
        return value.as_posix()
    return value
