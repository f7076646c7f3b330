"""Which existing files the tool may replace: only its own outputs of the same year.

PRODUCT.md §2: `generate` replaces its own outputs of the year but never a file it did not
write; an `--output` that points at a submission, the config or any spreadsheet that is not a
klyngerapport report is refused (exit 2). The file name proves nothing, so every output carries
a marker, `output_marker(year)`, in its document properties, and `ensure_replaceable` reads it
back without opening the document:

- XLSX and DOCX: `dc:identifier` in docProps/core.xml (openpyxl `wb.properties.identifier`,
  python-docx `document.core_properties.identifier`), or one of the keywords;
- PDF: one of the keywords (Typst: `#set document(keywords: (..., marker))`), found in the
  document information dictionary or the XMP metadata, which Typst writes uncompressed.

Submission templates and feedback workbooks are written by the tool too, but they are inputs
for the offices, not outputs of `generate`: they carry no marker.
"""

from __future__ import annotations

import re
import stat
import zipfile
from pathlib import Path

from klyngerapport.errors import OutputError

MARKER_PREFIX = "klyngerapport-output:"
_MARKER = re.compile(re.escape(MARKER_PREFIX) + r"(\d{4})")
# Reports written before the marker existed: creator "klyngerapport 0.1.0", keywords
# "klyngekontorer; <region>; <council>; <year>" (templates have the creator without a version).
_LEGACY_CREATOR = re.compile(r"klyngerapport \d")
_LEGACY_KEYWORDS = re.compile(r"klyngekontorer;.*;\s*(\d{4})\s*")
_CORE_LIMIT = 1 << 20  # docProps/core.xml is a few hundred bytes; more is not ours
_PDF_LIMIT = 64 << 20


def output_marker(year: int) -> str:
    """The mark of an output of `generate` for `year`, put in its document properties."""
    return f"{MARKER_PREFIX}{year}"


def output_years(path: Path) -> set[int]:
    """The years of the tool's markers in the file at `path`; empty for any other file.

    Never raises for a file that cannot be read or parsed: such a file is simply not ours.
    """
    try:
        with path.open("rb") as handle:
            magic = handle.read(5)
    except OSError:
        return set()
    if magic.startswith(b"PK"):
        return _ooxml_years(path)
    if magic == b"%PDF-":
        return _pdf_years(path)
    return set()


def ensure_replaceable(path: Path, year: int, option: str = "--output") -> None:
    """Raise OutputError unless `path` is free or holds the tool's own output for `year`.

    For every file `generate` writes, called before the work starts, so nothing is computed
    for a file that would be refused. `option` names the option that chose the path.
    """
    from klyngerapport.paths import display_path

    try:
        info = path.stat()
    except FileNotFoundError:
        return
    except OSError:
        return  # an unreachable folder: the write itself reports it in Danish
    shown = display_path(path)
    hint = f"Vælg et andet filnavn med {option}, eller flyt filen væk, hvis den skal erstattes."
    if stat.S_ISDIR(info.st_mode):
        raise OutputError(f"{shown} er en mappe; angiv et filnavn med {option}.")
    if not stat.S_ISREG(info.st_mode):
        raise OutputError(f"{shown} er ikke en almindelig fil og erstattes ikke.", hint)
    years = output_years(path)
    if year in years:
        return
    if years:
        other = ", ".join(str(y) for y in sorted(years))
        raise OutputError(
            f"{shown} er klyngerapports fil for {other}, ikke for {year}; den erstattes ikke.",
            hint,
        )
    raise OutputError(
        f"{shown} findes allerede og er ikke skrevet af klyngerapport (fx en indberetning, "
        "konfigurationen eller et andet regneark), så den erstattes ikke.",
        hint,
    )


def _ooxml_years(path: Path) -> set[int]:
    import defusedxml.ElementTree as ElementTree

    try:
        with zipfile.ZipFile(path) as archive, archive.open("docProps/core.xml") as part:
            data = part.read(_CORE_LIMIT + 1)
        if len(data) > _CORE_LIMIT:
            return set()
        root = ElementTree.fromstring(data)
    except Exception:  # not a zip, no core properties, bad XML, XML bomb: not ours
        return set()
    props = {el.tag.rpartition("}")[2]: (el.text or "").strip() for el in root}
    keywords = props.get("keywords", "")
    years = _marker_years(props.get("identifier", "")) | _marker_years(keywords)
    legacy = _LEGACY_KEYWORDS.fullmatch(keywords)
    if legacy and _LEGACY_CREATOR.match(props.get("creator", "")):
        years.add(int(legacy.group(1)))
    return years


def _pdf_years(path: Path) -> set[int]:
    try:
        if path.stat().st_size > _PDF_LIMIT:
            return set()
        data = path.read_bytes()
    except OSError:
        return set()
    texts: list[str] = []
    for found in re.finditer(rb"/Keywords\s*(?:\(((?:\\.|[^\\)])*)\)|<([0-9A-Fa-f\s]*)>)", data):
        literal, hexa = found.groups()
        if hexa is not None:
            try:
                raw = bytes.fromhex(hexa.decode("ascii"))
            except ValueError:
                continue
            texts.append(
                raw[2:].decode("utf-16-be", "replace")
                if raw.startswith(b"\xfe\xff")
                else raw.decode("latin-1")
            )
        else:
            texts.append(literal.decode("latin-1"))
    for found in re.finditer(rb"<pdf:Keywords>(.*?)</pdf:Keywords>", data, re.DOTALL):
        texts.append(found.group(1).decode("utf-8", "replace"))
    return set().union(*(_marker_years(text) for text in texts))


def _marker_years(text: str) -> set[int]:
    """Years of the markers that stand as a whole keyword in `text` (',' or ';' between)."""
    tokens = (token.strip() for token in re.split(r"[,;]", text))
    return {int(m.group(1)) for token in tokens if (m := _MARKER.fullmatch(token))}
