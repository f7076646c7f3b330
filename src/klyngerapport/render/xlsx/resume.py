"""Sheet 1, Resumé: one row per office, the key figures and a chart of attainment."""

from __future__ import annotations

from openpyxl.chart import Reference

from klyngerapport.model import Followup, IndicatorStatus, SubmissionStatus
from klyngerapport.render.xlsx.cells import COUNT, MONEY, YEAR, Sheet, left
from klyngerapport.render.xlsx.layout import Col, Layout, bar_chart, status_rules

_STATUSES = tuple(IndicatorStatus)


def build(f: Followup, ws: Sheet) -> Layout:
    layout = Layout(
        f"Årlig orientering til {f.council} om de regionale klyngekontorer i {f.region}"
    )
    participating = len(f.participating)
    columns = [
        Col("Klyngekontor", cap=34),
        Col("Styrkeposition", cap=28),
        Col("Leadkommune", cap=16),
        Col("Indberetning", cap=14),
        Col("Advarsler", COUNT, min_width=10),
        *(Col(s.label, COUNT, cap=12, min_width=9) for s in _STATUSES),
        Col("Virksomheder", COUNT, cap=14),
        Col("SMV", COUNT, min_width=8),
        Col("Kommuner nået", align="right", cap=10, min_width=10),
        Col("Kommuner ikke nået", cap=40, wrap=True),
        Col("Kr. pr. nået virksomhed", MONEY, cap=15, min_width=13),
    ]
    rows = []
    for o in f.offices:
        reached = o.municipalities_reached
        missed = o.municipalities_not_reached
        rows.append(
            [
                o.office.cluster,
                o.office.strength,
                o.office.lead.name,
                o.status.label,
                o.warnings,
                *(o.count(s) for s in _STATUSES),
                o.companies,
                o.smes,
                f"{len(reached)} af {participating}" if reached is not None else None,
                ", ".join(m.name for m in missed) if missed else None,
                o.kr_per_company,
            ]
        )
    header, last = layout.table("tblResume", columns, rows, freeze=True, top=True)
    if f.offices:
        status_rules(
            layout,
            f"D{header + 1}:D{last}",
            "D",
            header + 1,
            {s.label: s.colour for s in SubmissionStatus},
        )

    totals = f.totals
    layout.blank()
    layout.section("Nøgletal")
    layout.pair("År", left(f.year, YEAR))
    layout.pair("Modtager", f.council)
    layout.pair("Region", f.region)
    layout.pair("Deltagende kommuner", left(participating))
    layout.pair("Godkendte indberetninger", f"{totals.accepted} af {len(f.offices)}")
    layout.pair(
        "Valideringsnoter", f"{f.errors} fejl og {f.warnings} advarsler (se fanen Valideringsnoter)"
    )
    layout.pair("Kommunal medfinansiering", left(totals.cofinancing, MONEY))
    layout.pair("Virksomheder nået i alt", left(totals.companies, COUNT))
    layout.pair(
        "Kr. pr. nået virksomhed",
        left(totals.kr_per_company, MONEY)
        if totals.kr_per_company is not None
        else "Beregnes ikke: ikke alle klyngekontorer har en godkendt indberetning",
    )
    layout.pair("Fordelingsnøgle", f.funding.population.basis_value())
    if f.funding.population.rule_note:
        layout.pair("Bemærk", f.funding.population.rule_note)
    layout.pair("Dækning", _coverage(f))

    layout.blank()
    if totals.municipalities_not_reached:
        layout.section("Deltagende kommuner, som intet klyngekontor har nået")
        for m in totals.municipalities_not_reached:
            layout.row(m.name)
    else:
        layout.section(
            f"Alle {participating} deltagende kommuner er nået af mindst ét klyngekontor"
        )
    if not totals.complete:
        layout.note(
            "Klyngekontorer uden godkendt indberetning indgår ikke i optællingen: "
            f"{', '.join(o.cluster for o in totals.not_reported)}."
        )

    if f.offices:
        # Offices have different numbers of indicators: each bar is the office's own 100 %.
        chart = bar_chart(
            "Andel af klyngekontorets indikatorer efter målopfyldelse",
            "Andel af kontorets indikatorer",
            4 + 1.4 * len(f.offices),
        )
        chart.grouping = "percentStacked"
        chart.overlap = 100
        chart.gapWidth = 60
        chart.y_axis.number_format = "0%"
        chart.y_axis.majorUnit = 0.25
        first = 6  # the first status column
        chart.add_data(
            Reference(
                ws, min_col=first, max_col=first + len(_STATUSES) - 1, min_row=header, max_row=last
            ),
            titles_from_data=True,
        )
        chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=last))
        for series, status in zip(chart.series, _STATUSES, strict=True):
            series.graphicalProperties.solidFill = status.colour.chart
            series.graphicalProperties.line.solidFill = status.colour.chart
        chart.legend.position = "b"
        layout.blank()
        layout.charts.append((chart, f"A{layout.next_row}"))  # fits on the first page
    return layout


def _coverage(f: Followup) -> str:
    """Each office is to reach companies in every participating municipality: the headline
    names every office that did not, even where another office reached the municipality."""
    total = len(f.participating)
    short = [
        f"{o.office.cluster} ({total - len(o.municipalities_not_reached)} af {total})"
        for o in f.offices
        if o.municipalities_not_reached
    ]
    unknown = [o.office.cluster for o in f.offices if o.municipalities_not_reached is None]
    parts = []
    if short:
        parts.append(f"Har ikke nået alle {total} deltagende kommuner: {', '.join(short)}.")
    else:
        parts.append(f"Alle klyngekontorer med godkendt indberetning har nået alle {total}.")
    if unknown:
        parts.append(f"Ukendt (ingen godkendt indberetning): {', '.join(unknown)}.")
    return " ".join(parts)
