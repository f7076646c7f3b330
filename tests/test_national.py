"""The Nationale mål sheet: the cluster's results on its national contract with UFS (§10)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from builders import SAMPLE_CONFIG, Book, contract_rows, indicator
from klyngerapport.checks.indicators import NATIONAL_SHEET, check_indicators
from klyngerapport.config import Config, parse_file
from klyngerapport.reading.sheet import RawSheet
from klyngerapport.validation.workbook import validate_file

HEADERS = ["ID", "Indikator", "Enhed", "Mål", "Resultat", "Bemærkning"]
NATIONAL = "\n[national_targets.we-build-denmark]\n2022 = { VIRK = 900, SMV = 700, PROJ = 40 }\n"


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    text = SAMPLE_CONFIG.read_text(encoding="utf-8")
    cut = text.find("[national_targets.")
    text = (text[:cut] if cut >= 0 else text) + NATIONAL
    path = tmp_path_factory.mktemp("cfg") / "klyngerapport.toml"
    path.write_text(text, encoding="utf-8")
    return parse_file(path)


def national_sheet(*rows: dict[str, Any]) -> RawSheet:
    return RawSheet(NATIONAL_SHEET, [HEADERS, *([r.get(h) for h in HEADERS] for r in rows)])


def test_every_national_result_is_a_reported_number_even_for_a_derived_id(
    config: Config,
) -> None:
    """VIRK is counted from Virksomheder regionally; nationally it is the number reported."""
    sheet = national_sheet(
        indicator("VIRK", 950, 900), indicator("SMV", 690, 700), indicator("PROJ", 41, 40)
    )
    rows, findings = check_indicators(sheet, "f.xlsx", config, "we-build-denmark", 2022, True)
    assert findings == ()
    assert [(r.id, r.result) for r in rows] == [("VIRK", 950), ("SMV", 690), ("PROJ", 41)]


def test_national_sheet_findings_name_the_national_contract_and_the_cell(config: Config) -> None:
    sheet = national_sheet(
        indicator("VIRK", "Beregnes ud fra fanen Virksomheder", 900),
        indicator("SMV", 690, 650),
        indicator("ARR", 3),
    )
    _, findings = check_indicators(sheet, "f.xlsx", config, "we-build-denmark", 2022, True)
    got = {(f.code, f.severity, f.cell): f.message for f in findings}
    assert set(got) == {
        ("result-not-number", "error", "E2"),
        ("target-differs", "warning", "D3"),
        ("indicator-unknown", "warning", "A4"),
        ("result-missing", "error", None),
    }
    assert got["target-differs", "warning", "D3"].startswith(
        "Nationale mål!D3: Målet 650 for SMV er ikke den nationale resultatkontrakts mål (700)"
    )
    assert "den nationale resultatkontrakt (UFS)" in got["indicator-unknown", "warning", "A4"]
    assert got["result-missing", "error", None].startswith(
        "Nationale mål: Indikatoren PROJ (Igangsatte innovationsprojekter"
    )


def save_with_national(book: Book, path: Path, rows: list[dict[str, Any]] | None) -> Path:
    book.save(path)
    if rows is not None:
        wb = openpyxl.load_workbook(path)
        ws = wb.create_sheet(NATIONAL_SHEET)
        ws.append(HEADERS)
        for r in rows:
            ws.append([r.get(h) for h in HEADERS])
        wb.save(path)
    return path


def test_a_submission_reads_its_national_sheet(config: Config, tmp_path: Path) -> None:
    book = Book(indicators=contract_rows(config, "we-build-denmark", 2022))
    path = save_with_national(
        book, tmp_path / "wbd.xlsx", [indicator("VIRK", 950, 900), indicator("SMV", 690, 700)]
    )
    sub = validate_file(path, config, 2022, "wbd.xlsx")
    assert [(r.id, r.result) for r in sub.national] == [("VIRK", 950), ("SMV", 690)]
    assert [(f.code, f.sheet) for f in sub.findings if f.sheet == NATIONAL_SHEET] == [
        ("result-missing", NATIONAL_SHEET)
    ]


def test_a_missing_national_sheet_is_a_warning_where_national_targets_exist(
    config: Config, tmp_path: Path
) -> None:
    book = Book(indicators=contract_rows(config, "we-build-denmark", 2022))
    sub = validate_file(save_with_national(book, tmp_path / "a.xlsx", None), config, 2022, "a")
    missing = [f for f in sub.findings if f.sheet == NATIONAL_SHEET]
    assert [(f.code, f.severity) for f in missing] == [("sheet-missing", "warning")]
    assert 'Fanen "Nationale mål" mangler' in missing[0].message
    assert "We Build Denmark har en national resultatkontrakt med mål for 2022" in (
        missing[0].message
    )
    assert sub.valid


def test_without_national_targets_the_sheet_is_not_asked_for(
    config: Config, tmp_path: Path
) -> None:
    book = Book(office="bio-solutions", indicators=contract_rows(config, "bio-solutions", 2022))
    sub = validate_file(save_with_national(book, tmp_path / "b.xlsx", None), config, 2022, "b")
    assert [f for f in sub.findings if f.sheet == NATIONAL_SHEET] == []
    assert sub.national == ()


def test_template_has_a_national_sheet_only_where_national_targets_exist(
    config: Config, tmp_path: Path
) -> None:
    """Nationale mål follows Indikatorer: one row per national indicator with its target, every
    result open for input (VIRK too: nothing national is counted), protected like Indikatorer."""
    from klyngerapport.render.template import write_template

    office = config.office("we-build-denmark")
    assert office is not None
    path = tmp_path / "wbd.xlsx"
    write_template(config, office, 2022, path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "Indberetning",
        "Indikatorer",
        NATIONAL_SHEET,
        "Virksomheder",
        "Lister",
    ]
    ws = wb[NATIONAL_SHEET]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    # Row 1 says what goes in the sheet; the header follows, then one row per indicator.
    assert str(rows[0][0]).startswith("Her: klyngens nationale resultat")
    assert rows[1][: len(HEADERS)] == HEADERS
    assert [(r[0], r[3], r[4]) for r in rows[2:]] == [
        ("VIRK", 900, None),
        ("SMV", 700, None),
        ("PROJ", 40, None),
    ]
    assert ws.protection.sheet
    assert all(not ws.cell(r, 5).protection.locked for r in (3, 4, 5))
    assert ws.cell(3, 4).protection.locked
    assert any("E3" in str(dv.sqref) for dv in ws.data_validations.dataValidation)

    # Filled in, it validates without a finding on the national sheet.
    for r, value in ((3, 950), (4, 690), (5, 41)):
        ws.cell(r, 5, value)
    wb.save(path)
    sub = validate_file(path, config, 2022, "wbd.xlsx")
    assert [(r.id, r.result) for r in sub.national] == [("VIRK", 950), ("SMV", 690), ("PROJ", 41)]
    assert [f for f in sub.findings if f.sheet == NATIONAL_SHEET] == []

    other = config.office("bio-solutions")
    assert other is not None
    write_template(config, other, 2022, tmp_path / "bio.xlsx")
    assert NATIONAL_SHEET not in openpyxl.load_workbook(tmp_path / "bio.xlsx").sheetnames
