"""Sheet 2, Målopfyldelse: office × indicator with target, result, attainment and status."""

from __future__ import annotations

from klyngerapport import danish
from klyngerapport.model import Followup, IndicatorOutcome, OfficeOutcome
from klyngerapport.render.xlsx.cells import COUNT, DECIMAL, MONEY, PERCENT, Sheet, Style, Styled
from klyngerapport.render.xlsx.layout import Col, Layout, status_rules
from klyngerapport.status import IndicatorStatus, SubmissionStatus


def build(f: Followup, ws: Sheet) -> Layout:
    layout = Layout(
        f"Resultater {f.year} sammenholdt med målene i resultatkontrakterne. "
        "Opfyldt: mindst 100 % af målet; delvist opfyldt: mindst "
        f"{danish.number(f.partial_threshold * 100, decimals=1)} %. Målopfyldelsen vises i hele "
        "procent, rundet ned."
    )
    columns = [
        Col("Klyngekontor", cap=18, wrap=True),
        Col("ID", min_width=8),
        Col("Indikator", cap=32, wrap=True),
        Col("Enhed", min_width=7),
        Col("Mål", cap=14, align="right"),
        Col("Resultat", cap=14, align="right"),
        Col("Målopfyldelse", PERCENT, cap=14, min_width=13),
        Col("Status", cap=16, align="center"),
        # The office's own comment and the report's note share one column: both explain the
        # row, and an always-empty column would only take space on the printed page.
        Col("Bemærkning", cap=30, wrap=True),
        Col("Kilde", cap=22),
    ]
    rows = []
    for o in f.offices:
        for i in o.indicators:
            rows.append(
                [
                    o.office.cluster,
                    i.indicator.id,
                    i.indicator.name,
                    i.indicator.unit,
                    indicator_value(i.target, i.indicator.unit),
                    indicator_value(i.result, i.indicator.unit),
                    shown_percent(i.attainment),
                    i.status.label,
                    remark(o, i),
                    i.source or None,
                ]
            )
    header, last = layout.table("tblMaalopfyldelse", columns, rows, freeze=True, top=True)
    if rows:
        status_rules(
            layout,
            f"G{header + 1}:H{last}",
            "H",
            header + 1,
            {s.label: s.colour for s in IndicatorStatus},
        )
    # The source cell is for checking, not for the printed page.
    layout.print_area = f"A1:I{last}"
    layout.blank()
    layout.note(
        "Afledte indikatorer tælles ud fra fanen Virksomheder: unikke CVR-numre i de "
        "deltagende kommuner. Et mål på 0 er opfyldt ved ethvert resultat og har ingen "
        "procent."
    )
    return layout


def indicator_value(value: float | None, unit: str) -> Styled | None:
    if value is None:
        return None
    if unit == "kr.":
        return Styled(value, Style(number_format=MONEY))
    return Styled(value, Style(number_format=COUNT if float(value).is_integer() else DECIMAL))


def shown_percent(attainment: int | None) -> float | str | None:
    """The attainment as shown (whole percent, rounded down) as a 0% cell: 112 -> 1.12."""
    if attainment is None:
        return None
    try:
        return attainment / 100
    except OverflowError:  # a result beyond what a spreadsheet number holds
        return f"{danish.number(attainment)} %"


def remark(o: OfficeOutcome, i: IndicatorOutcome) -> str | None:
    """The office's comment, then the report's note on the row, one per line."""
    parts = [p for p in (i.comment, _note(o, i)) if p]
    return "\n".join(parts) or None


def _note(o: OfficeOutcome, i: IndicatorOutcome) -> str:
    if o.status is SubmissionStatus.MISSING:
        return "Indberetningen mangler"
    if o.status is SubmissionStatus.ERRORS:
        return "Indberetningen har fejl – se Valideringsnoter"
    if i.result is None:
        return "Intet resultat indberettet"
    if i.target == 0:
        return "Mål 0: opfyldt ved ethvert resultat"
    if i.reported is not None:
        return f"Indberettet {danish.number(i.reported)}; rapporten bruger det optalte"
    return ""
