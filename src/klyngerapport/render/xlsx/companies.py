"""Sheet 5, Virksomheder: every company engagement of the year, with office and source row."""

from __future__ import annotations

from klyngerapport.model import Followup
from klyngerapport.render.xlsx.cells import Sheet
from klyngerapport.render.xlsx.layout import Col, Layout
from klyngerapport.schema import NO, SHEET_COMPANIES, YES


def build(f: Followup, ws: Sheet) -> Layout:
    layout = Layout(
        f"Alle virksomhedsforløb {f.year} fra indberetningerne. Talt med = Nej: "
        "kommunen deltager ikke, eller klyngekontorets indberetning er ikke godkendt."
    )
    clusters = {o.office.id: o.office.cluster for o in f.offices}
    # The hot loop of a large year: plain values only, written as a bulk table. "Talt med"
    # sits beside the municipality it mostly depends on.
    rows = [
        [
            clusters.get(e.office_id, e.office_id),
            e.company.cvr,
            e.company.name,
            e.company.municipality.name if e.company.municipality is not None else None,
            YES if e.counted else NO,
            None if e.company.sme is None else (YES if e.company.sme else NO),
            e.company.activity,
            e.company.date,
            f"{e.file}, {SHEET_COMPANIES}, række {e.company.row}",
        ]
        for e in f.engagements
    ]
    layout.table(
        "tblVirksomheder",
        [
            Col("Klyngekontor", cap=30),
            Col("CVR-nummer", min_width=12),
            Col("Virksomhedsnavn", cap=40),
            Col("Kommune", cap=20),
            Col("Talt med", min_width=11),
            Col("SMV", min_width=7),
            Col("Aktivitet", cap=26),
            Col("Dato", min_width=12, header_align="center"),
            Col("Kilde", cap=50),
        ],
        rows,
        freeze=True,
        bulk=True,
    )
    return layout
