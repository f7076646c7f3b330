"""Sheet 1, Resumé: one row per office, the key figures and a chart of attainment."""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList

from klyngerapport.model import Followup
from klyngerapport.render.phrases import coverage_headline, office_coverage
from klyngerapport.render.xlsx.cells import COUNT, MONEY, YEAR, Sheet, left
from klyngerapport.render.xlsx.layout import Col, Layout, bar_chart, status_rules
from klyngerapport.status import IndicatorStatus, SubmissionStatus

_STATUSES = tuple(IndicatorStatus)


def build(f: Followup, ws: Sheet) -> Layout:
    layout = Layout(
        f"Årlig orientering til {f.council} om de regionale klyngekontorer i {f.region}"
    )
    participating = len(f.participating)
    # Narrow enough to print on one landscape page at 100 % (text stays at 9 pt or more).
    columns = [
        Col("Klyngekontor", cap=20, wrap=True),
        Col("Styrkeposition", cap=14, wrap=True),
        Col("Leadkommune", cap=13, min_width=12),
        Col("Indberetning", cap=11, min_width=11),
        Col("Advarsler", COUNT, cap=9, min_width=9),
        *(Col(s.label, COUNT, cap=_word_width(s.label), min_width=9) for s in _STATUSES),
        Col("Virksomheder", COUNT, cap=12, min_width=12),
        Col("SMV", COUNT, min_width=6),
        Col("Kommuner nået", cap=18, wrap=True),
        Col("Kr. pr. nået virksomhed", MONEY, cap=13, min_width=12),
    ]
    rows = []
    for o in f.offices:
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
                office_coverage(o, participating),
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

    layout.blank()
    layout.section(coverage_headline(f))
    if f.totals.municipalities_not_reached:
        names = ", ".join(m.name for m in f.totals.municipalities_not_reached)
        layout.note(f"Kommuner, som intet klyngekontor har nået: {names}.")
    if not f.totals.complete:
        layout.note(
            "Klyngekontorer uden godkendt indberetning indgår ikke i optællingen: "
            f"{', '.join(o.cluster for o in f.totals.not_reported)}."
        )

    if f.funding.population.rule_note:
        # Full width above the key figures: beside them stands the chart.
        layout.note(f.funding.population.rule_note)

    totals = f.totals
    layout.blank()
    key_figures = layout.next_row
    layout.section("Nøgletal")
    layout.pair("År", left(f.year, YEAR))
    layout.pair("Modtager", f.council)
    layout.pair("Region", f.region)
    layout.pair("Deltagende kommuner", left(participating))
    layout.pair("Godkendt", f"{totals.accepted} af {len(f.offices)}")
    layout.pair("Fejl og advarsler", f"{f.errors} fejl, {f.warnings} advarsler")
    layout.pair("Medfinansiering", left(totals.cofinancing, MONEY))
    layout.pair("Virksomheder i alt", left(totals.companies, COUNT))
    layout.pair(
        "Kr. pr. virksomhed",
        left(totals.kr_per_company, MONEY)
        if totals.kr_per_company is not None
        else "Beregnes ikke (indberetninger mangler)",
    )
    layout.pair("Fordelingsnøgle", f.funding.population.basis_value())

    if f.offices:
        layout.charts.append((_chart(ws, f, header, last), f"E{key_figures}"))
    return layout


def _chart(ws: Sheet, f: Followup, header: int, last: int) -> BarChart:
    """Each office's indicators as shares by status, so an office with more indicators does
    not get a longer bar; only the statuses that occur are in the legend."""
    chart = bar_chart(
        "Andel af klyngekontorets indikatorer efter målopfyldelse",
        "Andel af indikatorerne",
        2.5 + 1.3 * len(f.offices),
    )
    chart.width = 17
    chart.grouping = "percentStacked"
    chart.overlap = 100
    chart.gapWidth = 60
    chart.y_axis.number_format = "0%"
    chart.y_axis.majorUnit = 0.25
    first = 6  # the first status column
    for offset, status in enumerate(_STATUSES):
        if not f.totals.indicators.get(status):
            continue
        col = first + offset
        chart.add_data(
            Reference(ws, min_col=col, max_col=col, min_row=header, max_row=last),
            titles_from_data=True,
        )
        series = chart.series[-1]
        series.graphicalProperties.solidFill = status.colour.chart
        series.graphicalProperties.line.solidFill = status.colour.chart
    chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=last))
    chart.dataLabels = DataLabelList(
        numFmt="0;;;",  # no label on an empty segment
        showVal=True,
        showSerName=False,
        showCatName=False,
        showLegendKey=False,
        showPercent=False,
    )
    chart.legend.position = "b"
    return chart


def _word_width(header: str) -> int:
    """A column as wide as its header's longest word, so the header wraps between words."""
    return max(9, max(len(word) for word in header.split()) + 2)
