"""Which existing files generate may replace: only its own outputs of the year (PRODUCT.md §2)."""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from klyngerapport.errors import OutputError
from klyngerapport.outputs import ensure_replaceable, output_marker, output_years


def xlsx(path: Path, **properties: str) -> Path:
    wb = openpyxl.Workbook()
    for name, value in properties.items():
        setattr(wb.properties, name, value)
    wb.save(path)
    return path


def test_a_report_marked_for_its_year_is_recognised(tmp_path: Path) -> None:
    report = xlsx(tmp_path / "r.xlsx", identifier=output_marker(2022), creator="klyngerapport")
    assert output_years(report) == {2022}


def test_a_report_written_before_the_marker_is_recognised(tmp_path: Path) -> None:
    """Reports of version 0.1.0: creator with version, keywords ending in the year."""
    report = xlsx(
        tmp_path / "r.xlsx",
        creator="klyngerapport 0.1.0",
        keywords="klyngekontorer; Region Sjælland; KKR Sjælland; 2022",
    )
    assert output_years(report) == {2022}


def test_a_filled_in_template_is_not_a_report(tmp_path: Path) -> None:
    """Templates are written by the tool too (creator "klyngerapport"), but they become
    submissions: never replaceable."""
    from klyngerapport.config import parse_file
    from klyngerapport.render.template import write_template

    config = parse_file(Path(__file__).resolve().parents[1] / "samples" / "klyngerapport.toml")
    path = tmp_path / "we-build-denmark-2022.xlsx"
    write_template(config, config.offices[0], 2022, path)
    assert output_years(path) == set()


@pytest.mark.parametrize(
    "properties",
    [
        {},
        {"creator": "Microsoft Excel", "keywords": "klyngekontorer; 2022"},
        {"keywords": f"budget {output_marker(2022)}x"},  # not a whole keyword
        {"creator": "klyngerapport", "keywords": "klyngerapport; bio-solutions; 2022"},
    ],
)
def test_other_spreadsheets_are_not_reports(tmp_path: Path, properties: dict[str, str]) -> None:
    assert output_years(xlsx(tmp_path / "x.xlsx", **properties)) == set()


def test_files_that_are_not_documents_are_not_reports(tmp_path: Path) -> None:
    text = tmp_path / "klyngerapport.toml"
    text.write_text(f'marker = "{output_marker(2022)}"\n', encoding="utf-8")
    empty_zip = tmp_path / "tom.xlsx"
    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    broken = tmp_path / "brudt.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    huge_core = tmp_path / "stor.xlsx"
    with zipfile.ZipFile(huge_core, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("docProps/core.xml", "<a>" + " " * (2 << 20) + "</a>")
    for path in (text, empty_zip, broken, huge_core, tmp_path / "mangler.xlsx"):
        assert output_years(path) == set(), path.name


def test_a_docx_marked_in_its_core_properties_is_recognised(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    marked, plain = tmp_path / "sagsfremstilling-2022.docx", tmp_path / "andet.docx"
    document = docx.Document()
    document.core_properties.identifier = output_marker(2022)
    document.save(str(marked))
    docx.Document().save(str(plain))
    assert output_years(marked) == {2022}
    assert output_years(plain) == set()


def test_a_typst_pdf_marked_in_its_keywords_is_recognised(tmp_path: Path) -> None:
    """Typst writes keywords with æøå as UTF-16 in the information dictionary; XMP has them too."""
    typst = pytest.importorskip("typst")
    source = tmp_path / "bilag.typ"
    source.write_text(
        '#set document(title: "Orientering – Sjælland", keywords: ("Region Sjælland", '
        f'"{output_marker(2022)}"))\nHej\n',
        encoding="utf-8",
    )
    marked = tmp_path / "orientering-2022.pdf"
    typst.compile(str(source), output=str(marked))
    source.write_text('#set document(keywords: ("Region Sjælland",))\nHej\n', encoding="utf-8")
    plain = tmp_path / "andet.pdf"
    typst.compile(str(source), output=str(plain))
    assert output_years(marked) == {2022}
    assert output_years(plain) == set()


def test_ensure_replaceable_allows_a_free_path_and_the_years_own_output(tmp_path: Path) -> None:
    ensure_replaceable(tmp_path / "ny.xlsx", 2022)
    ensure_replaceable(xlsx(tmp_path / "r.xlsx", identifier=output_marker(2022)), 2022)


def test_ensure_replaceable_refuses_another_years_report(tmp_path: Path) -> None:
    report = xlsx(tmp_path / "r.xlsx", identifier=output_marker(2021))
    with pytest.raises(OutputError, match="fil for 2021, ikke for 2022"):
        ensure_replaceable(report, 2022)


def test_ensure_replaceable_refuses_a_file_the_tool_did_not_write(tmp_path: Path) -> None:
    foreign = xlsx(tmp_path / "budget.xlsx", creator="Microsoft Excel")
    with pytest.raises(OutputError, match="ikke skrevet af klyngerapport") as raised:
        ensure_replaceable(foreign, 2022)
    assert "--output" in raised.value.hint


def test_ensure_replaceable_refuses_a_folder(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="er en mappe"):
        ensure_replaceable(tmp_path, 2022)


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes as files are POSIX")
def test_ensure_replaceable_refuses_a_named_pipe_without_opening_it(tmp_path: Path) -> None:
    """A FIFO would block a reader forever; it is refused from its file type alone."""
    fifo = tmp_path / "klyngerapport-2022.xlsx"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="ikke en almindelig fil"):
        ensure_replaceable(fifo, 2022)
