"""The follow-up model as the agenda package reads it (PRODUCT.md §9): one plain dict.

The PDF templates (render/pdf/*.typ, fed this dict as JSON) and the Word draft (render/docx.py)
read the same document, so the appendix, the municipality pages and the agenda text can never
disagree. This module only renames and formats: every figure is the follow-up model's. Text is
Danish and already formatted ("1.000.000 kr.", "80 %", "dd-mm-åååå"); the few raw numbers beside
it ("*_value") only size the bars the templates draw.

Nothing private goes in: no CVR numbers, company names, file paths or hashes (public documents).
"""

from __future__ import annotations

import math
from typing import Any

from klyngerapport import danish
from klyngerapport.followup import accepted, reach_by_municipality
from klyngerapport.model import (
    MET,
    NOT_MET,
    NOT_REPORTED,
    PARTIAL,
    SUBMISSION_ERRORS,
    SUBMISSION_MISSING,
    Followup,
    IndicatorOutcome,
    OfficeOutcome,
)
from klyngerapport.outputs import output_marker
from klyngerapport.render.followup_json import INDICATOR_STATUS, OFFICE_STATUS

NBSP = "\u00a0"
TITLE = "Orientering om de regionale klyngekontorer"

# The short word a table cell has room for; the model's label is used everywhere else.
SHORT_STATUS = {
    SUBMISSION_MISSING: "Mangler",
    SUBMISSION_ERRORS: "Fejl",
}


def kr(amount: float) -> str:
    return f"{danish.number(amount)}{NBSP}kr."


def count(value: float) -> str:
    return danish.number(value)


def date(value: Any) -> str:
    return f"{value:%d-%m-%Y}"


def percent_shown(outcome: IndicatorOutcome) -> str:
    if outcome.attainment is None:
        return "–"
    return f"{math.floor(outcome.attainment * 100 + 1e-9)}{NBSP}%"


def _value(outcome: IndicatorOutcome, value: float | None) -> str:
    if value is None:
        return "–"
    return kr(value) if outcome.indicator.unit == "kr." else count(value)


def agenda_data(f: Followup, files: tuple[str, ...] = ()) -> dict[str, Any]:
    """The agenda package's document of the follow-up `f` (see the module docstring).

    `files` are the names (not paths) of the documents in the package, for the list of bilag.
    """
    participating = len(f.participating)
    offices = [_office(f, o, participating) for o in f.offices]
    return {
        "title": f"{TITLE} {f.year}",
        "subtitle": f"Bilag til {f.council} · dannet {date(f.generated)}",
        "lead_in": f"Årlig opfølgning på resultatkontrakterne · {f.region}",
        "coverage": [
            {"name": o["name"], "municipalities": ", ".join(o["not_reached"])}
            for o in offices
            if o["not_reached"]
        ],
        "year": f.year,
        "marker": output_marker(f.year),  # in the document properties: ours to replace
        "council": f.council,
        "region": f.region,
        "as_of": None,
        "generated": date(f.generated),
        "participating": participating,
        "headline": _headline(f, offices),
        "key_figures": _key_figures(f, offices),
        "offices": offices,
        "statuses": [
            {"code": INDICATOR_STATUS[s], "label": s} for s in (MET, PARTIAL, NOT_MET, NOT_REPORTED)
        ],
        "reach": _reach(f, offices),
        "cofinancing": _cofinancing(f),
        "history": None,
        "municipalities_title": f"Klyngekontorerne i kommunerne {f.year}",
        "municipality_pages": _municipality_pages(f, offices),
        "method": _method(f, offices),
        "files": list(files),
    }


def with_agenda(document: dict[str, Any], f: Followup, appendices: list[str]) -> dict[str, Any]:
    """`document` with the Word draft's text ("agenda"); `appendices` are the bilag's names."""
    return {**document, "agenda": _agenda(f, document, appendices)}


def _agenda(f: Followup, d: dict[str, Any], appendices: list[str]) -> dict[str, Any]:
    offices = d["offices"]
    lead_amounts = sorted({s.amount for x in f.funding.offices for s in x.shares if s.lead})
    per_office = sorted({x.total for x in f.funding.offices})
    lead = kr(lead_amounts[0]) if len(lead_amounts) == 1 else "en fast andel"
    amount = kr(per_office[0]) if len(per_office) == 1 else "et fast beløb"
    n_all = len(f.funding.municipalities)
    n_part = len(f.participating)
    office_list = [f"{o['name']} ({o['strength']}), leadkommune {o['lead']}" for o in offices]
    results_rows = [
        [
            o["name"],
            o["status_label"],
            f"{o['counts']['met']} af {o['indicator_total']}" if o["reported"] else "–",
            o["companies"] or "–",
            o["reached"] or "–",
        ]
        for o in offices
    ]
    coverage = [f"{c['name']}: {c['municipalities']}" for c in d["coverage"]]
    unreached = [r["name"] for r in d["reach"]["rows"] if r["total"] == "0"]
    grants = d["cofinancing"]["grants"]
    return {
        "title": f"Orientering om resultaterne af de regionale klyngekontorer {f.year}",
        "generated": d["generated"],
        "summary": [
            f"{f.council} orienteres årligt om resultaterne af de regionale klyngekontorer, som "
            f"kommunerne i {f.region} medfinansierer. Orienteringen for {f.year} bygger på "
            "kontorernes indberetninger og resultatkontrakterne med leadkommunerne.",
            *d["headline"],
        ],
        "recommendation": f"Det indstilles, at {f.council} tager orienteringen til efterretning.",
        "parts": [
            {
                "heading": "Baggrund",
                "paragraphs": [
                    "Uddannelses- og forskningsministeren udpegede i 2020 14 nationale "
                    "klyngeorganisationer for perioden 2021–2024. Klyngerne finansieres med "
                    "80 mio. kr. årligt fra Danmarks Erhvervsfremmebestyrelse og 80 mio. kr. "
                    "årligt fra Uddannelses- og Forskningsministeriet. De skal være bindeled "
                    "mellem virksomheder og vidensinstitutioner og bidrage til omstillingen til "
                    "en grønnere og mere klimavenlig produktion.",
                    f"Ingen af de 14 klynger havde ved udpegningen kontor i {f.region}. "
                    f"{f.council} udpegede derfor med hjælp fra Erhvervshus Sjælland fire "
                    "styrkepositioner, hvor et regionalt klyngekontor ville skabe størst værdi, "
                    f"og der er nu et regionalt klyngekontor for hver af dem:",
                ],
                "bullets": office_list,
                "after": [
                    f"Kommunerne medfinansierer hvert klyngekontor med {amount} årligt: "
                    f"{lead} fra leadkommunen og resten fra de øvrige deltagende kommuner "
                    f"tilsammen, fordelt efter indbyggertal. {n_part} af {n_all} kommuner står "
                    "bag. Hvert klyngekontor har en resultatkontrakt med sin leadkommune på "
                    f"vegne af de {n_part} kommuner, og leadkommunen skal i samarbejde med "
                    "kontoret sikre, at klyngens tilbud når virksomheder i alle deltagende "
                    f"kommuner. Der følges op årligt med en orientering til {f.council}.",
                ],
            },
            {
                "heading": "Resultater",
                "paragraphs": [
                    f"Tabellen viser kontorernes resultater for {f.year}. Målopfyldelsen pr. "
                    "indikator står i bilag 1.",
                ],
                "table": {
                    "header": [
                        # Soft hyphens: where a narrow column may break a long word.
                        "Klyngekontor",
                        "Indberet\u00adning",
                        "Mål opfyldt",
                        "Virksom\u00adheder",
                        "Kommuner nået",
                    ],
                    "rows": results_rows,
                },
                "after": [f"{o['name']}: {o['status_note']}" for o in offices if not o["reported"]],
            },
            {
                "heading": "Geografisk spredning",
                "paragraphs": (
                    [
                        "Resultatkontrakterne forudsætter, at hvert kontor når virksomheder i "
                        "alle deltagende kommuner. Det er ikke lykkedes for alle kontorer:"
                    ]
                    if coverage
                    else [
                        "Alle kontorer med en godkendt indberetning har nået virksomheder i "
                        "alle deltagende kommuner."
                    ]
                ),
                "bullets": coverage,
                "after": (
                    [f"Ingen kontorer har nået virksomheder i: {', '.join(unreached)}."]
                    if unreached
                    else []
                )
                + [
                    "Hver kommune kan se sin egen betaling og de virksomheder, kontorerne har "
                    "nået i kommunen, i bilag 2."
                ],
            },
            {
                "heading": "Økonomi",
                "paragraphs": [
                    f"Den kommunale medfinansiering udgør {d['cofinancing']['total']} i {f.year} "
                    f"({d['cofinancing']['basis']}).",
                    *(
                        f"{g['source']} har bevilget {g['amount']} til {g['recipient']} "
                        f"({g['purpose'].lower() if g['purpose'] else ''})."
                        for g in grants
                    ),
                ],
            },
            {
                "heading": "Det videre forløb",
                "paragraphs": [
                    f"Kontorerne indberetter igen for {f.year + 1}, og {f.council} orienteres om "
                    "resultaterne næste år. Leadkommunerne følger op med de kontorer, der ikke "
                    "har nået alle deltagende kommuner eller ikke har opfyldt deres mål.",
                ],
            },
        ],
        "appendices": appendices,
    }


def _office(f: Followup, o: OfficeOutcome, participating: int) -> dict[str, Any]:
    reported = accepted(o.status)
    reached = {m.code for m in o.municipalities_reached}
    cofinancing = next((x.total for x in f.funding.offices if x.office.id == o.office.id), 0)
    return {
        "id": o.office.id,
        "name": o.office.cluster,
        "strength": o.office.strength,
        "lead": o.office.lead.name,
        "status": OFFICE_STATUS[o.status],
        "status_label": SHORT_STATUS.get(o.status, "Godkendt"),
        "status_text": o.status,
        "reported": reported,
        "warnings": o.submission.warnings if o.submission is not None and reported else 0,
        "companies": count(o.companies) if reported else None,
        "companies_value": o.companies if reported else None,
        "smes": count(o.smes) if reported else None,
        "reached": (f"{len(o.municipalities_reached)} af {participating}" if reported else None),
        "reached_value": len(o.municipalities_reached) if reported else None,
        "not_reached": (
            [m.name for m in f.participating if m.code not in reached] if reported else []
        ),
        "cofinancing": kr(cofinancing),
        "kr_per_company": (
            kr(round(cofinancing / o.companies)) if reported and o.companies else None
        ),
        "counts": {INDICATOR_STATUS[s]: o.count(s) for s in (MET, PARTIAL, NOT_MET, NOT_REPORTED)},
        "indicator_total": len(o.indicators),
        "indicators": [_indicator(i) for i in o.indicators],
        "status_note": (
            "Kontorets tal indgår ikke i opgørelsen, før indberetningen er modtaget."
            if o.status == SUBMISSION_MISSING
            else "Indberetningen har fejl og indgår ikke, før de er rettet."
            if o.status == SUBMISSION_ERRORS
            else ""
        ),
        "by_municipality": {str(k): v for k, v in o.companies_by_municipality.items()},
    }


def _indicator(i: IndicatorOutcome) -> dict[str, Any]:
    return {
        "id": i.indicator.id,
        "name": i.indicator.name,
        "description": getattr(i.indicator, "description", "") or "",
        "target": _value(i, i.target),
        "result": _value(i, i.result),
        "attainment": percent_shown(i),
        "attainment_value": i.attainment,
        "status": INDICATOR_STATUS[i.status],
        "status_label": i.status,
    }


def _headline(f: Followup, offices: list[dict[str, Any]]) -> list[str]:
    lines = []
    reported = [o for o in offices if o["reported"]]
    missing = [o for o in offices if not o["reported"]]
    total = sum(o["indicator_total"] for o in reported)
    met = sum(o["counts"]["met"] for o in reported)
    lines.append(
        f"{len(reported)} af {len(offices)} klyngekontorer har indberettet for {f.year}; "
        f"de har opfyldt {met} af deres {total} mål."
    )
    for o in missing:
        word = "mangler" if o["status"] == "missing" else "har fejl og indgår ikke"
        lines.append(f"Indberetningen fra {o['name']} {word}.")
    short = [o for o in reported if o["not_reached"]]
    if short:
        names = "; ".join(f"{o['name']} ({', '.join(o['not_reached'])})" for o in short)
        lines.append(f"Ikke alle deltagende kommuner er nået: {names}.")
    else:
        lines.append(
            "Alle indberettende kontorer har nået virksomheder i alle deltagende kommuner."
        )
    return lines


def _key_figures(f: Followup, offices: list[dict[str, Any]]) -> list[dict[str, str]]:
    reach = reach_by_municipality(f)
    reached = sum(1 for m in f.participating if reach.get(m.code))
    return [
        {"label": "Kommunal medfinansiering", "value": kr(f.funding.total_municipal)},
        {
            "label": "Kommuner nået af mindst ét kontor",
            "value": f"{reached} af {len(f.participating)}",
        },
        {
            "label": "Indberetninger godkendt",
            "value": f"{sum(1 for o in offices if o['reported'])} af {len(offices)}",
        },
    ]


def _reach(f: Followup, offices: list[dict[str, Any]]) -> dict[str, Any]:
    reach = reach_by_municipality(f)
    population = f.funding.population.by_code
    rows = []
    for m in f.participating:
        cells = []
        for o in offices:
            if not o["reported"]:
                cells.append({"text": "–", "value": None})
            else:
                n = o["by_municipality"].get(str(m.code), 0)
                cells.append({"text": count(n), "value": n})
        total = reach.get(m.code, 0)
        pop = population.get(m.code, 0)
        rows.append(
            {
                "name": m.name,
                "cells": cells,
                "total": count(total),
                "per_1000": danish.number(round(1000 * total / pop, 1), 1) if pop else "–",
            }
        )
    complete = all(o["reported"] for o in offices)
    region_pop = sum(population.get(m.code, 0) for m in f.participating)
    region_total = sum(reach.values())
    return {
        "offices": [
            {
                "name": o["name"],
                "status": o["status"],
                "status_label": o["status_label"],
                "reported": o["reported"],
            }
            for o in offices
        ],
        "rows": rows,
        "complete": complete,
        "note": "" if complete else "Et kontor uden godkendt indberetning er markeret med –.",
        "total_label": "Kontorets kommuner",
        "totals": [o["reached"] or "–" for o in offices],
        "total": count(region_total),
        "total_per_1000": danish.number(round(1000 * region_total / region_pop, 1), 1),
        "footnote": (
            "En virksomhed med aktiviteter i flere kommuner tælles i hver af dem."
            + (
                ""
                if complete
                else " Totalerne er ufuldstændige: ikke alle kontorer har en godkendt indberetning."
            )
        ),
    }


def _cofinancing(f: Followup) -> dict[str, Any]:
    rows = []
    for m in f.funding.municipalities:
        rows.append(
            {
                "name": m.municipality.name,
                "participating": m.participating,
                "population": count(m.population),
                "as_lead": kr(m.as_lead) if m.as_lead else "–",
                "as_cofinancer": kr(m.as_cofinancer) if m.as_cofinancer else "–",
                "total": kr(m.total),
                "per_inhabitant": (
                    danish.number(round(m.total / m.population, 2), 2) + f"{NBSP}kr."
                    if m.population and m.participating
                    else "–"
                ),
            }
        )
    munis = [m for m in f.funding.municipalities if m.participating]
    pop = sum(m.population for m in munis)
    return {
        "basis": f.funding.population.basis_text(),
        "rule": "Hvert klyngekontor får 1.000.000 kr. om året: 500.000 kr. fra leadkommunen og "
        "500.000 kr. fra de øvrige deltagende kommuner efter indbyggertal.",
        "rows": rows,
        "population_total": count(pop),
        "lead_total": kr(sum(m.as_lead for m in munis)),
        "cofinancer_total": kr(sum(m.as_cofinancer for m in munis)),
        "total": kr(f.funding.total_municipal),
        "per_inhabitant_total": danish.number(round(f.funding.total_municipal / pop, 2), 2)
        + f"{NBSP}kr.",
        "notes": [
            f"{m.municipality.name} deltager ikke i medfinansieringen i {f.year}."
            for m in f.funding.municipalities
            if not m.participating
        ],
        "grants": [
            {
                "source": g.source,
                "recipient": g.recipient,
                "purpose": g.purpose,
                "amount": kr(g.amount),
            }
            for g in f.funding.grants
            if "14 nationale" not in g.recipient
        ],
    }


def _municipality_pages(f: Followup, offices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    reach = reach_by_municipality(f)
    population = f.funding.population.by_code
    funding = {m.municipality.code: m for m in f.funding.municipalities}
    region_pop = sum(population.get(m.code, 0) for m in f.participating)
    region_total = sum(reach.values())
    region_per_1000 = 1000 * region_total / region_pop
    pages = []
    for m in f.participating:
        pop = population.get(m.code, 0)
        paid = funding[m.code]
        rows = []
        for o, od in zip(f.offices, offices, strict=True):
            share = next(
                (
                    s
                    for x in f.funding.offices
                    if x.office.id == o.office.id
                    for s in x.shares
                    if s.municipality.code == m.code
                ),
                None,
            )
            n = o.companies_by_municipality.get(m.code, 0)
            rows.append(
                {
                    "name": o.office.cluster,
                    "strength": o.office.strength,
                    "role": "Leadkommune"
                    if share is not None and share.lead
                    else "Efter indbyggertal",
                    "paid": kr(share.amount if share is not None else 0),
                    "reported": od["reported"],
                    "status": od["status"],
                    "status_label": od["status_label"],
                    "companies": count(n),
                    "companies_value": n,
                }
            )
        own = 1000 * reach.get(m.code, 0) / pop if pop else 0.0
        pages.append(
            {
                "name": m.name,
                "title": f"{m.name} Kommune og klyngekontorerne {f.year}",
                "lead_in": f"Kommunens betaling og udbytte · {f.council}",
                "key_figures": [
                    {"label": f"Betalt i alt {f.year}", "value": kr(paid.total)},
                    {
                        "label": "Virksomheder fra kommunen nået",
                        "value": count(reach.get(m.code, 0)),
                    },
                    {"label": "Indbyggere", "value": count(pop)},
                ],
                "offices": rows,
                "paid_total": kr(paid.total),
                "companies_total": count(reach.get(m.code, 0)),
                "bar_scale": max([1] + [r["companies_value"] for r in rows]),
                "companies_note": "I alt er unikke virksomheder: en virksomhed, som flere "
                "kontorer har nået, tælles én gang.",
                "per_1000": [
                    {
                        "label": m.name,
                        "value": own,
                        "text": danish.number(round(own, 1), 1),
                        "own": True,
                    },
                    {
                        "label": "Alle deltagende kommuner",
                        "value": region_per_1000,
                        "text": danish.number(round(region_per_1000, 1), 1),
                        "own": False,
                    },
                ],
                "per_1000_scale": max(own, region_per_1000, 0.1),
                "per_1000_note": "Unikke virksomheder nået af mindst ét klyngekontor pr. 1.000 "
                "indbyggere.",
                "not_reached": [
                    od["name"]
                    for o, od in zip(f.offices, offices, strict=True)
                    if od["reported"] and m.code not in o.companies_by_municipality
                ],
                "unreported": [od["name"] for od in offices if not od["reported"]],
                "unreported_note": "Uden godkendt indberetning: "
                + ", ".join(
                    f"{od['name']} ({od['status_label'].lower()})"
                    for od in offices
                    if not od["reported"]
                )
                + ". Tallene for kommunen er derfor ufuldstændige.",
            }
        )
    return pages


def _method(f: Followup, offices: list[dict[str, Any]]) -> dict[str, Any]:
    files = []
    for o in f.offices:
        files.append(
            {
                "office": o.office.cluster,
                "status": OFFICE_STATUS[o.status],
                "status_label": SHORT_STATUS.get(o.status, "Godkendt"),
                "file": o.submission.path.name if o.submission is not None else "–",
            }
        )
    partial = f"{math.floor(f.partial_threshold * 100)}{NBSP}%"
    return {
        "sections": [
            {
                "heading": "Målopfyldelse",
                "paragraphs": [
                    f"Hvert mål i resultatkontrakten er sammenholdt med kontorets resultat: "
                    f"»Opfyldt« ved mindst 100{NBSP}% af målet, »Delvist opfyldt« ved mindst "
                    f"{partial}, ellers »Ikke opfyldt«. Et kontor, hvis indberetning mangler "
                    f"eller har fejl, står som »Ikke indberettet« og indgår ikke med nul.",
                ],
            },
            {
                "heading": "Virksomheder og kommuner",
                "paragraphs": [
                    "Virksomheder tælles som unikke CVR-numre fra de deltagende kommuner med "
                    "mindst én aktivitet i året. SMV er de virksomheder, der har deltaget som "
                    "små eller mellemstore. En kommune er nået, når mindst én virksomhed fra "
                    "kommunen har deltaget. Virksomheder fra andre kommuner er ikke talt med.",
                ],
            },
            {
                "heading": "Befolkningsgrundlag",
                "paragraphs": [
                    f"{f.funding.population.basis_text()} (Danmarks Statistik, "
                    f"{f.funding.population.source}).",
                ],
            },
        ],
        "files": files,
        "colophon": f"Dannet med klyngerapport {f.tool_version} den {date(f.generated)}. "
        "Bilaget indeholder ingen CVR-numre eller virksomhedsnavne; de står i "
        "datarapporten (XLSX) til sekretariatets brug.",
    }
