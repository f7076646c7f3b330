"""Sheet 3, Geografisk spredning: participating municipality × office, with payment and reach."""

from __future__ import annotations

from openpyxl.chart import Reference
from openpyxl.utils import get_column_letter

from klyngerapport.model import Followup
from klyngerapport.render.xlsx.cells import COUNT, HEADER_FILL, MONEY, PER_THOUSAND, Sheet, bold
from klyngerapport.render.xlsx.layout import Col, Layout, bar_chart, zero_rule
from klyngerapport.status import BAD

NOT_REPORTED = "ikke indberettet"


def build(f: Followup, ws: Sheet) -> Layout:
    layout = Layout(
        f"Virksomheder nået {f.year} pr. deltagende kommune og klyngekontor "
        "(unikke CVR-numre) og kommunens medfinansiering"
    )
    offices = list(f.offices)
    columns = [
        Col("Kommune", cap=16),
        *(Col(o.office.cluster, COUNT, cap=12, min_width=11) for o in offices),
        Col("I alt, unikke virksomheder", COUNT, cap=12),
        Col("Pr. 1.000 indbyggere", PER_THOUSAND, cap=11, min_width=11),
        Col(f"Medfinansiering {f.year}", MONEY, cap=14, min_width=14),
    ]
    rows = []
    for m in f.municipalities:
        per_office = [m.companies_by_office.get(o.office.id) for o in offices]
        rows.append(
            [
                m.municipality.name,
                *(NOT_REPORTED if n is None else n for n in per_office),
                m.companies,
                m.companies_per_1000,
                m.total,
            ]
        )
    header, last = layout.table("tblGeografisk_spredning", columns, rows, freeze=True)
    n = len(offices)
    if rows:
        first = header + 1
        zero_rule(layout, f"B{first}:{get_column_letter(n + 2)}{last}", f"B{first}", BAD)
    totals = f.totals
    complete = totals.complete
    layout.row(
        bold("I alt" if complete else "I alt (ufuldstændigt)"),
        *([None] * n),
        bold(totals.companies, COUNT),
        bold(totals.companies_per_1000, PER_THOUSAND),
        bold(totals.cofinancing, MONEY),
    )
    if not complete:
        names = ", ".join(o.cluster for o in totals.not_reported)
        layout.note(
            f"Ufuldstændigt: {names} har ingen godkendt indberetning (kolonnen siger "
            f'"{NOT_REPORTED}"). Deres virksomheder indgår ikke i i alt og pr. 1.000 indbyggere.'
        )
    layout.blank()
    layout.note(
        "Rødt felt: ingen virksomheder fra kommunen. En virksomhed, der er registreret i "
        "flere kommuner, tælles i hver af dem."
    )
    if f.outside:
        names = ", ".join(m.name for m in f.outside)
        layout.note(
            f"Ikke talt med: {f.outside_engagements} virksomhedsforløb i kommuner, der ikke "
            f"deltager ({names})."
        )

    if rows:
        chart = bar_chart(
            f"Virksomheder nået pr. kommune {f.year}, alle klyngekontorer",
            "Unikke virksomheder (CVR-numre)",
            2.5 + 0.55 * len(rows),
        )
        chart.width = 9
        chart.legend = None
        chart.gapWidth = 50
        chart.add_data(
            Reference(ws, min_col=n + 2, min_row=header, max_row=last), titles_from_data=True
        )
        chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=last))
        chart.series[0].graphicalProperties.solidFill = HEADER_FILL
        layout.chart_beside(chart, header)
    return layout
