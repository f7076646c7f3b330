"""Sheet 8, Udvikling: the contract period up to the year (PRODUCT.md §10).

Per office the companies year by year (new and returning), the period's unique companies and
municipalities reached, and per year each indicator's target, result and status. Everything is
computed in history.py; a year whose submission is missing or has errors says so, never 0.
"""

from __future__ import annotations

from klyngerapport.model import Followup, OfficeHistory
from klyngerapport.render.xlsx.attainment import indicator_value
from klyngerapport.render.xlsx.cells import COUNT, YEAR, Sheet
from klyngerapport.render.xlsx.layout import Col, Layout, status_rules
from klyngerapport.status import IndicatorStatus


def build(f: Followup, ws: Sheet) -> Layout:
    first = min((h.period.first for h in f.history), default=f.year)
    span = f"{first}–{f.year}" if first != f.year else str(f.year)
    layout = Layout(
        f"Udviklingen i kontraktperioden {span}. En virksomhed tælles én gang i perioden, "
        "uanset hvor mange år den har deltaget; nye virksomheder er ikke talt med af "
        "klyngekontoret i et tidligere år. Et år, hvis indberetning mangler eller har fejl, "
        "står som sådan og har ingen tal."
    )
    layout.section("Virksomheder pr. år")
    header, last = layout.table(
        "tblUdviklingAar",
        [
            Col("Klyngekontor", cap=18, wrap=True),
            Col("År", YEAR, min_width=7),
            Col("Indberetning", cap=14),
            Col("Virksomheder", COUNT, min_width=13),
            Col("Nye", COUNT, min_width=8),
            Col("Igen", COUNT, min_width=8),
        ],
        [
            [
                h.office.cluster,
                y.year,
                y.status.label,
                y.companies,
                y.new_companies,
                y.returning_companies,
            ]
            for h in f.history
            for y in h.years
        ],
        freeze=True,
    )
    layout.blank()
    layout.section(f"Kontraktperioden {span}")
    layout.table(
        "tblUdviklingPeriode",
        [
            Col("Klyngekontor", cap=18, wrap=True),
            Col("Fra", YEAR, min_width=7),
            Col("Til", YEAR, min_width=7),
            Col("Forskellige virksomheder", COUNT, min_width=14),
            Col("Kommuner nået", COUNT, min_width=10),
            Col("Kommuner", cap=40, wrap=True),
            Col("Bemærkning", cap=34, wrap=True),
        ],
        [_period_row(h) for h in f.history],
        top=True,
    )
    layout.blank()
    layout.section("Indikatorer pr. år")
    rows = [
        [
            h.office.cluster,
            y.year,
            i.indicator.id,
            i.indicator.name,
            indicator_value(i.target, i.indicator.unit),
            indicator_value(i.result, i.indicator.unit),
            i.status.label,
        ]
        for h in f.history
        for y in h.years
        for i in y.indicators
    ]
    header, last = layout.table(
        "tblUdviklingIndikatorer",
        [
            Col("Klyngekontor", cap=18, wrap=True),
            Col("År", YEAR, min_width=7),
            Col("ID", min_width=8),
            Col("Indikator", cap=32, wrap=True),
            Col("Mål", cap=14, align="right"),
            Col("Resultat", cap=14, align="right"),
            Col("Status", cap=17, align="center"),
        ],
        rows,
        top=True,
    )
    if rows:
        status_rules(
            layout,
            f"G{header + 1}:G{last}",
            "G",
            header + 1,
            {s.label: s.colour for s in IndicatorStatus},
        )
    return layout


def _period_row(h: OfficeHistory) -> list[object]:
    p = h.period
    missing = [y.year for y in h.years if y.companies is None]
    note = (
        "Uden tal for " + ", ".join(map(str, missing)) + " (indberetningen mangler eller har fejl)"
        if missing
        else None
    )
    return [
        h.office.cluster,
        p.first,
        p.last,
        p.unique_companies,
        len(p.municipalities_reached),
        ", ".join(m.name for m in p.municipalities_reached) or None,
        note,
    ]
