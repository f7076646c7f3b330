"""Sheet 5, Virksomheder: every company engagement of the year, with office and source row."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

from klyngerapport.model import Engagement, Followup
from klyngerapport.render.xlsx.cells import Sheet
from klyngerapport.render.xlsx.layout import Col, Layout
from klyngerapport.schema import NO, SHEET_COMPANIES, YES


def build(f: Followup, ws: Sheet) -> Layout:
    layout = Layout(
        f"Alle virksomhedsforløb {f.year} fra indberetningerne. Talt med = Nej: "
        "kommunen deltager ikke, eller klyngekontorets indberetning er ikke godkendt."
    )
    # The hot loop of a large year: plain values only, written as a bulk table, made row by row
    # as they are measured and written, never all at once. "Talt med" sits beside the
    # municipality it mostly depends on.
    rows = _Rows(f)
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


class _Rows(Sequence[list[Any]]):
    """The rows of the Virksomheder table, made anew on each pass over them."""

    def __init__(self, f: Followup) -> None:
        self.engagements = f.engagements
        self.clusters = {o.office.id: o.office.cluster for o in f.offices}

    def __len__(self) -> int:
        return len(self.engagements)

    @overload
    def __getitem__(self, index: int) -> list[Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[list[Any]]: ...
    def __getitem__(self, index: int | slice) -> list[Any] | list[list[Any]]:
        if isinstance(index, slice):
            return [self._row(e) for e in self.engagements[index]]
        return self._row(self.engagements[index])

    def __iter__(self) -> Iterator[list[Any]]:
        return map(self._row, self.engagements)

    def _row(self, e: Engagement) -> list[Any]:
        company = e.company
        return [
            self.clusters.get(e.office_id, e.office_id),
            company.cvr,
            company.name,
            company.municipality.name if company.municipality is not None else None,
            YES if e.counted else NO,
            None if company.sme is None else (YES if company.sme else NO),
            company.activity,
            company.date,
            f"{e.file}, {SHEET_COMPANIES}, række {company.row}",
        ]
