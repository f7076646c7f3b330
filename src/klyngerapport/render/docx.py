"""The Word draft of the agenda item, sagsfremstilling-YEAR.docx (PRODUCT.md §9).

Only the document's own styles are used (Title, Heading 1/2, List Bullet, List Number and a table
style), never direct formatting, so the secretariat restyles the whole draft by changing a style.
With `[paths] docx_template` their own Word file is the base: its styles, page setup, headers and
letterhead are kept and its body text is replaced by the draft.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from klyngerapport.atomic import atomic_write
from klyngerapport.errors import KlyngeError

if TYPE_CHECKING:
    from docx.document import Document

# The table style of Word's default template; a secretariat template without it gets its own
# default table style (the draft still opens, only unstyled).
TABLE_STYLE = "Light List Accent 1"
FALLBACK_TABLE_STYLE = "Table Grid"
COLUMNS_CM = (4.4, 3.0, 2.6, 3.0, 3.0)  # the results table: office, status and three counts


def render(document: dict[str, Any], template: Path | None = None) -> bytes:
    """The .docx of the agenda document, on `template` when given."""
    draft = _base(template)
    agenda = document["agenda"]
    draft.core_properties.title = agenda["title"]
    draft.core_properties.author = document["council"]
    draft.core_properties.keywords = "klyngerapport"
    draft.core_properties.identifier = document["marker"]  # ours to replace next time
    draft.core_properties.comments = agenda["generated"]

    draft.add_paragraph(agenda["title"], style="Title")
    _section(draft, "Resumé", agenda["summary"])
    _section(draft, "Indstilling", [agenda["recommendation"]])
    draft.add_heading("Sagsfremstilling", level=1)
    for part in agenda["parts"]:
        draft.add_heading(part["heading"], level=2)
        for paragraph in part.get("paragraphs", []):
            draft.add_paragraph(paragraph)
        for item in part.get("bullets", []):
            _styled(draft, item, "List Bullet")
        if part.get("table"):
            _table(draft, part["table"])
        for paragraph in part.get("after", []):
            draft.add_paragraph(paragraph)
    draft.add_heading("Bilag", level=1)
    for item in agenda["appendices"]:
        _styled(draft, item, "List Number")

    out = BytesIO()
    draft.save(out)
    return out.getvalue()


def write(document: dict[str, Any], path: Path, template: Path | None = None) -> None:
    data = render(document, template)
    with atomic_write(path) as handle:
        handle.write(data)


def _base(template: Path | None) -> Document:
    import docx

    if template is None:
        from docx.oxml.ns import qn
        from docx.shared import Cm

        draft = docx.Document()
        # python-docx's own template is US Letter in English; KKR writes A4 in Danish.
        for section in draft.sections:
            section.page_width, section.page_height = Cm(21), Cm(29.7)
            section.left_margin = section.right_margin = Cm(2.5)
        defaults = draft.styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            for lang in defaults.iter(qn("w:lang")):
                lang.set(qn("w:val"), "da-DK")
        return draft
    try:
        base = docx.Document(str(template))
    except Exception as exc:  # python-docx raises several kinds for a file that is not .docx
        raise KlyngeError(
            f"Word-skabelonen {template.name} kan ikke læses som .docx ({type(exc).__name__}).",
            "Gem skabelonen som Word-dokument (.docx), eller fjern docx_template under [paths].",
        ) from None
    body = base.element.body
    # Keep the section properties (page setup, headers and footers with the letterhead).
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    return base


def _section(draft: Document, heading: str, paragraphs: list[str]) -> None:
    draft.add_heading(heading, level=1)
    for paragraph in paragraphs:
        draft.add_paragraph(paragraph)


def _styled(draft: Document, text: str, style: str) -> None:
    try:
        draft.add_paragraph(text, style=style)
    except KeyError:  # a secretariat template without list styles
        draft.add_paragraph(text)


def _table(draft: Document, table: dict[str, Any]) -> None:
    header: list[str] = table["header"]
    rows: list[list[str]] = table["rows"]
    try:
        grid = draft.add_table(rows=1, cols=len(header), style=TABLE_STYLE)
    except KeyError:
        try:
            grid = draft.add_table(rows=1, cols=len(header), style=FALLBACK_TABLE_STYLE)
        except KeyError:
            grid = draft.add_table(rows=1, cols=len(header))
    for cell, text in zip(grid.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        for cell, text in zip(grid.add_row().cells, row, strict=True):
            cell.text = text
    # Column widths are the table's layout (the names need room), not text formatting.
    from docx.shared import Cm

    # 16 cm of A4 between 2,5 cm margins.
    cm = COLUMNS_CM if len(COLUMNS_CM) == len(header) else (16 / len(header),) * len(header)
    widths = [Cm(w) for w in cm]
    grid.autofit = False
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width  # the grid LibreOffice reads
        for cell in column.cells:  # the cell widths Word reads
            cell.width = width
