"""The agenda PDFs (PRODUCT.md §9): Typst templates beside this file, fed the agenda document.

The layout lives in the .typ files; Python only hands them the document as JSON
(`sys.inputs.data`) and writes the result atomically. Typst sees only the font shipped in
fonts/ (Noto Sans, SIL Open Font License): no system or built-in fonts, so the output is the same
on every machine.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from klyngerapport.atomic import atomic_write

HERE = Path(__file__).parent
FONTS = HERE / "fonts"
APPENDIX = "orientering"
MUNICIPALITIES = "kommuner"


def render(template: str, document: dict[str, Any], generated: dt.datetime) -> bytes:
    """The PDF of `template` (a .typ file here, without suffix) for the agenda document."""
    import typst

    fonts = typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(FONTS)]
    )
    # The generation time is the document's creation date; nothing else in it varies.
    stamp = (generated if generated.tzinfo else generated.astimezone()).replace(microsecond=0)
    return typst.compile(
        str(HERE / f"{template}.typ"),
        root=str(HERE),
        font_paths=fonts,
        sys_inputs={"data": json.dumps(document, ensure_ascii=False)},
        timestamp=stamp,
    )


def write(template: str, document: dict[str, Any], generated: dt.datetime, path: Path) -> None:
    """Render `template` and write it to `path` atomically."""
    pdf = render(template, document, generated)
    with atomic_write(path) as handle:
        handle.write(pdf)
