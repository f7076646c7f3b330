"""The annual orientation to the council as an XLSX workbook (PRODUCT.md §7).

One module per sheet, registered below by sheet name in the workbook's order; each builds a
`Layout` from the follow-up model (nothing is computed here), which is then streamed into an
openpyxl write-only sheet through openpyxl's public API.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from klyngerapport.atomic import atomic_write
from klyngerapport.cutoff import status_title
from klyngerapport.model import Followup
from klyngerapport.outputs import output_marker
from klyngerapport.render.xlsx import (
    attainment,
    companies,
    development,
    findings,
    funding,
    geography,
    national,
    resume,
    sources,
)
from klyngerapport.render.xlsx.cells import Sheet
from klyngerapport.render.xlsx.layout import Layout

Builder = Callable[[Followup, Sheet], Layout]

SHEETS: dict[str, Builder] = {
    "Resumé": resume.build,
    "Målopfyldelse": attainment.build,
    "Nationale mål": national.build,
    "Geografisk spredning": geography.build,
    "Finansiering": funding.build,
    "Virksomheder": companies.build,
    "Valideringsnoter": findings.build,
    "Kilder": sources.build,
    "Udvikling": development.build,
}
# Sheets that are in the report only when the year has something for them.
OPTIONAL: dict[str, Callable[[Followup], bool]] = {"Nationale mål": national.wanted}


def report_title(f: Followup) -> str:
    """The title of every sheet and of the document; with --as-of it says "Status pr. DATE"."""
    status = status_title(f.as_of)
    return f"Opfølgning på de regionale klyngekontorer {f.year}" + (
        f" – {status}" if status else ""
    )


def write_report(f: Followup, path: Path) -> None:
    """Write the report of `f` to `path` atomically: the old report stays until the new is done.

    Write-only sheets stream to temporary files of openpyxl's, which openpyxl removes when the
    workbook is saved, or at the latest when the program ends.
    """
    wb = Workbook(write_only=True)
    title = report_title(f)
    try:
        for name, build in SHEETS.items():
            if name in OPTIONAL and not OPTIONAL[name](f):
                continue
            ws = wb.create_sheet(name)
            build(f, ws).write(ws, title)
    except BaseException:
        _close(wb)
        raise
    props = wb.properties
    props.title = title
    props.subject = f"Årlig orientering til {f.council} om de regionale klyngekontorer i {f.region}"
    props.creator = f"klyngerapport {f.tool_version}"
    props.lastModifiedBy = props.creator
    props.description = (
        f"Målopfyldelse, geografisk spredning og medfinansiering {f.year}, "
        "dannet ud fra klyngekontorernes indberetninger."
    )
    props.keywords = f"klyngekontorer; {f.region}; {f.council}; {f.year}"
    # Marks the file as this tool's report of the year: generate may replace it (outputs.py).
    props.identifier = output_marker(f.year)
    props.language = "da-DK"
    props.created = props.modified = _utc(f.generated)
    # ExcelWriter rather than wb.save(): save() stamps "modified" with the clock, and the
    # report's time is the generation time.
    try:
        with (
            atomic_write(path) as handle,
            ZipFile(handle, "w", ZIP_DEFLATED, allowZip64=True) as archive,
        ):
            ExcelWriter(wb, archive).save()
    except BaseException:
        _close(wb)
        raise


def _close(wb: Workbook) -> None:
    """Finish the sheets of a workbook that was not saved, so none is left half-streamed."""
    for ws in wb.worksheets:
        with contextlib.suppress(Exception):
            if not ws.closed:
                ws.close()


def _utc(moment: dt.datetime) -> dt.datetime:
    """Document properties are stored in UTC; a naive time is the machine's local time."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None)
