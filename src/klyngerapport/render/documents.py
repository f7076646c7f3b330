"""JSON documents of the commands (PRODUCT.md §4, §6, §7): plain dicts, json.dumps does the rest."""

from __future__ import annotations

from klyngerapport.model import Finding, Funding, Validation
from klyngerapport.paths import display_path


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
