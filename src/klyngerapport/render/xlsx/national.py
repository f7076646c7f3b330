"""Sheet Nationale mål: the clusters' results on their national contracts with UFS (§10).

Apart from Målopfyldelse on purpose: the national KPIs are the cluster organisation's, reported
as numbers in the submission's Nationale mål sheet, and never part of the regional status
counts. The sheet is in the report only when an office has national targets for the year.
"""

from __future__ import annotations

from klyngerapport.model import Followup
from klyngerapport.render.xlsx.attainment import indicator_value, remark, shown_percent
from klyngerapport.render.xlsx.cells import PERCENT, Sheet
from klyngerapport.render.xlsx.layout import Col, Layout, status_rules
from klyngerapport.status import IndicatorStatus


def wanted(f: Followup) -> bool:
    return any(o.national_indicators for o in f.offices)


def build(f: Followup, ws: Sheet) -> Layout:
    layout = Layout(
        f"Klyngeorganisationernes nationale resultatkontrakter med Uddannelses- og "
        f"Forskningsstyrelsen (UFS), resultater {f.year} som indberettet. De indgår ikke i "
        "optællingen af de regionale mål på fanerne Resumé og Målopfyldelse."
    )
    rows = []
    for o in f.offices:
        for i in o.national_indicators:
            rows.append(
                [
                    o.office.cluster,
                    i.indicator.id,
                    i.indicator.name,
                    indicator_value(i.target, i.indicator.unit),
                    indicator_value(i.result, i.indicator.unit),
                    shown_percent(i.attainment),
                    i.status.label,
                    remark(o, i),
                ]
            )
    header, last = layout.table(
        "tblNationaleMaal",
        [
            Col("Klyngekontor", cap=18, wrap=True),
            Col("ID", min_width=8),
            Col("Indikator", cap=32, wrap=True),
            Col("Mål", cap=14, align="right"),
            Col("Resultat", cap=14, align="right"),
            Col("Målopfyldelse", PERCENT, cap=14, min_width=13),
            Col("Status", cap=16, align="center"),
            # The office's comment and the report's note, one per line (as on Målopfyldelse).
            Col("Bemærkning", cap=30, wrap=True),
        ],
        rows,
        freeze=True,
        top=True,
    )
    if rows:
        status_rules(
            layout,
            f"F{header + 1}:G{last}",
            "G",
            header + 1,
            {s.label: s.colour for s in IndicatorStatus},
        )
    return layout
