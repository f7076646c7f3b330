"""Sheet 7, Kilder: every input file with its SHA-256, and what the report is built on."""

from __future__ import annotations

from klyngerapport.model import Followup
from klyngerapport.render.xlsx.cells import COUNT, DATETIME, Sheet, left
from klyngerapport.render.xlsx.layout import Col, Layout


def build(f: Followup, ws: Sheet) -> Layout:
    layout = Layout(
        "Filerne rapporten bygger på, med SHA-256-kontrolsum, så de kan genfindes og kontrolleres."
    )
    rows = [
        [
            "Konfiguration",
            f.config_source.path,
            f.config_source.sha256,
            f.config_source.size,
            f.config_source.modified,
        ]
    ]
    rows.extend(["Indberetning", s.path, s.sha256, s.size, s.modified] for s in f.sources)
    layout.table(
        "tblKilder",
        [
            Col("Type", min_width=14),
            Col("Fil", cap=40, wrap=True),
            Col("SHA-256", cap=66),
            Col("Størrelse (byte)", COUNT, cap=12),
            Col("Ændret", DATETIME, min_width=20),
        ],
        rows,
        freeze=True,
    )
    layout.blank()
    layout.section("Grundlag")
    layout.pair("Konfiguration", f"{f.config_source.path} (SHA-256 {f.config_source.sha256})")
    layout.pair("Fordelingsnøgle", f.funding.population.basis_value())
    layout.pair("Folketal fra", f.funding.population.source)
    if f.funding.population.rule_note:
        layout.pair("Bemærk", f.funding.population.rule_note)
    layout.pair("Værktøj", f"klyngerapport {f.tool_version}")
    layout.pair("Dannet", left(f.generated, DATETIME))
    return layout
