"""The text of the Word draft of the agenda item (PRODUCT.md §9): KKR's usual form, written
from the agenda document (render/agenda_document.py) and the follow-up model, so the figures in
the text are the appendix's. Only sentences are made here; render/docx.py lays them out.

Baggrund tells the seed's story (the national cluster strategy, the four offices, the
co-financing model); its amounts and names come from the configuration through the model.
"""

from __future__ import annotations

from typing import Any

from klyngerapport.cutoff import status_title
from klyngerapport.model import Followup
from klyngerapport.render.agenda_document import kr, names


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
    unreached = names(f.totals.municipalities_not_reached)
    grants = d["cofinancing"]["grants"]
    return {
        "title": f"Orientering om resultaterne af de regionale klyngekontorer {f.year}"
        + (f" – {status_title(f.as_of)}" if f.as_of is not None else ""),
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
