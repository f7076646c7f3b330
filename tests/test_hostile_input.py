"""Workbooks from other producers and hostile files (issues #9 and #14), one test per class.

Each test builds its file (openpyxl, a hand-edited package, the .xlsb writer or LibreOffice) and
checks what a user sees: read the same as the template, or refused with the documented finding.
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from builders import (
    CHECKSUM_BAD_CVR,
    COMPANIES,
    Book,
    company,
    contract_rows,
    sample_config,
)
from conftest import write_raw_ods
from klyngerapport.model import Submission
from klyngerapport.reading import safety
from klyngerapport.reading.sheet import FileProblem
from klyngerapport.reading.workbook import open_workbook
from klyngerapport.validation import validate_paths
from klyngerapport.validation.files import collect_files
from klyngerapport.validation.workbook import validate_file
from xlsb_writer import CellError, FormulaError, sheet_bin, write_xlsb

Convert = Callable[[Path, str], Path]
CONFIG = sample_config()
OFFICE, YEAR = "bio-solutions", 2022


def submission_book(**changes: object) -> Book:
    book = Book(
        office=OFFICE,
        year=YEAR,
        indicators=contract_rows(CONFIG, OFFICE, YEAR),
        companies=[company(), company(municipality="Roskilde", activity="Videnssamarbejde")],
    )
    return book.with_(**changes)


def check(path: Path) -> Submission:
    return validate_file(path, CONFIG, YEAR, path.name)


def codes(sub: Submission) -> list[str]:
    return [f.code for f in sub.findings]


def problem(path: Path) -> FileProblem:
    with pytest.raises(FileProblem) as caught:
        open_workbook(path).close()
    return caught.value


def save_xlsb(book: Book, path: Path, **options: bool) -> Path:
    sheets = {name: sheet.data for name, sheet in ((s.name, s) for s in book.sheets().values())}
    return write_xlsb(path, sheets, **options)


# --- .xlsb (#14.1) --------------------------------------------------------------------------


def test_xlsb_is_read_like_xlsx(tmp_path: Path) -> None:
    book = submission_book()
    as_xlsx = check(book.save(tmp_path / f"{OFFICE}-{YEAR}.xlsx"))
    as_xlsb = check(save_xlsb(book, tmp_path / f"{OFFICE}-{YEAR}.xlsb"))
    assert codes(as_xlsx) == []
    # Dates without a styles part arrive as serial numbers: read as dates, with the usual warning.
    assert set(codes(as_xlsb)) <= {"date-as-text"}
    assert (as_xlsb.office_id, as_xlsb.year) == (OFFICE, YEAR)
    assert {c.cvr for c in as_xlsb.companies} == {c.cvr for c in as_xlsx.companies}
    assert [(r.id, r.result) for r in as_xlsb.indicators] == [
        (r.id, r.result) for r in as_xlsx.indicators
    ]


def test_xlsb_in_a_folder_is_validated_not_unsupported(tmp_path: Path) -> None:
    save_xlsb(submission_book(), tmp_path / f"{OFFICE}-{YEAR}.xlsb")
    files, rejected = collect_files([tmp_path])
    assert [f.suffix for f in files] == [".xlsb"] and rejected == []


def test_xlsb_stray_cell_far_away_is_refused_before_loading(tmp_path: Path) -> None:
    rows = {0: ["CVR-nummer"], 1_048_575: [None] * 16_383 + ["x"]}
    path = write_xlsb(
        tmp_path / "a.xlsb",
        {"Indberetning": [["Klyngekontor", OFFICE]], "Virksomheder": sheet_bin(rows)},
    )
    with open_workbook(path) as book, pytest.raises(FileProblem) as caught:
        book.sheet("Virksomheder")
    assert caught.value.code == "file-too-large"
    assert "XFD1048576" in caught.value.message


def test_xlsb_error_cells_are_named(tmp_path: Path) -> None:
    book = submission_book(
        companies=[company(municipality=FormulaError("#N/A")), company(sme=CellError("#DIV/0!"))]
    )
    found = check(save_xlsb(book, tmp_path / "a.xlsb"))
    messages = [
        f.message for f in found.findings if f.code in ("municipality-unknown", "sme-invalid")
    ]
    assert any("#N/A" in m for m in messages) and any("#DIV/0!" in m for m in messages)


# --- packages found through their relationships (#14.2, #9.7) ----------------------------------

_STRICT = {
    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main": (
        b"http://purl.oclc.org/ooxml/spreadsheetml/main"
    ),
    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships": (
        b"http://purl.oclc.org/ooxml/officeDocument/relationships"
    ),
}


def rewrite(source: Path, target: Path, edit: Callable[[str, bytes], tuple[str, bytes]]) -> Path:
    """A copy of a zip package with every member passed through `edit(name, data)`."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            name, data = edit(info.filename, zin.read(info))
            zout.writestr(name, data)
    return target


def test_strict_open_xml_is_read(tmp_path: Path) -> None:
    def strict(name: str, data: bytes) -> tuple[str, bytes]:
        for old, new in _STRICT.items():
            data = data.replace(old, new)
        return name, data

    plain = submission_book().save(tmp_path / "plain.xlsx")
    path = rewrite(plain, tmp_path / f"{OFFICE}-{YEAR}.xlsx", strict)
    assert b"purl.oclc.org" in zipfile.ZipFile(path).read("xl/workbook.xml")
    found = check(path)
    assert codes(found) == [] and found.office_id == OFFICE and len(found.companies) == 2


def test_package_parts_at_unusual_paths_are_found(tmp_path: Path) -> None:
    """Parts renamed (another folder, capitals) and minimal content types: the relationships
    still lead to the workbook and its sheets."""

    def move(name: str, data: bytes) -> tuple[str, bytes]:
        data = data.replace(b"xl/workbook.xml", b"Excel/workbook.xml")
        data = data.replace(b"/xl/", b"/Excel/").replace(b"worksheets/", b"Ark/")
        if name.startswith("xl/worksheets/"):
            return "Excel/ARK/" + name.rsplit("/", 1)[1].upper(), data
        if name.startswith("xl/"):
            return "Excel/" + name[3:], data
        if name == "[Content_Types].xml":
            return name, (
                b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                b'<Default Extension="rels" ContentType="application/'
                b'vnd.openxmlformats-package.relationships+xml"/>'
                b'<Default Extension="xml" ContentType="application/xml"/></Types>'
            )
        return name, data

    plain = submission_book().save(tmp_path / "plain.xlsx")
    path = rewrite(plain, tmp_path / "moved.xlsx", move)
    assert "xl/workbook.xml" not in zipfile.ZipFile(path).namelist()
    assert safety.sniff(path) == "xlsx"
    with open_workbook(path) as book:
        sheet = book.sheet("Virksomheder")
    assert sheet is not None and sheet.value(2, 0) is not None


def test_xls_workbook_stream_in_capitals_is_read(tmp_path: Path, libreoffice: Convert) -> None:
    source = submission_book().save(tmp_path / f"{OFFICE}-{YEAR}.xlsx")
    xls = libreoffice(source, "xls")
    data = xls.read_bytes()
    name = "Workbook".encode("utf-16-le")
    assert data.count(name) >= 1
    renamed = tmp_path / f"{OFFICE}-{YEAR}-upper.xls"
    renamed.write_bytes(data.replace(name, "WORKBOOK".encode("utf-16-le"), 1))
    found = check(renamed)
    assert "file-unreadable" not in codes(found) and found.office_id == OFFICE


# --- encrypted .ods (#14.3) ----------------------------------------------------------------------


def test_password_protected_ods_is_file_encrypted(tmp_path: Path) -> None:
    path = write_raw_ods(tmp_path / "a.ods", "")
    manifest = (
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
        '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x">'
        '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-'
        'vector="x"/></manifest:encryption-data></manifest:file-entry></manifest:manifest>'
    )
    encrypted = rewrite(
        path,
        tmp_path / "beskyttet.ods",
        lambda name, data: (
            (name, manifest.encode())
            if name == "META-INF/manifest.xml"
            else (name, b"\x8a\x13 not xml" if name == "content.xml" else data)
        ),
    )
    found = problem(encrypted)
    assert found.code == "file-encrypted" and "adgangskode" in found.message


# --- memory through .xls and .ods (#9.2) ---------------------------------------------------------


def test_xls_with_many_sheets_spanning_the_grid_is_refused(
    tmp_path: Path, libreoffice: Convert
) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Indberetning"
    for i in range(3):
        ws = wb.create_sheet(f"Ekstra{i}")
        ws["A1"], ws["IV65536"] = 1, 2
    source = tmp_path / "mange-ark.xlsx"
    wb.save(source)
    found = problem(libreoffice(source, "xls"))
    assert found.code == "file-too-large" and "IV65536" in found.message


def test_xls_stray_value_far_away_on_virksomheder_is_refused(
    tmp_path: Path, libreoffice: Convert
) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Virksomheder"
    ws.append(["CVR-nummer"])
    ws["IV65536"] = "x"
    source = tmp_path / "strejf.xlsx"
    wb.save(source)
    found = problem(libreoffice(source, "xls"))
    assert found.code == "file-too-large" and "Virksomheder" in found.message


def test_ods_with_many_large_tables_is_refused(tmp_path: Path) -> None:
    table = (
        '<table:table table:name="T{i}"><table:table-row table:number-rows-repeated="2000">'
        '<table:table-cell table:number-columns-repeated="1000" office:value-type="float" '
        'office:value="1"/></table:table-row></table:table>'
    )
    path = write_raw_ods(tmp_path / "a.ods", "".join(table.format(i=i) for i in range(3)))
    assert path.stat().st_size < 50_000
    found = problem(path)
    assert found.code == "file-too-large" and "tilsammen" in found.message


# --- a file that is there is never missing (#9.8) ------------------------------------------------


def test_unreadable_indberetning_takes_the_office_from_the_file_name(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Indberetning"
    ws["A1"], ws["XFD1048576"] = "Klyngekontor", "x"
    folder = tmp_path / str(YEAR)
    folder.mkdir()
    wb.save(folder / f"{OFFICE}-{YEAR}.xlsx")
    result = validate_paths([folder], CONFIG, YEAR, whole_year=True)
    sub = result.submissions[0]
    assert sub.office_id == OFFICE and "file-too-large" in codes(sub)
    assert OFFICE not in {f.value for f in result.findings if f.code == "submission-missing"}


# --- sheet names (#9.9) --------------------------------------------------------------------------


def test_two_sheets_matching_one_name_are_sheet_ambiguous(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = submission_book().save(tmp_path / "a.xlsx")
    wb = load_workbook(path)
    stale = wb.copy_worksheet(wb[COMPANIES])
    stale.title = "Virksomheder "
    wb.save(path)
    found = check(path)
    ambiguous = [f for f in found.findings if f.code == "sheet-ambiguous"]
    assert len(ambiguous) == 1 and ambiguous[0].severity == "error"
    assert '"Virksomheder"' in ambiguous[0].message and '"Virksomheder "' in ambiguous[0].message


def test_invisible_characters_in_sheet_and_column_names_are_ignored(tmp_path: Path) -> None:
    odd = (
        "CVR-nummer\u200b",
        "Virksomheds\u00adnavn",
        "\ufeffKommune",
        "SMV\u00a0",
        "Aktivitet ",
        "Dato",
    )
    plain = submission_book()
    renamed = dict(zip(plain.company_headers, odd, strict=True))
    book = plain.with_(
        names={COMPANIES: "Virk\u00adsomheder\u200b"},
        company_headers=odd,
        companies=[{renamed[k]: v for k, v in row.items()} for row in plain.companies],
    )
    found = check(book.save(tmp_path / "a.xlsx"))
    assert codes(found) == [] and len(found.companies) == 2


# --- identifiers with invisible characters (#9.15) ------------------------------------------------


def test_invisible_characters_in_identifiers_are_removed(tmp_path: Path) -> None:
    book = submission_book(
        office=f"{OFFICE}\u200b",
        year=f"{YEAR}\u00ad",
        companies=[
            company(
                cvr="29189625\u200b",
                municipality="Næst\u00adved",
                sme="Ja\u200b",
                activity="Innovations\u200bprojekt",
            )
        ],
    )
    found = check(book.save(tmp_path / "a.xlsx"))
    assert found.office_id == OFFICE and found.year == YEAR
    assert codes(found) == []


def test_an_unknown_value_names_its_invisible_characters(tmp_path: Path) -> None:
    book = submission_book(companies=[company(municipality="Nowhere\u200b")])
    found = check(book.save(tmp_path / "a.xlsx"))
    unknown = next(f for f in found.findings if f.code == "municipality-unknown")
    assert "U+200B" in unknown.message


# --- municipality spellings (#9.11) ----------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "Københavns Kommune",
        "Bornholms Regionskommune",
        "Lyngby Taarbæk",
        "Høje Taastrup",
        "Vesthimmerland",
        "370,0",
        "0370",
        370,
        "Næstved Kommune",
        "NÆSTVED",
    ],
)
def test_municipality_names_as_danes_write_them(written: object, tmp_path: Path) -> None:
    book = submission_book(companies=[company(municipality=written)])
    found = check(book.save(tmp_path / "a.xlsx"))
    assert "municipality-unknown" not in codes(found)


# --- 1904 dates (#9.12) --------------------------------------------------------------------------


def test_bare_serials_in_a_1904_workbook_follow_its_date_system(tmp_path: Path) -> None:
    serial_1904 = (dt.date(2022, 3, 1) - dt.date(1904, 1, 1)).days
    book = submission_book(
        companies=[company(date=serial_1904), company(date=str(serial_1904), cvr=29189404)]
    )
    path = book.save(tmp_path / "a.xlsx")
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml")
    assert b"<workbookPr/>" in workbook
    path = rewrite(
        path,
        tmp_path / "a1904.xlsx",
        lambda name, data: (
            name,
            data.replace(b"<workbookPr/>", b'<workbookPr date1904="1"/>')
            if name == "xl/workbook.xml"
            else data,
        ),
    )
    found = check(path)
    assert {c.date for c in found.companies} == {dt.date(2022, 3, 1)}
    assert "date-outside-year" not in codes(found)


def test_bare_serials_in_a_1904_xlsb_follow_its_date_system(tmp_path: Path) -> None:
    serial_1904 = (dt.date(2022, 3, 1) - dt.date(1904, 1, 1)).days
    book = submission_book(companies=[company(date=serial_1904)])
    found = check(save_xlsb(book, tmp_path / "a.xlsb", date1904=True))
    assert {c.date for c in found.companies} == {dt.date(2022, 3, 1)}


# --- error values in .xls (#9.13) ----------------------------------------------------------------


def test_error_values_in_an_xls_saved_by_libreoffice_are_named(
    tmp_path: Path, libreoffice: Convert
) -> None:
    book = submission_book(
        companies=[company(municipality="=1/0"), company(sme="=NA()", cvr=29189404)]
    )
    xls = libreoffice(book.save(tmp_path / "fejl.xlsx"), "xls")
    found = check(xls)
    messages = " ".join(f.message for f in found.findings)
    assert "#DIV/0!" in messages and "#N/A" in messages


# --- merged cells (#9.14) ------------------------------------------------------------------------


def test_cells_merged_across_company_rows_are_read_in_every_row(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = submission_book(
        companies=[
            company(),
            company(activity="Videnssamarbejde"),
            company(activity="Sparring og matchmaking"),
        ]
    )
    path = book.save(tmp_path / "a.xlsx")
    wb = load_workbook(path)
    wb[COMPANIES].merge_cells("A2:A4")  # one CVR number for three engagements
    wb[COMPANIES].merge_cells("C2:C4")
    wb.save(path)
    found = check(path)
    assert "cvr-invalid" not in codes(found) and "municipality-unknown" not in codes(found)
    assert len(found.companies) == 3
    merged = [f for f in found.findings if f.code == "cell-merged"]
    assert {f.cell for f in merged} == {"A2", "C2"} and all(f.severity == "warning" for f in merged)
    assert "A2:A4" in merged[0].message


def test_cells_merged_in_an_ods_are_read_in_every_row(tmp_path: Path, libreoffice: Convert) -> None:
    from openpyxl import load_workbook

    book = submission_book(companies=[company(), company(activity="Videnssamarbejde")])
    path = book.save(tmp_path / "a.xlsx")
    wb = load_workbook(path)
    wb[COMPANIES].merge_cells("A2:A3")
    wb.save(path)
    found = check(libreoffice(path, "ods"))
    assert "cvr-invalid" not in codes(found) and "cell-merged" in codes(found)


# --- file names and special files (#9.10, #9.16) --------------------------------------------------


def test_latin1_file_names_are_read_and_shown_readably(tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path / "2022")
    os.mkdir(folder)
    name = folder + b"/bio-solutions-2022-f\xf8devarer.xlsx"  # "ø" in Latin-1, as unzip leaves it
    submission_book().save(Path(os.fsdecode(name)))
    result = validate_paths([Path(os.fsdecode(folder))], CONFIG, YEAR)
    sub = result.submissions[0]
    assert sub.office_id == OFFICE and codes(sub) == []
    from klyngerapport.render.json import validation_json

    text = str(validation_json(result))
    assert "\udcf8" not in text and "fødevarer" in text


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_fifo_named_xlsx_is_reported_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / f"{OFFICE}-{YEAR}.xlsx")
    result = validate_paths([tmp_path], CONFIG, YEAR)
    (sub,) = result.submissions
    assert codes(sub) == ["file-unreadable"] and "pipe" in sub.findings[0].message


def test_dangling_symlink_in_the_year_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / f"{OFFICE}-{YEAR}.xlsx").symlink_to(tmp_path / "gone.xlsx")
    result = validate_paths([tmp_path], CONFIG, YEAR)
    (sub,) = result.submissions
    assert codes(sub) == ["file-unreadable"] and "ikke findes" in sub.findings[0].message
    assert sub.findings[0].file.endswith(f"{OFFICE}-{YEAR}.xlsx")  # the link's name, not its target


def test_checksum_bad_cvr_still_reported_after_merging(tmp_path: Path) -> None:
    """Spreading merged values does not hide a wrong value in the merge."""
    from openpyxl import load_workbook

    book = submission_book(
        companies=[company(cvr=CHECKSUM_BAD_CVR), company(activity="Videnssamarbejde")]
    )
    path = book.save(tmp_path / "a.xlsx")
    wb = load_workbook(path)
    wb[COMPANIES].merge_cells("A2:A3")
    wb.save(path)
    found = check(path)
    assert codes(found).count("cvr-checksum") == 2


def test_an_empty_cell_says_it_may_hold_an_error_where_the_format_hides_them() -> None:
    from klyngerapport.checks.companies import check_companies
    from klyngerapport.reading.sheet import RawSheet

    sheet = submission_book(companies=[company(municipality=None)]).sheet(COMPANIES)
    hidden = RawSheet(sheet.name, sheet.data, errors_unseen=True)
    _, found = check_companies(hidden, "a.xls", YEAR, CONFIG.participating(YEAR))
    (missing,) = [f for f in found if f.code == "municipality-unknown"]
    assert "fejlværdi" in missing.message
    _, found = check_companies(sheet, "a.xls", YEAR, CONFIG.participating(YEAR))
    (missing,) = [f for f in found if f.code == "municipality-unknown"]
    assert "fejlværdi" not in missing.message


@pytest.mark.parametrize("rows", [3, 3000])  # a small stream lives in the mini stream
def test_xls_workbook_stream_is_read_as_olefile_reads_it(
    rows: int, tmp_path: Path, libreoffice: Convert
) -> None:
    olefile = pytest.importorskip("olefile")
    from openpyxl import Workbook

    from klyngerapport.reading.xls import workbook_stream

    wb = Workbook()
    for i in range(rows):
        wb.active.append([i, f"tekst {i}"])
    source = tmp_path / f"r{rows}.xlsx"
    wb.save(source)
    path = libreoffice(source, "xls")
    with olefile.OleFileIO(str(path)) as ole:
        expected = ole.openstream("Workbook").read()
    assert (len(expected) < 4096) == (rows == 3)
    assert workbook_stream(path.read_bytes()) == expected


def test_cells_merged_in_an_xlsb_are_read_in_every_row(tmp_path: Path) -> None:
    book = submission_book(companies=[company(), company(cvr=None, activity="Videnssamarbejde")])
    sheets = {s.name: s.data for s in book.sheets().values()}
    sheets[COMPANIES] = sheet_bin(dict(enumerate(sheets[COMPANIES])), merged=[(1, 2, 0, 0)])
    found = check(write_xlsb(tmp_path / "a.xlsb", sheets))
    assert "cvr-invalid" not in codes(found) and "cell-merged" in codes(found)
    assert len(found.companies) == 2


def test_a_large_ods_table_the_tool_does_not_need_is_never_loaded(
    tmp_path: Path, libreoffice: Convert
) -> None:
    """A data table of 6 million cells beside the submission: over the limit, but never read,
    so the submission is checked as usual; the same table named Virksomheder is refused."""
    ods = libreoffice(submission_book().save(tmp_path / f"{OFFICE}-{YEAR}.xlsx"), "ods")
    big = (
        '<table:table table:name="{name}"><table:table-row table:number-rows-repeated="6000">'
        '<table:table-cell table:number-columns-repeated="1000" office:value-type="float" '
        'office:value="1"/></table:table-row></table:table>'
    )

    def add_table(name: str) -> Callable[[str, bytes], tuple[str, bytes]]:
        def edit(member: str, data: bytes) -> tuple[str, bytes]:
            if member == "content.xml":
                data = data.replace(
                    b"</office:spreadsheet>",
                    big.format(name=name).encode() + b"</office:spreadsheet>",
                )
            return member, data

        return edit

    extra = rewrite(ods, tmp_path / f"{OFFICE}-{YEAR}-data.ods", add_table("Data"))
    found = check(extra)
    assert "file-too-large" not in codes(found) and found.office_id == OFFICE
    assert len(found.companies) == 2 and "sheet-missing" not in codes(found)
    renamed = rewrite(ods, tmp_path / "b.ods", add_table("Virksomheder"))
    assert codes(check(renamed)) == ["file-too-large"]


def test_a_damaged_relationships_part_is_no_crash(tmp_path: Path) -> None:
    plain = submission_book().save(tmp_path / "plain.xlsx")
    path = rewrite(
        plain,
        tmp_path / "a.xlsx",
        lambda name, data: (
            (name, data[:40] + b"\x01<" + data[40:]) if name.endswith(".rels") else (name, data)
        ),
    )
    found = check(path)
    assert codes(found) == ["file-unreadable"]
    assert "uventet fejl" not in found.findings[0].message
