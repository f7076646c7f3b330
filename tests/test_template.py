"""The submission template (render/template.py) and the committed sample submissions.

Workbooks are checked by reading them back (openpyxl for structure, python-calamine for what the
reader will see), never by their bytes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl import load_workbook
from openpyxl.utils.datetime import to_excel
from python_calamine import CalamineWorkbook
from stdnum.dk import cvr as stdnum_cvr

from klyngerapport.config import Config, parse_file
from klyngerapport.model import Office
from klyngerapport.reference import municipalities
from klyngerapport.render.template import (
    COMPANY_ROWS,
    DESCRIPTION_HEADER,
    HEADER_ROW,
    template_filename,
    write_template,
)
from klyngerapport.schema import (
    ACTIVITIES,
    COMPANY_HEADERS,
    DERIVED_TEXT,
    INDICATOR_HEADERS,
    INFO_LABELS,
)

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
YEAR = 2022


@pytest.fixture(scope="module")
def config() -> Config:
    return parse_file(SAMPLES / "klyngerapport.toml")


def office(config: Config, office_id: str) -> Office:
    found = config.office(office_id)
    assert found is not None
    return found


def written(config: Config, tmp_path: Path, office_id: str, year: int = YEAR) -> Path:
    path = tmp_path / template_filename(office_id, year)
    write_template(config, office(config, office_id), year, path)
    return path


def validations(ws: Any) -> dict[str, Any]:
    """Data validations of a sheet by their cell range ('A2:A2001', 'E6 E7 E8')."""
    return {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}


def valid_cvr(seed: int) -> int:
    """An 8-digit CVR number with a correct modulus-11 check digit."""
    body = [int(d) for d in str(1_000_000 + seed * 7919)[:7]]
    total = sum(w * d for w, d in zip((2, 7, 6, 5, 4, 3, 2), body, strict=True))
    check = -total % 11
    if check == 10:
        return valid_cvr(seed + 1)
    return int("".join(map(str, body)) + str(check))


# --- structure ----------------------------------------------------------------------------------


def test_template_filename() -> None:
    """The file name is <office-id>-<YEAR>.xlsx (PRODUCT.md §5)."""
    assert template_filename("we-build-denmark", 2022) == "we-build-denmark-2022.xlsx"


@pytest.mark.parametrize(
    "office_id", ["we-build-denmark", "bio-solutions", "foedevarer", "miljoeteknologi"]
)
def test_sheets_and_indicator_rows_follow_the_contract(
    config: Config, tmp_path: Path, office_id: str
) -> None:
    """Three visible sheets (four with national targets) and a hidden Lister; one Indikatorer
    row per contract indicator."""
    assert office(config, office_id).active(YEAR)
    wb = load_workbook(written(config, tmp_path, office_id))
    national = ["Nationale mål"] if config.national_contract(office_id, YEAR) else []
    assert wb.sheetnames == ["Indberetning", "Indikatorer", *national, "Virksomheder", "Lister"]
    assert [wb[n].sheet_state for n in wb.sheetnames] == ["visible"] * (3 + len(national)) + [
        "hidden"
    ]

    ws = wb["Indikatorer"]
    assert tuple(c.value for c in ws[HEADER_ROW]) == (*INDICATOR_HEADERS, DESCRIPTION_HEADER)
    contract = config.contract(office_id, YEAR)
    assert contract
    rows = list(ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert [r[0] for r in rows] == [i.id for i, _ in contract]
    for (indicator, target), row in zip(contract, rows, strict=True):
        assert row[1] == indicator.name
        assert row[2] == indicator.unit
        assert row[3] == target
        assert row[4] == (DERIVED_TEXT if indicator.derived else None)
        assert row[6] == indicator.description and indicator.description  # what counts


def test_info_sheet_has_office_and_year_locked_and_the_rest_open(
    config: Config, tmp_path: Path
) -> None:
    """Labels in A, values in B; office id and year prefilled and locked."""
    ws = load_workbook(written(config, tmp_path, "foedevarer"))["Indberetning"]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}
    assert all(label in rows for label in INFO_LABELS)
    office_cell, year_cell = ws.cell(rows["Klyngekontor"], 2), ws.cell(rows["År"], 2)
    assert (office_cell.value, year_cell.value) == ("foedevarer", YEAR)
    assert office_cell.protection.locked and year_cell.protection.locked
    for label in ("Kontaktperson", "E-mail", "Dato"):
        cell = ws.cell(rows[label], 2)
        assert cell.value is None
        assert not cell.protection.locked
    assert ws.cell(rows["Dato"], 2).number_format == "dd-mm-yyyy"
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "Food & Bio Cluster Denmark" in text and "Holbæk" in text  # cluster and lead


def test_locked_and_unlocked_cells_on_indikatorer(config: Config, tmp_path: Path) -> None:
    """Only Resultat of reported indicators and Bemærkning are open; Mål is locked."""
    ws = load_workbook(written(config, tmp_path, "we-build-denmark"))["Indikatorer"]
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        ident, name, unit, target, result, comment, description = row
        derived = result.value == DERIVED_TEXT
        assert all(c.protection.locked for c in (ident, name, unit, target))
        assert result.protection.locked is derived
        assert not comment.protection.locked
        assert description.protection.locked
        assert target.number_format == result.number_format == "#,##0"


def test_company_sheet_has_open_formatted_rows(config: Config, tmp_path: Path) -> None:
    """Virksomheder: the header, then COMPANY_ROWS empty rows the office can type into."""
    ws = load_workbook(written(config, tmp_path, "miljoeteknologi"))["Virksomheder"]
    assert tuple(c.value for c in ws[HEADER_ROW]) == COMPANY_HEADERS
    assert all(c.protection.locked for c in ws[HEADER_ROW])
    for row in (HEADER_ROW + 1, HEADER_ROW + COMPANY_ROWS):
        cells = [ws.cell(row, col) for col in range(1, len(COMPANY_HEADERS) + 1)]
        assert all(c.value is None and not c.protection.locked for c in cells)
    assert ws.cell(HEADER_ROW + 1, 6).number_format == "dd-mm-yyyy"


# --- validation, protection, layout ---------------------------------------------------------------


def test_company_validations(config: Config, tmp_path: Path) -> None:
    """CVR whole 10000000–99999999, lists from Lister, dates within the year."""
    wb = load_workbook(written(config, tmp_path, "bio-solutions"))
    found = validations(wb["Virksomheder"])
    first, last = HEADER_ROW + 1, HEADER_ROW + COMPANY_ROWS
    cvr = found[f"A{first}:A{last}"]
    assert (cvr.type, cvr.operator, cvr.formula1, cvr.formula2) == (
        "whole",
        "between",
        "10000000",
        "99999999",
    )
    date = found[f"F{first}:F{last}"]
    assert (date.type, date.operator) == ("date", "between")
    assert (int(date.formula1), int(date.formula2)) == (
        to_excel(dt.date(YEAR, 1, 1)),
        to_excel(dt.date(YEAR, 12, 31)),
    )

    expected = {
        "C": sorted(
            municipalities().names(),
            key=lambda n: n.casefold().translate(str.maketrans("æøå", "{|}")),
        ),
        "D": ["Ja", "Nej"],
        "E": list(ACTIVITIES),
    }
    for column, items in expected.items():
        dv = found[f"{column}{first}:{column}{last}"]
        assert dv.type == "list"
        ((sheet, ref),) = wb.defined_names[dv.formula1].destinations
        assert sheet == "Lister"
        listed = [c.value for row in wb[sheet][ref.replace("$", "")] for c in row]
        assert listed == items
    assert len(expected["C"]) == 17  # all of the region: outside ones are only a warning


def test_result_validation_covers_reported_indicators_only(config: Config, tmp_path: Path) -> None:
    """Resultat of reported indicators: decimal >= 0; derived rows carry no validation."""
    ws = load_workbook(written(config, tmp_path, "we-build-denmark"))["Indikatorer"]
    ((dv),) = validations(ws).values()
    assert (dv.type, dv.operator, dv.formula1) == ("decimal", "greaterThanOrEqual", "0")
    reported = {f"E{c.row}" for c in ws["E"][HEADER_ROW:] if c.value != DERIVED_TEXT}
    assert {str(r) for r in dv.sqref.ranges} == reported


def test_validation_messages_are_danish_and_fit_excel(config: Config, tmp_path: Path) -> None:
    """Every validation has an input message and a stopping error message within Excel's limits
    (Excel refuses to open a file with a longer title or message)."""
    wb = load_workbook(written(config, tmp_path, "foedevarer"))
    all_dv = [dv for ws in wb for dv in ws.data_validations.dataValidation]
    assert len(all_dv) >= 9
    for dv in all_dv:
        # Only Kommune warns instead of stopping: companies from elsewhere in Denmark are real.
        expected = "warning" if dv.formula1 == "Kommuner" else "stop"
        assert dv.showInputMessage and dv.showErrorMessage and dv.errorStyle == expected
        assert dv.allow_blank
        assert dv.prompt and dv.error and dv.promptTitle and dv.errorTitle
        assert len(dv.promptTitle) <= 32 and len(dv.errorTitle) <= 32
        assert len(dv.prompt) <= 255 and len(dv.error) <= 255


def test_protection_freeze_and_properties(config: Config, tmp_path: Path) -> None:
    """Every sheet protected without a password, headers frozen, document properties set."""
    wb = load_workbook(written(config, tmp_path, "we-build-denmark"))
    for ws in wb:
        assert ws.protection.sheet
        assert not ws.protection.password
    assert wb.security.lockStructure and not wb.security.workbookPassword
    assert wb["Indikatorer"].freeze_panes == f"A{HEADER_ROW + 1}"
    assert wb["Virksomheder"].freeze_panes == f"A{HEADER_ROW + 1}"
    assert wb["Virksomheder"].protection.autoFilter is False  # filtering stays allowed
    assert wb["Virksomheder"].auto_filter.ref == f"A{HEADER_ROW}:F{HEADER_ROW + COMPANY_ROWS}"
    assert wb.properties.creator == "klyngerapport"
    assert wb.properties.title == "Indberetning 2022 – We Build Denmark"


def test_reader_sees_a_small_used_range(config: Config, tmp_path: Path) -> None:
    """The formatted empty rows do not count for python-calamine: only the two top rows."""
    book = CalamineWorkbook.from_path(str(written(config, tmp_path, "miljoeteknologi")))
    rows = book.get_sheet_by_name("Virksomheder").to_python()
    assert rows[1:] == [list(COMPANY_HEADERS)] and str(rows[0][0]).startswith("Her: ")
    assert book.sheet_names == ["Indberetning", "Indikatorer", "Virksomheder", "Lister"]


# --- atomic writing -----------------------------------------------------------------------------


def test_write_leaves_only_the_file_and_replaces_an_old_one(config: Config, tmp_path: Path) -> None:
    """No temporary files remain; an existing file is replaced (the CLI decides on --force)."""
    target = tmp_path / "skabeloner" / "2022" / template_filename("foedevarer", YEAR)
    target.parent.mkdir(parents=True)
    target.write_bytes(b"old")
    write_template(config, office(config, "foedevarer"), YEAR, target)
    assert [p.name for p in target.parent.iterdir()] == [target.name]
    assert load_workbook(target)["Indberetning"]["B5"].value == "foedevarer"


def test_failed_write_keeps_the_old_file_and_no_temp_file(
    config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure halfway through saving leaves the previous file untouched and nothing else."""
    target = tmp_path / template_filename("foedevarer", YEAR)
    target.write_bytes(b"previous")

    class Broken(Exception):
        pass

    def half_save(self: Any, handle: Any) -> None:
        handle.write(b"PK\x03\x04 half a zip")
        raise Broken

    monkeypatch.setattr(openpyxl.Workbook, "save", half_save)
    with pytest.raises(Broken):
        write_template(config, office(config, "foedevarer"), YEAR, target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_failed_first_write_leaves_no_file(
    config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without an earlier file, a failed write leaves the folder empty."""

    def failing_save(self: Any, handle: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", failing_save)
    with pytest.raises(OSError):
        write_template(
            config,
            office(config, "bio-solutions"),
            YEAR,
            tmp_path / template_filename("bio-solutions", YEAR),
        )
    assert list(tmp_path.iterdir()) == []


# --- the committed samples --------------------------------------------------------------------


SAMPLE_FILES = sorted((SAMPLES / "indberetninger").glob("*/*.xlsx"))


def test_samples_cover_every_active_office() -> None:
    """2021: We Build Denmark only; 2022 to 2024: all four offices."""
    names = {p.relative_to(SAMPLES / "indberetninger").as_posix() for p in SAMPLE_FILES}
    offices = ("we-build-denmark", "bio-solutions", "foedevarer", "miljoeteknologi")
    assert names == {"2021/we-build-denmark-2021.xlsx"} | {
        f"{year}/{o}-{year}.xlsx" for year in (2022, 2023, 2024) for o in offices
    }


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_sample_companies_are_realistic(path: Path) -> None:
    """50–200 company rows, every CVR number valid (python-stdnum as the oracle)."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Virksomheder").to_python()
    header, body = rows[0], rows[1:]
    assert tuple(header) == COMPANY_HEADERS
    assert 50 <= len(body) <= 200
    for row in body:
        assert stdnum_cvr.is_valid(f"{row[0]:.0f}"), row


# --- against the validator (written in parallel; skipped until it exists) -----------------------


def fill_in(
    path: Path, companies: list[tuple[int, str, str, str, str, dt.date]], results: dict[str, Any]
) -> None:
    wb = load_workbook(path)
    info = wb["Indberetning"]
    rows = {info.cell(r, 1).value: r for r in range(1, info.max_row + 1)}
    info.cell(rows["Kontaktperson"], 2, "Mette Kjærgaard")
    info.cell(rows["E-mail"], 2, "mette@example.org")
    info.cell(rows["Dato"], 2, dt.date(YEAR + 1, 1, 20))
    ws = wb["Indikatorer"]
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        if row[0].value in results:
            row[4].value = results[row[0].value]
    ws = wb["Virksomheder"]
    for r, company in enumerate(companies, start=HEADER_ROW + 1):
        for c, value in enumerate(company, start=1):
            ws.cell(r, c, value)
    wb.save(path)


def test_filled_template_validates_without_errors(config: Config, tmp_path: Path) -> None:
    """A template filled in the intended way passes validate_file with no findings at all."""
    workbook = pytest.importorskip("klyngerapport.validation.workbook")
    path = written(config, tmp_path, "we-build-denmark")
    companies = [
        (
            valid_cvr(1),
            "Næstved Betonelementer ApS",
            "Næstved",
            "Ja",
            "Innovationsprojekt",
            dt.date(YEAR, 3, 14),
        ),
        (
            valid_cvr(2),
            "Solrød Tømrer og Snedker A/S",
            "Solrød",
            "Nej",
            "Grøn omstilling",
            dt.date(YEAR, 6, 2),
        ),
        (
            valid_cvr(1),
            "Næstved Betonelementer ApS",
            "Næstved",
            "Ja",
            "Netværk og arrangementer",
            dt.date(YEAR, 9, 30),
        ),
    ]
    fill_in(path, companies, {"PROJ": 7, "ARR": 9, "MIDLER": 2_150_000})
    submission = workbook.validate_file(path, config, YEAR, path.name)
    assert [f.code for f in submission.findings] == []
    assert (submission.office_id, submission.year) == ("we-build-denmark", YEAR)
    assert len(submission.companies) == 3


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_committed_samples_have_no_errors(config: Config, path: Path) -> None:
    """Every committed sample submission is valid (warnings are deliberate and allowed)."""
    workbook = pytest.importorskip("klyngerapport.validation.workbook")
    year = int(path.parent.name)
    submission = workbook.validate_file(path, config, year, path.name)
    errors = [(f.code, f.cell, f.value) for f in submission.findings if f.severity == "error"]
    assert errors == []


FLAWED_CODES = {
    "fejl-cvr-og-kommune.xlsx": {
        "cvr-checksum",
        "municipality-unknown",
        "result-not-number",
        "date-outside-year",
    },
    "fejl-formel-uden-vaerdi.xlsx": {"formula-no-value"},
    "fejl-ukendt-kontor.xlsx": {"office-unknown"},
    "noter.csv": {"file-unsupported"},
    "miljoeteknologi-2022.ods": set(),
}


def test_flawed_samples_show_exactly_their_faults(config: Config) -> None:
    """Each file in samples/fejl has the errors its name promises (the README shows them), and
    the LibreOffice copy of a clean submission has none."""
    validation = pytest.importorskip("klyngerapport.validation")
    folder = SAMPLES / "fejl"
    assert {p.name for p in folder.iterdir()} == set(FLAWED_CODES)
    result = validation.validate_paths([folder], config, YEAR)
    errors = {
        s.path.name: {f.code for f in s.findings if f.severity == "error"}
        for s in result.submissions
    }
    assert errors == FLAWED_CODES


# --- issue #10: fonts, input cells, what goes where, where it goes --------------------------------


def test_every_font_is_named_calibri(config: Config, tmp_path: Path) -> None:
    """An unnamed font is drawn in a serif by LibreOffice: every styled cell names Calibri."""
    wb = load_workbook(written(config, tmp_path, "we-build-denmark"))
    for ws in wb:
        for row in ws.iter_rows(max_row=40):
            for cell in row:
                if cell.value is not None or cell.has_style:
                    assert cell.font.name == "Calibri", (ws.title, cell.coordinate)


def test_every_input_cell_is_marked_the_same_way(config: Config, tmp_path: Path) -> None:
    """Unlocked cells and only they are yellow with a frame, on every sheet."""
    wb = load_workbook(written(config, tmp_path, "we-build-denmark"))
    marks = set()
    for name in ("Indberetning", "Indikatorer", "Virksomheder"):
        for row in wb[name].iter_rows(max_row=60):
            for cell in row:
                yellow = cell.fill.fgColor.rgb == "00FFF2CC"
                assert yellow is (not cell.protection.locked), (name, cell.coordinate)
                if yellow:
                    marks.add((cell.fill.fgColor.rgb, cell.border.left.style, cell.font.name))
    assert marks == {("00FFF2CC", "thin", "Calibri")}


def test_each_sheet_says_in_one_line_what_goes_in_it(config: Config, tmp_path: Path) -> None:
    wb = load_workbook(written(config, tmp_path, "foedevarer"))
    assert str(wb["Indberetning"]["A3"].value).startswith("Her: hvem der indberetter")
    assert str(wb["Indikatorer"]["A1"].value).startswith("Her: årets resultat for 2022")
    assert str(wb["Virksomheder"]["A1"].value).startswith("Her: én række for hver aktivitet")


def test_info_sheet_states_deadline_recipient_and_contact(config: Config, tmp_path: Path) -> None:
    """The secretariat receives the workbook, not the lead municipality."""
    ws = load_workbook(written(config, tmp_path, "foedevarer"))["Indberetning"]
    pairs = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert pairs["Frist"] == "Senest 31-01-2023"
    assert pairs["Sendes til"] == "KKR Sjælland-sekretariatet (klynger@example.dk)"
    assert pairs["Kontakt"] == "Sekretariatet, tlf. 12 34 56 78"
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "send den til KKR Sjælland-sekretariatet (klynger@example.dk) senest 31-01-2023" in text
    assert "leadkommunen (Holbæk)" not in text and "send den til leadkommunen" not in text


def test_active_office_without_targets_gets_an_error_not_a_template(
    config: Config, tmp_path: Path
) -> None:
    from dataclasses import replace

    from klyngerapport.errors import ConfigError

    targets = {k: v for k, v in config.targets.items() if k != "foedevarer"}
    bare = replace(config, targets=targets)
    with pytest.raises(ConfigError) as caught:
        written(bare, tmp_path, "foedevarer")
    assert "Food & Bio Cluster Denmark (foedevarer) har ingen mål for 2022" in (
        caught.value.message
    )
    assert not list(tmp_path.iterdir())
