"""The `generate --json` document (PRODUCT.md §7): a plain dict, json.dumps does the rest.

Statuses are stable English codes for scripts (the Danish words are the report's); numbers are
integers when whole. An office that reports nothing (submission missing or with errors) has
`null` counts: 0 would claim it reached no company.
"""

from __future__ import annotations

from klyngerapport.followup import accepted
from klyngerapport.model import (
    MET,
    NOT_MET,
    NOT_REPORTED,
    PARTIAL,
    SUBMISSION_ERRORS,
    SUBMISSION_MISSING,
    SUBMISSION_OK,
    SUBMISSION_WARNINGS,
    Followup,
)

OFFICE_STATUS = {
    SUBMISSION_OK: "ok",
    SUBMISSION_WARNINGS: "warnings",
    SUBMISSION_ERRORS: "errors",
    SUBMISSION_MISSING: "missing",
}
INDICATOR_STATUS = {
    MET: "met",
    PARTIAL: "partial",
    NOT_MET: "not-met",
    NOT_REPORTED: "not-reported",
}


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def followup_json(
    f: Followup, report_path: str, outputs: dict[str, str | None] | None = None
) -> dict[str, object]:
    """The `generate --json` document."""
    offices: list[dict[str, object]] = []
    for o in f.offices:
        reported = accepted(o.status)
        offices.append(
            {
                "id": o.office.id,
                "status": OFFICE_STATUS[o.status],
                "indicators": [
                    {
                        "id": i.indicator.id,
                        "target": _number(i.target),
                        "result": _number(i.result),
                        "attainment": None if i.attainment is None else round(i.attainment, 4),
                        "status": INDICATOR_STATUS[i.status],
                    }
                    for i in o.indicators
                ],
                "companies": o.companies if reported else None,
                "smes": o.smes if reported else None,
                "municipalities_reached": len(o.municipalities_reached) if reported else None,
            }
        )
    return {
        "year": f.year,
        "outputs": outputs if outputs is not None else {"xlsx": report_path},
        "report": report_path,
        "offices": offices,
        "errors": f.errors,
        "warnings": f.warnings,
    }
