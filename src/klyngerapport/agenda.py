"""The KKR agenda package of `generate YEAR` (PRODUCT.md §9): which documents, and where.

The documents are written beside the XLSX report: the appendix orientering-YEAR.pdf, the Word
draft sagsfremstilling-YEAR.docx and the municipality pages kommuner-YEAR.pdf. Each carries the
tool's output marker (outputs.py), so the next run replaces it and nothing else. Typst and
python-docx are imported only here, when a document is actually written.
"""

from __future__ import annotations

from pathlib import Path

from klyngerapport.errors import KlyngeError, OutputError
from klyngerapport.model import Followup
from klyngerapport.workspace import write_problem

FORMATS = ("xlsx", "pdf", "docx", "municipalities")
# The JSON key of each output (`generate --json`, "outputs").
OUTPUT_KEYS = {
    "xlsx": "xlsx",
    "pdf": "pdf",
    "docx": "docx",
    "municipalities": "municipalities_pdf",
}


def parse_formats(text: str | None) -> tuple[str, ...]:
    """'pdf,docx' -> ('pdf', 'docx') in the canonical order; None -> every format."""
    if text is None:
        return FORMATS
    wanted = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [w for w in wanted if w not in FORMATS]
    if unknown or not wanted:
        raise KlyngeError(
            f"Ukendt format i --format: {', '.join(unknown) or '(tomt)'}.",
            f"Vælg blandt {','.join(FORMATS)}, adskilt af komma, fx --format xlsx,pdf.",
        )
    return tuple(f for f in FORMATS if f in wanted)


def document_paths(year: int, report: Path, formats: tuple[str, ...]) -> dict[str, Path]:
    """Where each chosen document goes: beside the XLSX report."""
    names = {
        "xlsx": report.name,
        "pdf": f"orientering-{year}.pdf",
        "docx": f"sagsfremstilling-{year}.docx",
        "municipalities": f"kommuner-{year}.pdf",
    }
    return {f: report.with_name(names[f]) for f in formats}


def write_documents(f: Followup, paths: dict[str, Path], docx_template: Path | None = None) -> None:
    """Write the chosen agenda documents of the follow-up `f` (the XLSX is written elsewhere)."""
    from klyngerapport.render.agenda_document import agenda_data, appendix_names
    from klyngerapport.render.agenda_text import with_agenda

    document = agenda_data(f)
    # The draft lists every appendix of the package, whether or not this run rewrote it.
    appendices = list(appendix_names(f.year).values())
    for kind, path in paths.items():
        try:
            if kind == "pdf":
                from klyngerapport.render import pdf

                pdf.write(pdf.APPENDIX, document, f.generated, path)
            elif kind == "municipalities":
                from klyngerapport.render import pdf

                pdf.write(pdf.MUNICIPALITIES, document, f.generated, path)
            elif kind == "docx":
                from klyngerapport.render import docx

                docx.write(with_agenda(document, f, appendices), path, docx_template)
        except OSError as exc:
            reason, hint = write_problem(exc)
            raise OutputError(f"Kan ikke skrive {path.name}: {reason}.", hint) from None
