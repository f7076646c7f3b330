"""Sheet 6, Valideringsnoter: every finding of the year's validation."""

from __future__ import annotations

from pathlib import PurePath, PureWindowsPath

from klyngerapport.model import Followup
from klyngerapport.render.xlsx.cells import Sheet
from klyngerapport.render.xlsx.layout import Col, Layout, status_rules
from klyngerapport.status import BAD, FAIR, SEVERITY_LABEL


def build(f: Followup, ws: Sheet) -> Layout:
    layout = Layout(
        f"Alt, hvad valideringen af indberetningerne for {f.year} har fundet. "
        "Fejl skal rettes; advarsler er til orientering."
    )
    items = f.findings
    rows = [
        [
            _shown_file(x.file),
            x.sheet,
            x.cell,
            x.code,
            SEVERITY_LABEL.get(x.severity, x.severity),
            x.value,
            x.message,
        ]
        for x in items
    ]
    header, last = layout.table(
        "tblValideringsnoter",
        [
            Col("Fil", cap=28, wrap=True),
            Col("Ark", cap=16),
            Col("Celle", min_width=7),
            Col("Kode", cap=20),
            Col("Alvorlighed", min_width=13),
            Col("Værdi", cap=18, wrap=True),
            Col("Besked", cap=50, wrap=True),
        ],
        rows,
        freeze=True,
        top=True,
    )
    if rows:
        status_rules(
            layout,
            f"E{header + 1}:E{last}",
            "E",
            header + 1,
            {SEVERITY_LABEL["error"]: BAD, SEVERITY_LABEL["warning"]: FAIR},
        )
    else:
        layout.blank()
        layout.note("Ingen valideringsnoter: alle indberetninger er godkendt uden bemærkninger.")
    return layout


def _shown_file(name: str) -> str:
    """A finding's file as the report shows it: never a path from the machine's root."""
    path = PurePath(name)
    return path.name if path.is_absolute() or PureWindowsPath(name).is_absolute() else name
