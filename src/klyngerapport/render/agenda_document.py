"""The follow-up model as the agenda package reads it (PRODUCT.md §9): one plain dict.

The PDF templates (render/pdf/*.typ, fed this dict as JSON) and the Word draft (render/docx.py,
its text in render/agenda_text.py) read the same document, so the appendix, the municipality
pages and the agenda text can never disagree. This module only picks, renames and formats:
every figure is the follow-up model's. Text is Danish and already formatted ("1.000.000 kr.",
"80 %", "dd-mm-åååå"); the few raw numbers beside it ("*_value") only size the bars the
templates draw.

Nothing private goes in: no CVR numbers, company names, file paths or hashes (public documents).
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath
from typing import Any

from klyngerapport import danish
from klyngerapport.cutoff import status_title
from klyngerapport.model import Followup, IndicatorOutcome, MunicipalityOutcome, OfficeOutcome
from klyngerapport.outputs import output_marker
from klyngerapport.status import IndicatorStatus, SubmissionStatus

NBSP = "\u00a0"  # keeps "80 %" and "1.000 kr." on one line
TITLE = "Orientering om de regionale klyngekontorer"
MUNICIPALITIES_TITLE = "Klyngekontorerne i kommunerne"
BAR_END = 150  # the attainment bars run from 0 to 150 % (render/pdf/orientering.typ)

STATUS_NOTE = {
    SubmissionStatus.MISSING: "Indberetningen er ikke modtaget; kontorets tal indgår ikke.",
    SubmissionStatus.ERRORS: "Indberetningen har fejl og indgår ikke, før de er rettet.",
}


def kr(amount: float) -> str:
    return f"{danish.number(amount)}{NBSP}kr."


def count(value: float) -> str:
    return danish.number(value)


def decimal(value: float | None, places: int) -> str:
    return "–" if value is None else danish.number(round(value, places), places)


def date(value: dt.date) -> str:
    return f"{value:%d-%m-%Y}"


def names(municipalities: tuple[Any, ...] | None) -> list[str]:
    return [] if municipalities is None else [m.name for m in municipalities]


def appendix_names(year: int) -> dict[str, str]:
    """The agenda package's PDFs as the list of bilag names them (file names, never paths)."""
    return {
        "pdf": f"{TITLE} {year} (orientering-{year}.pdf)",
        "municipalities": f"{MUNICIPALITIES_TITLE} {year} (kommuner-{year}.pdf)",
    }


def agenda_data(f: Followup) -> dict[str, Any]:
    """The agenda package's document of the follow-up `f` (see the module docstring)."""
    offices = [_office(f, o) for o in f.offices]
    status = f" – {status_title(f.as_of)}" if f.as_of is not None else ""  # --as-of
    return {
        "title": f"{TITLE} {f.year}{status}",
        "municipalities_title": f"{MUNICIPALITIES_TITLE} {f.year}{status}",
        "subtitle": f"Bilag til {f.council} · dannet {date(f.generated)}",
        "lead_in": f"Årlig opfølgning på resultatkontrakterne · {f.region}",
        "year": f.year,
        "marker": output_marker(f.year),  # in the document properties: ours to replace
        "council": f.council,
        "region": f.region,
        "as_of": None,
        "generated": date(f.generated),
        "participating": len(f.participating),
        "headline": _headline(f),
        "key_figures": _key_figures(f),
        "offices": offices,
        "coverage": [
            {"name": o["name"], "municipalities": ", ".join(o["not_reached"])}
            for o in offices
            if o["not_reached"]
        ],
        "statuses": [{"code": s.value, "label": s.label} for s in IndicatorStatus],
        "reach": _reach(f),
        "cofinancing": _cofinancing(f),
        "history": _history(f),
        "municipality_pages": [_municipality_page(f, m) for m in f.municipalities],
        "method": _method(f),
    }


def _office(f: Followup, o: OfficeOutcome) -> dict[str, Any]:
    reached = o.municipalities_reached
    return {
        "id": o.office.id,
        "name": o.office.cluster,
        "strength": o.office.strength,
        "lead": o.office.lead.name,
        "status": o.status.value,
        "status_label": o.status.label,
        "status_note": STATUS_NOTE.get(o.status, ""),
        "reported": o.reported,
        "warnings": o.warnings,
        "companies": None if o.companies is None else count(o.companies),
        "smes": None if o.smes is None else count(o.smes),
        "reached": None if reached is None else f"{len(reached)} af {len(f.participating)}",
        "not_reached": names(o.municipalities_not_reached),
        "cofinancing": kr(o.cofinancing),
        "kr_per_company": None if o.kr_per_company is None else kr(o.kr_per_company),
        "counts": {s.value: o.count(s) for s in IndicatorStatus},
        "indicator_total": len(o.indicators),
        "indicators": [_indicator(i) for i in o.indicators],
    }


def _indicator(i: IndicatorOutcome) -> dict[str, Any]:
    def value(x: float | None) -> str:
        if x is None:
            return "–"
        return kr(x) if i.indicator.unit == "kr." else count(x)

    return {
        "id": i.indicator.id,
        "name": i.indicator.name,
        # Each indicator's description stands once, on the method page, not under every office.
        "description": "",
        "target": value(i.target),
        "result": value(i.result),
        "attainment": "–" if i.attainment is None else f"{i.attainment}{NBSP}%",
        # Sizes the bar, whose scale ends at BAR_END %: a larger figure (1e308 typed by mistake)
        # draws a full bar, and stays a number Typst's JSON reader can hold.
        "attainment_value": None if i.attainment is None else min(i.attainment, BAR_END),
        "status": i.status.value,
        "status_label": i.status.label,
    }


def _headline(f: Followup) -> list[str]:
    t = f.totals
    by_status = t.indicators
    lines = [
        f"{t.accepted} af {len(f.offices)} klyngekontorer har en godkendt indberetning for "
        f"{f.year}. Af deres mål er {by_status.get(IndicatorStatus.MET, 0)} opfyldt, "
        f"{by_status.get(IndicatorStatus.PARTIAL, 0)} delvist opfyldt og "
        f"{by_status.get(IndicatorStatus.NOT_MET, 0)} ikke opfyldt."
    ]
    for o in f.offices:
        if not o.reported:
            verb = "mangler" if o.status is SubmissionStatus.MISSING else "har fejl og indgår ikke"
            lines.append(f"Indberetningen fra {o.office.cluster} {verb}.")
    short = [o for o in f.offices if o.municipalities_not_reached]
    if short:
        gaps = "; ".join(
            f"{o.office.cluster} ({', '.join(names(o.municipalities_not_reached))})" for o in short
        )
        lines.append(
            f"Ikke alle kontorer har nået virksomheder i alle deltagende kommuner: {gaps}."
        )
    elif t.accepted:
        lines.append(
            "Alle kontorer med en godkendt indberetning har nået virksomheder i alle deltagende "
            "kommuner."
        )
    return lines


def _key_figures(f: Followup) -> list[dict[str, str]]:
    t = f.totals
    incomplete = "" if t.complete else " (ufuldstændigt)"
    return [
        {"label": "Kommunal medfinansiering", "value": kr(t.cofinancing)},
        {"label": f"Virksomheder nået{incomplete}", "value": count(t.companies)},
        # Each office is to reach every participating municipality (the source's principle):
        # "16 af 16 nået" by the offices together would hide an office that missed five.
        {
            "label": f"Kontorer, der når alle {len(f.participating)}",
            "value": f"{len(t.full_coverage)} af {len(f.offices)}",
        },
        {"label": "Godkendte indberetninger", "value": f"{t.accepted} af {len(f.offices)}"},
    ]


def _reach(f: Followup) -> dict[str, Any]:
    t = f.totals
    offices = [
        {
            "name": o.office.cluster,
            "status": o.status.value,
            "status_label": o.status.label,
            "reported": o.reported,
        }
        for o in f.offices
    ]
    rows = []
    for m in f.municipalities:
        cells = []
        for o in f.offices:
            n = m.companies_by_office.get(o.office.id)
            cells.append({"text": "–" if n is None else count(n), "value": n})
        rows.append(
            {
                "name": m.municipality.name,
                "cells": cells,
                "total": count(m.companies),
                "per_1000": decimal(m.companies_per_1000, 1),
            }
        )
    return {
        "offices": offices,
        "rows": rows,
        "complete": t.complete,
        "note": "" if t.complete else "Et kontor uden godkendt indberetning er markeret med –.",
        "total_label": "Kontoret i alt",
        "totals": [
            "–"
            if o.municipalities_reached is None
            else f"{len(o.municipalities_reached)} af {len(f.participating)}"
            for o in f.offices
        ],
        "total": count(t.companies),
        "total_per_1000": decimal(t.companies_per_1000, 1),
        "footnote": (
            "Tallene er unikke virksomheder. En virksomhed med aktiviteter i flere kommuner tæller "
            "i hver af dem, så kommunernes tal kan give mere end totalen."
            + (
                ""
                if t.complete
                else " Totalerne er ufuldstændige: ikke alle kontorer har en godkendt indberetning."
            )
        ),
    }


def _cofinancing(f: Followup) -> dict[str, Any]:
    funding = f.funding
    leads = {s.amount for o in funding.offices for s in o.shares if s.lead}
    per_office = {o.total for o in funding.offices}
    rule = (
        f"Hvert klyngekontor får {kr(next(iter(per_office)))} om året: "
        f"{kr(next(iter(leads)))} fra leadkommunen og resten fra de øvrige deltagende "
        "kommuner efter indbyggertal."
        if len(leads) == 1 and len(per_office) == 1
        else "Leadkommunen betaler en fast andel; resten fordeles efter indbyggertal."
    )
    return {
        "basis": funding.population.basis_text(),
        "rule": rule,
        "rows": [
            {
                "name": m.municipality.name,
                "participating": m.participating,
                "population": count(m.population),
                "as_lead": kr(m.as_lead) if m.as_lead else "–",
                "as_cofinancer": kr(m.as_cofinancer) if m.as_cofinancer else "–",
                "total": kr(m.total),
                "per_inhabitant": (
                    f"{decimal(m.per_inhabitant, 2)}{NBSP}kr."
                    if m.participating and m.per_inhabitant is not None
                    else "–"
                ),
            }
            # Danish alphabetical order, as everywhere else in the appendix.
            for m in sorted(
                funding.municipalities, key=lambda m: danish.sort_key(m.municipality.name)
            )
        ],
        "population_total": count(f.totals.population),
        "total": kr(funding.total_municipal),
        "notes": [
            *(
                f"{m.municipality.name} deltager ikke i medfinansieringen i {f.year}."
                for m in funding.municipalities
                if not m.participating
            ),
            "Indbyggere i alt er de deltagende kommuners.",
        ],
        # Listed, never added up: national grants to all clusters and grants to the work in the
        # region are different things (PRODUCT.md §7).
        "grants": [
            {
                "source": g.source,
                "recipient": g.recipient,
                "purpose": g.purpose,
                "amount": kr(g.amount),
                "national": g.scope == "national",
            }
            for g in (*funding.grants_in("regional"), *funding.grants_in("national"))
        ],
    }


def _history(f: Followup) -> dict[str, Any] | None:
    """Companies reached per office and year over the contract period so far, as the model
    holds them (history.py); None when the period is only this year."""
    if not f.history:
        return None
    years = sorted({y.year for h in f.history for y in h.years})
    if len(years) < 2:
        return None
    rows = []
    for h in f.history:
        by_year = {y.year: y for y in h.years}
        cells = []
        for year in years:
            y = by_year.get(year)
            if y is None:
                cells.append("–")
            elif y.companies is None:
                cells.append(y.status.label)
            elif y.new_companies is not None and year != min(by_year):
                cells.append(f"{count(y.companies)} ({count(y.new_companies)} nye)")
            else:
                cells.append(count(y.companies))
        period = h.period
        cells.append(count(period.unique_companies) + ("" if period.complete else " *"))
        rows.append({"name": h.office.cluster, "cells": cells})
    return {
        "note": (
            "Virksomheder nået pr. år (unikke CVR-numre i de deltagende kommuner); i parentes "
            "de nye, som kontoret ikke nåede et tidligere år. Sidste kolonne: forskellige "
            "virksomheder i hele perioden, hver talt én gang. * Et år mangler eller har fejl "
            "og indgår ikke. – Kontoret var ikke aktivt."
        ),
        "years": [*(str(y) for y in years), "Perioden"],
        "rows": rows,
    }


def _municipality_page(f: Followup, m: MunicipalityOutcome) -> dict[str, Any]:
    t = f.totals
    rows = []
    for o in f.offices:
        share = next(
            (
                s
                for x in f.funding.offices
                if x.office.id == o.office.id
                for s in x.shares
                if s.municipality.code == m.municipality.code
            ),
            None,
        )
        n = m.companies_by_office.get(o.office.id)
        rows.append(
            {
                "name": o.office.cluster,
                "strength": o.office.strength,
                "role": "Leadkommune" if share is not None and share.lead else "Efter indbyggertal",
                "paid": kr(share.amount if share is not None else 0),
                "reported": n is not None,
                "status": o.status.value,
                "status_label": o.status.label,
                "companies": "–" if n is None else count(n),
                "companies_value": n,
            }
        )
    unreported = [o for o in f.offices if not o.reported]
    name = m.municipality.name
    return {
        "name": name,
        "title": f"{name} Kommune og klyngekontorerne {f.year}",
        "lead_in": f"Kommunens betaling og udbytte · {f.council}",
        "key_figures": [
            {"label": f"Betalt i alt {f.year}", "value": kr(m.total)},
            {
                "label": "Virksomheder fra kommunen nået"
                + ("" if m.complete else " (ufuldstændigt)"),
                "value": count(m.companies),
            },
            {"label": "Indbyggere", "value": count(m.population)},
        ],
        "offices": rows,
        "paid_total": kr(m.total),
        "companies_total": count(m.companies),
        "bar_scale": max([1] + [r["companies_value"] or 0 for r in rows]),
        "companies_note": "I alt er unikke virksomheder: en virksomhed, som flere kontorer har "
        "nået, tælles én gang.",
        "per_1000": [
            {
                "label": name,
                "value": m.companies_per_1000 or 0,
                "text": decimal(m.companies_per_1000, 1),
                "own": True,
            },
            {
                "label": "Alle deltagende kommuner",
                "value": t.companies_per_1000 or 0,
                "text": decimal(t.companies_per_1000, 1),
                "own": False,
            },
        ],
        "per_1000_scale": max(m.companies_per_1000 or 0, t.companies_per_1000 or 0, 0.1),
        "per_1000_note": "Unikke virksomheder nået af mindst ét klyngekontor pr. 1.000 indbyggere.",
        "not_reached": [
            o.office.cluster for o in f.offices if m.companies_by_office.get(o.office.id) == 0
        ],
        "unreported": [o.office.cluster for o in unreported],
        "unreported_note": (
            "Uden godkendt indberetning: "
            + ", ".join(f"{o.office.cluster} ({o.status.label.lower()})" for o in unreported)
            + ". Tallene for kommunen er derfor ufuldstændige."
        ),
    }


def _method(f: Followup) -> dict[str, Any]:
    partial = f"{round(f.partial_threshold * 100)}{NBSP}%"
    return {
        "sections": [
            {
                "heading": "Målopfyldelse",
                "paragraphs": [
                    "Hvert mål i resultatkontrakten er sammenholdt med kontorets resultat: "
                    f"»Opfyldt« ved mindst 100{NBSP}% af målet, »Delvist opfyldt« ved mindst "
                    f"{partial}, ellers »Ikke opfyldt«. Opfyldelsen vises i hele procent rundet "
                    "ned, så et vist tal aldrig modsiger status. Et kontor, hvis indberetning "
                    "mangler eller har fejl, står som »Ikke indberettet« og indgår ikke med nul.",
                ],
            },
            {
                "heading": "Virksomheder og kommuner",
                "paragraphs": [
                    "Virksomheder tælles som unikke CVR-numre fra de deltagende kommuner med "
                    "mindst én aktivitet i året. SMV er de virksomheder, der har deltaget som "
                    "små eller mellemstore. En kommune er nået, når mindst én virksomhed fra "
                    "kommunen har deltaget. Virksomheder fra andre kommuner er ikke talt med. "
                    "Kr. pr. virksomhed er kontorets kommunale medfinansiering i året delt med "
                    "antallet af virksomheder, det har nået.",
                ],
            },
            {
                "heading": "Befolkningsgrundlag",
                "paragraphs": [
                    f"{f.funding.population.basis_text()} (Danmarks Statistik, Statistikbanken "
                    "tabel FOLK1A). Det samme folketal ligger til grund for fordelingen af "
                    "medfinansieringen og for virksomheder pr. 1.000 indbyggere.",
                    *([f.funding.population.rule_note] if f.funding.population.rule_note else []),
                ],
            },
            *_definitions(f),
        ],
        "files": [
            {
                "office": o.office.cluster,
                "status": o.status.value,
                "status_label": o.status.label,
                # Names only: a public appendix shows no folders of the secretariat's machine.
                "file": ", ".join(PurePath(x).name for x in o.files) if o.files else "–",
            }
            for o in f.offices
        ],
        "colophon": f"Dannet med klyngerapport {f.tool_version} den {date(f.generated)}. "
        "Bilaget indeholder ingen CVR-numre eller virksomhedsnavne; de står i datarapporten "
        "(XLSX) til sekretariatets brug.",
    }


def _definitions(f: Followup) -> list[dict[str, Any]]:
    """What each of the year's indicators counts, once (the config's `description`)."""
    seen: dict[str, str] = {}
    for o in f.offices:
        for i in o.indicators:
            description = i.indicator.description
            if description and i.indicator.id not in seen:
                seen[i.indicator.id] = f"{i.indicator.name}: {description}"
    if not seen:
        return []
    return [{"heading": "Indikatorerne", "paragraphs": list(seen.values())}]
