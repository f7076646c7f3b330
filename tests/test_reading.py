"""The reader: true cell positions, sheet lookup, formula cells without a value, error cells,
giant grids."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from conftest import write_raw_ods, write_raw_xlsx
from klyngerapport.reading import ooxml
from klyngerapport.reading.safety import MAX_CELLS
from klyngerapport.reading.sheet import FileProblem, RawSheet, cell_ref
from klyngerapport.reading.workbook import open_workbook

Convert = Callable[[Path, str], Path]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def positions_xlsx(path: Path) -> Path:
    """Data that starts at C4, a sheet with title rows above its header, a name with spaces."""
    wb = Workbook()
    data = wb.active
    assert data is not None
    data.title = "Data"
    data["C4"] = "Overskrift"
    data["D5"] = 5
    data["E6"] = dt.datetime(2022, 3, 1)
    data["F7"] = "slut"
    companies = wb.create_sheet("Virksomheder")
    companies["A1"] = "Virksomheder 2022"
    companies["A3"] = "CVR-nummer"
    companies["B3"] = "Virksomhedsnavn"
    companies["A4"] = 29189625
    companies["B4"] = "Næstved Byg ApS"
    indicators = wb.create_sheet(" Indikatorer ")
    indicators["B2"] = "ID"
    wb.save(path)
    return path


@pytest.fixture(scope="module", params=["xlsx", "ods", "xls"])
def positions_file(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The same workbook as .xlsx and as LibreOffice saves it as .ods and .xls (read-only)."""
    source = positions_xlsx(tmp_path_factory.mktemp("positions") / "positions.xlsx")
    if request.param == "xlsx":
        return source
    convert: Convert = request.getfixturevalue("libreoffice")
    return convert(source, request.param)


def read(path: Path, sheet: str) -> RawSheet:
    with open_workbook(path) as wb:
        found = wb.sheet(sheet)
    assert found is not None
    return found


def test_data_starting_at_c4_reports_c4(positions_file: Path) -> None:
    """Leading empty rows and columns do not shift positions, in .xlsx, .ods and .xls alike."""
    sheet = read(positions_file, "Data")
    assert (sheet.first_row, sheet.first_col) == (4, 2)
    assert sheet.value(4, 2) == "Overskrift"
    assert sheet.value(5, 3) == 5
    assert sheet.value(6, 4) in (dt.date(2022, 3, 1), dt.datetime(2022, 3, 1))
    assert sheet.value(7, 5) == "slut"
    assert sheet.value(3, 2) is None and sheet.value(4, 1) is None


def test_title_rows_above_the_header_keep_their_rows(positions_file: Path) -> None:
    sheet = read(positions_file, "Virksomheder")
    assert sheet.first_row == 1
    assert sheet.value(1, 0) == "Virksomheder 2022"
    assert sheet.value(3, 0) == "CVR-nummer"
    assert sheet.value(4, 0) == 29189625
    assert sheet.value(4, 1) == "Næstved Byg ApS"


def test_sheet_names_match_case_insensitively_and_without_surrounding_spaces(
    positions_file: Path,
) -> None:
    with open_workbook(positions_file) as wb:
        assert wb.sheet_names == ["Data", "Virksomheder", " Indikatorer "]
        indicators = wb.sheet("INDIKATORER")
        assert indicators is not None and indicators.name == " Indikatorer "
        assert indicators.value(2, 1) == "ID"
        companies = wb.sheet("  virksomheder ")
        assert companies is not None and companies.name == "Virksomheder"
        assert wb.sheet("Indberetning") is None


def test_each_call_reads_the_sheet_afresh(tmp_path: Path) -> None:
    """Nothing is cached: the caller decides how long a sheet is held."""
    path = positions_xlsx(tmp_path / "positions.xlsx")
    with open_workbook(path) as wb:
        first, second = wb.sheet("Data"), wb.sheet("Data")
    assert first is not None and second is not None
    assert first is not second and first.data is not second.data


def test_cells_come_as_python_values(tmp_path: Path) -> None:
    """What the checks receive from an .xlsx: floats for numbers, '' for empty cells in range."""
    path = positions_xlsx(tmp_path / "positions.xlsx")
    sheet = read(path, "Data")
    assert sheet.data[0] == ["Overskrift", "", "", ""]
    assert isinstance(sheet.value(5, 3), float)
    assert type(sheet.value(6, 4)) is dt.date  # a datetime at midnight arrives as a date


def test_an_xlsm_is_read_like_an_xlsx(tmp_path: Path) -> None:
    path = positions_xlsx(tmp_path / "makroer.xlsm")
    with open_workbook(path) as wb:
        assert wb.format == "xlsx"
        data = wb.sheet("Data")
    assert data is not None and data.value(4, 2) == "Overskrift"


def test_an_empty_sheet_has_no_rows(tmp_path: Path) -> None:
    path = write_raw_xlsx(tmp_path / "tom.xlsx", {"Indberetning": ""})
    sheet = read(path, "Indberetning")
    assert sheet.data == [] and sheet.value(1, 0) is None


def test_the_input_file_is_left_untouched(tmp_path: Path) -> None:
    path = formula_xlsx(tmp_path / "formula-no-value.xlsx")
    before = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    with open_workbook(path) as wb:
        for name in wb.sheet_names:
            sheet = wb.sheet(name)
            assert sheet is not None
            sheet.formula_without_value(5, 1)
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == before


# --- bytes that disagree with the extension -----------------------------------------------------


@pytest.mark.parametrize(("real", "named"), [("xls", "xlsx"), ("xlsx", "xls"), ("ods", "xlsx")])
def test_the_content_decides_the_format_not_the_extension(
    real: str, named: str, tmp_path: Path, libreoffice: Convert
) -> None:
    source = positions_xlsx(tmp_path / "positions.xlsx")
    converted = source if real == "xlsx" else libreoffice(source, real)
    renamed = tmp_path / f"omdoebt.{named}"
    renamed.write_bytes(converted.read_bytes())
    with open_workbook(renamed) as wb:
        assert wb.format == real
        data = wb.sheet("data")
    assert data is not None and data.value(4, 2) == "Overskrift"


# --- formula cells without a calculated value --------------------------------------------------


def formula_xlsx(path: Path) -> Path:
    """openpyxl writes formulas without calculating them, as some scripts and web tools do."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Indikatorer"
    ws["A4"] = "VIRK"
    ws["B4"] = 3
    ws["B5"] = "=SUM(1,2)"
    wb.save(path)
    return path


def test_formula_without_cached_value_is_found_at_its_cell(tmp_path: Path) -> None:
    sheet = read(formula_xlsx(tmp_path / "formula-no-value.xlsx"), "Indikatorer")
    assert sheet.value(5, 1) in (None, "")  # calamine reads it as empty
    assert sheet.formula_without_value(5, 1)
    assert not sheet.formula_without_value(4, 1)  # a typed number
    assert not sheet.formula_without_value(6, 1)  # an empty cell


def test_formulas_saved_by_a_spreadsheet_program_have_values(
    tmp_path: Path, libreoffice: Convert
) -> None:
    saved = libreoffice(formula_xlsx(tmp_path / "formula-no-value.xlsx"), "xlsx")
    sheet = read(saved, "Indikatorer")
    assert sheet.value(5, 1) == 3
    assert not sheet.formula_without_value(5, 1)


def test_formula_markup_variants(tmp_path: Path) -> None:
    """An empty text result is a value; a missing <v> or a prefixed cell is not."""
    cells = (
        '<row r="2"><c r="B2" t="str"><f>IF(1,"","")</f><v></v></c>'  # calculated: ""
        '<c r="C2"><f>1+1</f></c>'  # never calculated
        '<c r="D2"><f>1+1</f><v>2</v></c>'  # calculated: 2
        '<c r="E2"><f t="shared" si="0"/><v/></c></row>'  # shared, no value
    )
    path = write_raw_xlsx(tmp_path / "formler.xlsx", {"Ark": cells})
    sheet = read(path, "Ark")
    assert sheet.formula_probe is not None
    assert sheet.formula_probe() == frozenset({(2, 2), (2, 4)})
    prefixed = (
        f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="3">'
        '<x:c r="A3"><x:f>1+1</x:f></x:c></x:row></x:sheetData></x:worksheet>'
    )
    path = write_raw_xlsx(tmp_path / "praefiks.xlsx", {"Ark": prefixed}, whole_sheet=True)
    assert read(path, "Ark").formula_without_value(3, 0)


def test_formulas_in_data_validation_are_not_cells(tmp_path: Path) -> None:
    """<xm:f> in an extension block (drop-down sources) is not a formula cell."""
    sheet_xml = (
        f'<worksheet xmlns="{MAIN}" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
        '<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'
        "<extLst><ext><dataValidations><dataValidation><formula1><xm:f>Lister!$A$1:$A$17</xm:f>"
        "</formula1><xm:sqref>C2:C500</xm:sqref></dataValidation></dataValidations></ext></extLst>"
        "</worksheet>"
    )
    path = write_raw_xlsx(tmp_path / "validering.xlsx", {"Ark": sheet_xml}, whole_sheet=True)
    sheet = read(path, "Ark")
    assert sheet.formula_probe is not None and sheet.formula_probe() == frozenset()


def test_ods_formula_without_value_is_found_through_repeats(tmp_path: Path) -> None:
    tables = (
        '<table:table table:name="Indikatorer">'
        '<table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>'
        '<table:table-row><table:table-cell table:number-columns-repeated="3"/>'
        '<table:table-cell office:value-type="float" office:value="7"><text:p>7</text:p>'
        '</table:table-cell><table:table-cell table:formula="of:=1+1"/>'
        '<table:table-cell table:formula="of:=2+2" office:value-type="float" office:value="4"/>'
        "</table:table-row></table:table>"
    )
    sheet = read(write_raw_ods(tmp_path / "formel.ods", tables), "indikatorer")
    assert (sheet.first_row, sheet.first_col) == (3, 3)
    assert sheet.value(3, 3) == 7 and sheet.value(3, 5) == 4
    assert sheet.formula_without_value(3, 4)
    assert not sheet.formula_without_value(3, 3) and not sheet.formula_without_value(3, 5)


# --- cells that show an Excel error ----------------------------------------------------------


def test_error_cells_are_found_with_their_error(tmp_path: Path) -> None:
    """calamine reads #DIV/0! and #N/A as empty; the reader still knows what the cell shows."""
    cells = (
        '<row r="2"><c r="B2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'  # a formula's error
        '<c r="C2" t="e"><v>#N/A</v></c>'  # typed, no formula
        '<c r="D2"><v>3</v></c></row>'
    )
    sheet = read(write_raw_xlsx(tmp_path / "fejl.xlsx", {"Ark": cells}), "Ark")
    assert sheet.value(2, 1) == "" and sheet.value(2, 2) == ""
    assert (sheet.error_value(2, 1), sheet.error_value(2, 2)) == ("#DIV/0!", "#N/A")
    assert sheet.error_value(2, 3) is None and sheet.error_value(9, 9) is None
    assert not sheet.formula_without_value(2, 1)  # it has a value: the error


def test_openpyxl_writes_typed_errors_as_error_cells(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Ark"
    ws["A1"], ws["E5"] = "x", "#DIV/0!"
    wb.save(tmp_path / "fejl.xlsx")
    assert read(tmp_path / "fejl.xlsx", "Ark").error_value(5, 4) == "#DIV/0!"


def test_a_sheet_without_formulas_or_errors_gets_no_probe(tmp_path: Path) -> None:
    """The byte scan settles the common case: nothing to look for later, no second pass."""
    sheet = read(positions_xlsx(tmp_path / "plain.xlsx"), "Data")
    assert sheet.formula_probe is None and sheet.error_probe is None
    assert sheet.error_value(5, 3) is None


def test_ods_error_cells_are_found(tmp_path: Path) -> None:
    """LibreOffice stores an error as an empty string, with the error as the cell's text."""
    error = (
        'office:value-type="string" office:string-value="" calcext:value-type="error" '
        'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"'
    )
    tables = (
        '<table:table table:name="Ark"><table:table-row>'
        '<table:table-cell office:value-type="float" office:value="0"><text:p>0</text:p>'
        f'</table:table-cell><table:table-cell table:formula="of:=1/[.A1]" {error}>'
        "<text:p>#DIV/0!</text:p></table:table-cell>"
        f'<table:table-cell table:number-columns-repeated="2" {error}><office:annotation>'
        "<text:p>en note</text:p></office:annotation><text:p>#N/A</text:p></table:table-cell>"
        '<table:table-cell office:value-type="string"><text:p>tekst</text:p></table:table-cell>'
        "</table:table-row></table:table>"
    )
    sheet = read(write_raw_ods(tmp_path / "fejl.ods", tables), "Ark")
    assert sheet.value(1, 1) == ""
    assert [sheet.error_value(1, c) for c in range(5)] == [None, "#DIV/0!", "#N/A", "#N/A", None]


def test_errors_saved_by_libreoffice_are_found(tmp_path: Path, libreoffice: Convert) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Ark"
    ws["A1"], ws["B1"], ws["C1"] = 0, "=1/A1", "=NA()"
    wb.save(tmp_path / "fejl.xlsx")
    for fmt in ("xlsx", "ods"):
        sheet = read(libreoffice(tmp_path / "fejl.xlsx", fmt), "Ark")
        assert (sheet.error_value(1, 1), sheet.error_value(1, 2)) == ("#DIV/0!", "#N/A"), fmt


def test_raw_sheet_probes_errors_once_and_only_when_asked() -> None:
    calls: list[int] = []

    def probe() -> dict[tuple[int, int], str]:
        calls.append(1)
        return {(5, 4): "#REF!"}

    sheet = RawSheet("Ark", [["x"]], error_probe=probe)
    assert calls == []
    assert sheet.error_value(5, 4) == "#REF!" and sheet.error_value(5, 3) is None
    assert calls == [1]
    assert RawSheet("Ark", [[""]]).error_value(1, 0) is None


def test_xls_needs_no_formula_probe(tmp_path: Path, libreoffice: Convert) -> None:
    """.xls always stores each formula's last result, so there is nothing to look for."""
    xls = libreoffice(formula_xlsx(tmp_path / "formula-no-value.xlsx"), "xls")
    sheet = read(xls, "Indikatorer")
    assert sheet.value(5, 1) == 3
    assert sheet.formula_probe is None and not sheet.formula_without_value(5, 1)


# --- sheets whose grid would be gigantic -----------------------------------------------------

READ_ALL = """
import sys
from pathlib import Path
from klyngerapport.reading.sheet import FileProblem
from klyngerapport.reading.workbook import open_workbook
try:
    with open_workbook(Path(sys.argv[1])) as wb:
        for name in wb.sheet_names:
            wb.sheet(name)
    print("read")
except FileProblem as problem:
    print(problem.code, problem.message)
"""


def read_in_child(path: Path) -> str:
    """Read every sheet in a child process: a failing guard aborts the child, not the tests."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", READ_ALL, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert time.perf_counter() - start < 10
    return done.stdout.strip()


def sheet_xml(refs: list[str]) -> bytes:
    """A worksheet part with one numeric cell at each reference, one <row> per cell."""
    cells = "".join(
        f'<row r="{ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}"><c r="{ref}"><v>1</v></c></row>'
        for ref in refs
    )
    return f'<worksheet xmlns="{MAIN}"><sheetData>{cells}</sheetData></worksheet>'.encode()


def extent_of(refs: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """'fast' when the byte scan proves the grid small, 'walk' when it needs the exact walk
    and that lets the sheet through, else the problem's code."""
    path = write_raw_xlsx(
        tmp_path / "ark.xlsx", {"Ark": sheet_xml(refs).decode()}, whole_sheet=True
    )
    walked: list[bool] = []
    real_walk = ooxml._walk

    def walk(*args: object, **kwargs: object) -> object:
        walked.append(True)
        return real_walk(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ooxml, "_walk", walk)
    try:
        ooxml.check_extent(path, "xl/worksheets/sheet1.xml", "Ark")
    except FileProblem as problem:
        return problem.code
    return "walk" if walked else "fast"


@pytest.mark.parametrize(
    ("refs", "verdict"),
    [
        (["A1", "F99999"], "fast"),
        (["A1", "F100000"], "fast"),  # six digits: the row that used to force the walk
        (["A1", "F99999", "F100000", "F120001"], "fast"),
        (["A1", "D1048576"], "fast"),  # 4 x 1048576 cells: within the limit
        (["A1", "XFD1"], "fast"),  # the last column
        (["A1", "XFD300"], "fast"),
        (["A1", "E1048576"], "file-too-large"),  # 5 x 1048576 cells: over the limit
        (["A1", "XFD1048576"], "file-too-large"),
        (["A1", "a100000"], "walk"),  # lower case is measured, not trusted
        (["A1", "A0100000"], "walk"),  # so is a leading zero
    ],
)
def test_rows_past_99999_and_columns_past_z_keep_the_fast_scan(
    refs: list[str], verdict: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The byte scan proves any valid reference up to XFD1048576 while the grid stays within
    MAX_CELLS; past it the exact walk measures and refuses."""
    assert extent_of(refs, monkeypatch, tmp_path) == verdict


def test_a_sheet_written_row_by_row_past_row_100000_keeps_the_fast_scan(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    refs = [f"{column}{row}" for row in range(1, 120_002, 997) for column in "ABCDEF"]
    assert extent_of([*refs, "F120001"], monkeypatch, tmp_path) == "fast"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 16_383), st.integers(1, 1_048_576)), min_size=1, max_size=40)
)
def test_the_fast_scan_never_passes_a_grid_over_the_limit(cells: list[tuple[int, int]]) -> None:
    """Whatever the references, a sheet the byte scan lets through fits in MAX_CELLS."""
    refs = [cell_ref(row, col) for col, row in cells]
    plain, _ = ooxml._plainly_small(io.BytesIO(sheet_xml(refs)))
    rows = max(row for _, row in cells) - min(row for _, row in cells) + 1
    columns = max(col for col, _ in cells) - min(col for col, _ in cells) + 1
    if plain:
        assert rows * columns <= MAX_CELLS


def test_two_far_apart_cells_are_refused_not_allocated(tmp_path: Path) -> None:
    """A1 and XFD1048576 would make calamine allocate 17 billion cells and abort."""
    cells = (
        '<row r="1"><c r="A1"><v>1</v></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )
    out = read_in_child(write_raw_xlsx(tmp_path / "fjern-celle.xlsx", {"Virksomheder": cells}))
    assert out.startswith("file-too-large")
    assert '"Virksomheder" spænder over mindst A1:XFD1048576' in out


def test_cells_without_references_are_placed_as_calamine_places_them(tmp_path: Path) -> None:
    """A wide row of unreferenced cells far down is measured, not trusted."""
    wide = "".join("<c><v>1</v></c>" for _ in range(3000))
    cells = f'<row r="1"><c r="A1"><v>1</v></c></row><row r="99000">{wide}</row>'
    out = read_in_child(write_raw_xlsx(tmp_path / "uden-ref.xlsx", {"Ark": cells}))
    assert out.startswith("file-too-large")
    assert '"Ark" spænder over mindst A1:' in out and "99000:" in out


def test_an_unusual_but_small_sheet_is_read(tmp_path: Path) -> None:
    """Two-letter columns and unreferenced cells take the slow path and pass it."""
    cells = (
        '<row r="2"><c r="AB2"><v>1</v></c></row>'
        '<row><c><v>2</v></c><c t="inlineStr"><is><t>x</t></is></c></row>'
    )
    sheet = read(write_raw_xlsx(tmp_path / "usaedvanlig.xlsx", {"Ark": cells}), "Ark")
    assert (sheet.first_row, sheet.first_col) == (2, 0)
    assert sheet.value(2, 27) == 1
    assert sheet.value(3, 0) == 2 and sheet.value(3, 1) == "x"


def test_a_repeated_ods_cell_is_refused_before_calamine_expands_it(tmp_path: Path) -> None:
    tables = (
        '<table:table table:name="Virksomheder"><table:table-row '
        'table:number-rows-repeated="1000000"><table:table-cell '
        'table:number-columns-repeated="16384" office:value-type="float" office:value="1"/>'
        "</table:table-row></table:table>"
    )
    out = read_in_child(write_raw_ods(tmp_path / "gentaget.ods", tables))
    assert out.startswith("file-too-large") and '"Virksomheder"' in out


def test_trailing_empty_repeats_of_libreoffice_are_fine(tmp_path: Path) -> None:
    """LibreOffice pads every row to 16384 columns and the sheet to 1048576 rows, all empty."""
    tables = (
        '<table:table table:name="Ark"><table:table-row><table:table-cell '
        'office:value-type="string"><text:p>a</text:p></table:table-cell>'
        '<table:table-cell table:number-columns-repeated="16383"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048575"><table:table-cell '
        'table:number-columns-repeated="16384"/></table:table-row></table:table>'
    )
    sheet = read(write_raw_ods(tmp_path / "libreoffice.ods", tables), "Ark")
    assert sheet.data == [["a"]]


# --- calamine failures -----------------------------------------------------------------------


def test_a_sheet_calamine_cannot_parse_is_a_file_problem(tmp_path: Path) -> None:
    cells = '<row r="1"><c r="A1"><v>1</v></row>'  # </c> missing
    path = write_raw_xlsx(tmp_path / "beskadiget.xlsx", {"Ark": cells})
    with open_workbook(path) as wb, pytest.raises(FileProblem) as caught:
        wb.sheet("Ark")
    assert caught.value.code == "file-unreadable"
    assert caught.value.message.startswith('Arket "Ark" kan ikke læses som regneark')


def test_a_missing_workbook_part_is_a_file_problem(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "uden-projektmappe.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(FileProblem) as caught:
        open_workbook(path)
    assert caught.value.code == "file-unreadable"


def test_member_with_a_bad_checksum_is_a_damaged_file(tmp_path: Path) -> None:
    """A sheet whose stored CRC does not match is file-unreadable, not an 'unexpected error'."""
    import struct
    import zipfile

    import openpyxl

    from klyngerapport.reading.sheet import FileProblem
    from klyngerapport.reading.workbook import open_workbook

    source = tmp_path / "ok.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Virksomheder"
    wb.active["A1"] = "CVR-nummer"
    wb.save(source)
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    bad_crc = struct.pack("<I", info.CRC ^ 1)
    data[info.header_offset + 14 : info.header_offset + 18] = bad_crc
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        size = struct.unpack("<H", data[central + 28 : central + 30])[0]
        if data[central + 46 : central + 46 + size] == b"xl/worksheets/sheet1.xml":
            data[central + 16 : central + 20] = bad_crc
        central = data.find(b"PK\x01\x02", central + 4)
    broken = tmp_path / "crc.xlsx"
    broken.write_bytes(bytes(data))
    with pytest.raises(FileProblem) as caught, open_workbook(broken) as book:
        book.sheet("Virksomheder")
    assert caught.value.code == "file-unreadable"
    assert "beskadiget" in caught.value.message


def test_an_ods_scan_leaves_no_cycle_for_the_paused_collector(tmp_path: Path) -> None:
    """Files are checked with the cycle collector paused; the .ods scan (an expat parser and
    its handlers, closures over the scan) frees all it made by reference counting alone."""
    import gc

    from klyngerapport.reading.ods import scan_content

    error = 'office:value-type="string" office:string-value="" calcext:value-type="error"'
    tables = (
        '<table:table table:name="Ark"><table:table-row>'
        f'<table:table-cell table:formula="of:=1/0" {error}><text:p>#DIV/0!</text:p>'
        "</table:table-cell></table:table-row></table:table>"
    )
    path = write_raw_ods(tmp_path / "fejl.ods", tables)
    scan_content(path)  # imports, caches and first-use allocations out of the way
    gc.collect()
    gc.disable()
    try:
        scan = scan_content(path)
        assert scan.tables["Ark"].errors
        del scan
        assert gc.collect() == 0
    finally:
        gc.enable()
