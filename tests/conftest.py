"""Fixtures shared by several test modules."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path, str], Path]:
    """convert(file, "ods") -> the file as LibreOffice saves it in that format.

    Skips the test when LibreOffice is not installed. Runs with its own profile, so it works
    beside other soffice processes.
    """
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = tmp_path_factory.mktemp("lo-profile").as_uri()

    def convert(source: Path, fmt: str) -> Path:
        out = tmp_path_factory.mktemp("lo-out")
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                fmt,
                "--outdir",
                str(out),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        converted = out / f"{source.stem}.{fmt}"
        if not converted.is_file():
            pytest.skip(f"LibreOffice did not convert {source.name} to .{fmt}")
        return converted

    return convert


# --- workbooks written from raw XML, for cases no spreadsheet program produces ------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def write_raw_xlsx(path: Path, sheets: dict[str, str], *, whole_sheet: bool = False) -> Path:
    """An .xlsx whose sheets hold the given <sheetData> content (or whole XML documents)."""
    import zipfile

    n = range(1, len(sheets) + 1)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in n
    )
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
            f'Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}"><sheets>'
            + "".join(
                f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
                for i, name in zip(n, sheets, strict=True)
            )
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_RELS}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{_DOC_RELS}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
                for i in n
            )
            + "</Relationships>"
        ),
    }
    for i, body in zip(n, sheets.values(), strict=True):
        parts[f"xl/worksheets/sheet{i}.xml"] = (
            body
            if whole_sheet
            else (
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
                f"<sheetData>{body}</sheetData></worksheet>"
            )
        )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def write_raw_ods(path: Path, tables: str, *, content: str | None = None) -> Path:
    """An .ods whose <office:spreadsheet> holds `tables` (or whose content.xml is `content`)."""
    import zipfile

    manifest = (
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    if content is None:
        content = (
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} '
            'office:version="1.2"><office:body><office:spreadsheet>'
            f"{tables}</office:spreadsheet></office:body></office:document-content>"
        )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return path
