"""The XLSX report: read back with openpyxl, never compared by bytes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest

from klyngerapport import config, funding
from klyngerapport.followup import follow_up
from klyngerapport.model import (
    CompanyRow,
    Finding,
    Followup,
    IndicatorRow,
    SourceFile,
    Submission,
    Validation,
)
from klyngerapport.population import for_year
from klyngerapport.reference import municipalities
from klyngerapport.render import xlsx
from klyngerapport.render.xlsx import write_report
from klyngerapport.render.xlsx.cells import CellFactory
from klyngerapport.render.xlsx.layout import MIN_PRINT_SCALE
from klyngerapport.schema import ACTIVITIES
from klyngerapport.status import IndicatorStatus, SubmissionStatus

YEAR = 2022
GENERATED = dt.datetime(2023, 2, 1, 12, 30, 15)
SHEETS = [
    "Resumé",
    "Målopfyldelse",
    "Geografisk spredning",
    "Finansiering",
    "Virksomheder",
    "Valideringsnoter",
    "Kilder",
    "Udvikling",
]
HOSTILE = ['=HYPERLINK("http://x")', "@SUM(A1)", "+45 1234", "-2 ApS"]
CONFIG = """
[population]
reference = "2023K1"

[cofinancing]
non_participating = ["Greve"]

[[office]]
id = "alfa"
cluster = "Alfa Cluster"
lead = "Næstved"
years = [2021, 2024]

[[office]]
id = "beta"
cluster = "=EVIL()"
lead = "Roskilde"
years = [2022, 2024]

[[grant]]
source = "Region Sjælland"
recipient = "Danish Life Science Cluster"
amount = 2_500_000
years = [2021, 2024]

[[indicator]]
id = "VIRK"
name = "Virksomheder fra de deltagende kommuner"
derive = "companies"

[[indicator]]
id = "PROJ"
name = "Igangsatte innovationsprojekter"

[[indicator]]
id = "MIDLER"
name = "Hjemtagne projektmidler"
unit = "kr."

# Every active office-year has targets (an active office without targets is a config error).
[targets.alfa]
2021 = { VIRK = 1 }
2022 = { VIRK = 6, PROJ = 10, MIDLER = 2_000_000 }
2023 = { VIRK = 1 }
2024 = { VIRK = 1 }

[targets.beta]
2022 = { VIRK = 10 }
2023 = { VIRK = 1 }
2024 = { VIRK = 1 }
"""
VIRK_NAME = "Virksomheder fra de deltagende kommuner"


def kommune(name: str) -> Any:
    found = municipalities().match(name)
    assert found is not None
    return found


def company(row: int, cvr: str, name: str, where: str) -> CompanyRow:
    return CompanyRow(
        row,
        cvr,
        name,
        kommune(where),
        row % 2 == 0,
        ACTIVITIES[row % 6],
        dt.date(YEAR, 1 + row % 12, 1 + row % 28),
    )


def build(cfg_path: Path, generated: dt.datetime = GENERATED) -> Followup:
    """Two offices: alfa reported (met, partly met, not met), beta's submission is missing."""
    cfg = config.parse_file(cfg_path)
    population = for_year(cfg, YEAR)
    companies = (
        company(2, "11111111", "Alfa & Søn <A/S>", "Næstved"),
        company(3, "22222222", HOSTILE[0], "Køge"),
        company(4, "33333333", HOSTILE[1], "Køge"),
        company(5, "44444444", HOSTILE[2], "Køge"),
        company(6, "55555555", HOSTILE[3], "Køge"),
        company(7, "66666666", "Bell\x07 ApS", "Køge"),
        company(8, "77777777", "  Mellemrum ApS ", "Køge"),
        company(9, "88888888", "Greve ApS", "Greve"),
    )
    warning = Finding(
        "derived-differs",
        "warning",
        "alfa-2022.xlsx",
        "Indikatorer!E4: Resultatet 95 for VIRK afviger.",
        "Indikatorer",
        "E4",
        "=1+1",
        4,
    )
    missing = Finding(
        "submission-missing",
        "error",
        "indberetninger/2022",
        "Der mangler en indberetning fra =EVIL() (beta) for 2022.",
        value="beta",
    )
    sub = Submission(
        Path("indberetninger/2022/alfa-2022.xlsx"),
        "alfa",
        YEAR,
        indicators=(
            IndicatorRow("VIRK", 4, 6, 95, "", "E4"),
            IndicatorRow("PROJ", 5, 10, 8, "=kommentar", "E5"),
            IndicatorRow("MIDLER", 6, 2_000_000, 500_000, "", "E6"),
        ),
        companies=companies,
        findings=(warning,),
    )
    return follow_up(
        cfg,
        YEAR,
        Validation((sub,), (missing,), YEAR),
        funding.compute(cfg, YEAR, population),
        (
            SourceFile(
                "indberetninger/2022/alfa-2022.xlsx",
                "a" * 64,
                12345,
                dt.datetime(2023, 1, 15, 9, 0),
            ),
        ),
        SourceFile("klyngerapport.toml", "c" * 64, 999, dt.datetime(2023, 1, 1, 8, 0)),
        "9.9.9",
        generated,
    )


@pytest.fixture(scope="module")
def cfg_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cfg") / "klyngerapport.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def report(cfg_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("out") / "rapporter" / "klyngerapport-2022.xlsx"
    write_report(build(cfg_path), path)
    return path


@pytest.fixture(scope="module")
def wb(report: Path) -> Any:
    return openpyxl.load_workbook(report)


def cells(ws: Any) -> list[Any]:
    return [c for row in ws.iter_rows() for c in row]


def find(ws: Any, value: object) -> Any:
    """The first cell holding `value`."""
    found = next((c for c in cells(ws) if c.value == value), None)
    assert found is not None, f"{value!r} not on {ws.title}"
    return found


def row_of(ws: Any, first: object) -> list[Any]:
    """The values of the row whose column A holds `first`."""
    return [c.value for c in ws[find(ws, first).row]]


def test_the_sheets_in_order(wb: Any) -> None:
    assert wb.sheetnames == SHEETS


def test_title_block_names_year_and_receiver(wb: Any) -> None:
    ws = wb["Resumé"]
    assert ws["A1"].value == "Opfølgning på de regionale klyngekontorer 2022"
    assert "KKR Sjælland" in ws["A2"].value
    assert row_of(ws, "År")[1] == 2022 and row_of(ws, "Modtager")[1] == "KKR Sjælland"


def test_resume_has_one_row_per_office(wb: Any) -> None:
    ws = wb["Resumé"]
    header = row_of(ws, "Klyngekontor")
    assert header[:4] == ["Klyngekontor", "Styrkeposition", "Leadkommune", "Indberetning"]
    alfa = dict(zip(header, row_of(ws, "Alfa Cluster"), strict=False))
    assert (
        alfa["Indberetning"],
        alfa["Opfyldt"],
        alfa["Delvist opfyldt"],
        alfa["Ikke opfyldt"],
        alfa["Ikke indberettet"],
        alfa["Virksomheder"],
        alfa["SMV"],
        alfa["Kommuner nået"],
        alfa["Advarsler"],
    )[:8] == ("Godkendt", 1, 1, 1, 0, 7, 4, alfa["Kommuner nået"])
    assert alfa["Kr. pr. nået virksomhed"] == 142_857  # 1.000.000 kr. / 7 companies
    # The office's own coverage, with the municipalities it did not reach named.
    assert alfa["Kommuner nået"].startswith("2 af 16 – ikke nået: Faxe, Guldborgsund, Holbæk")
    beta = dict(zip(header, row_of(ws, "=EVIL()"), strict=False))
    assert (beta["Indberetning"], beta["Ikke indberettet"], beta["Virksomheder"]) == (
        "Mangler",
        1,
        None,
    )
    assert beta["Kr. pr. nået virksomhed"] is None
    assert beta["Kommuner nået"] == "Ikke opgjort (mangler)"
    # The headline holds each office to all participating municipalities, and the ones that
    # nobody reached are named.
    assert find(
        ws,
        "Hvert klyngekontor skal nå virksomheder i alle 16 deltagende kommuner: 0 af 2 "
        "klyngekontorer har gjort det i 2022. Klyngekontorer uden godkendt indberetning "
        "er ikke opgjort.",
    )
    assert any(
        str(c.value).startswith("Kommuner, som intet klyngekontor har nået: Faxe")
        for c in cells(ws)
    )


def test_attainment_sheet_numbers_and_formats(wb: Any) -> None:
    ws = wb["Målopfyldelse"]
    header = row_of(ws, "Klyngekontor")
    assert header == [
        "Klyngekontor",
        "ID",
        "Indikator",
        "Enhed",
        "Mål",
        "Resultat",
        "Målopfyldelse",
        "Status",
        "Bemærkning",
        "Kilde",
    ]
    row = ws[find(ws, "PROJ").row]
    assert [c.value for c in row[4:8]] == [10, 8, 0.8, "Delvist opfyldt"]
    assert (row[8].value, row[9].value) == ("=kommentar", "Indikatorer!E5")
    assert row[4].number_format == "#,##0" and row[6].number_format == "0%"
    # The cell holds the percent as shown (whole, rounded down): 7 of 6 is 116 %, not 116.7 %.
    virk = ws[find(ws, "Indberettet 95; rapporten bruger det optalte").row]
    assert [c.value for c in virk[4:8]] == [6, 7, 1.16, "Opfyldt"]
    assert ws.print_area is not None and "$I$" in str(ws.print_area)  # the source stays out
    money = ws[find(ws, "MIDLER").row]
    assert money[4].value == 2_000_000 and money[4].number_format == '#,##0 "kr."'
    beta = [r for r in ws.iter_rows(values_only=True) if r[0] == "=EVIL()"]
    assert beta == [
        (
            "=EVIL()",
            "VIRK",
            VIRK_NAME,
            "antal",
            10,
            None,
            None,
            "Ikke indberettet",
            "Indberetningen mangler",
            None,
        )
    ]


def test_attainment_has_conditional_formatting_by_status(wb: Any) -> None:
    ws = wb["Målopfyldelse"]
    formulas = [f for rng in ws.conditional_formatting for rule in rng.rules for f in rule.formula]
    for status in IndicatorStatus:
        assert any(f'="{status.label}"' in f for f in formulas), status
    fills = {
        rule.dxf.fill.fgColor.rgb[-6:] for rng in ws.conditional_formatting for rule in rng.rules
    }
    assert {"C6EFCE", "FFEB9C", "FFC7CE", "E7E6E6"} <= fills


def test_geography_counts_per_municipality_and_office(wb: Any) -> None:
    ws = wb["Geografisk spredning"]
    header = row_of(ws, "Kommune")
    assert header[1:3] == ["Alfa Cluster", "=EVIL()"]
    koege = dict(zip(header, row_of(ws, "Køge"), strict=False))
    # beta reported nothing: its column says so, never 0
    assert koege["Alfa Cluster"] == 6 and koege["=EVIL()"] == "ikke indberettet"
    assert koege["I alt, unikke virksomheder"] == 6
    assert koege["Pr. 1.000 indbyggere"] == 0.1  # 6 of 62.458 inhabitants
    # beta's money is in the payment but its companies are unknown: no ratio mixes them
    assert koege["Medfinansiering 2022"] > 0
    # No kr. per company per municipality: it would divide a lead's own share by its companies.
    assert "Kr. pr. nået virksomhed" not in header
    faxe = dict(zip(header, row_of(ws, "Faxe"), strict=False))
    assert faxe["Alfa Cluster"] == 0 and faxe["I alt, unikke virksomheder"] == 0
    assert faxe["Medfinansiering 2022"] > 0
    total = dict(zip(header, row_of(ws, "I alt (ufuldstændigt)"), strict=False))
    assert total["I alt, unikke virksomheder"] == 7
    assert any("Ufuldstændigt: =EVIL()" in str(c.value) for c in cells(ws))
    assert "Greve" not in [c.value for c in ws["A"]]  # not a participating municipality
    zero_rules = [
        f for rng in ws.conditional_formatting for rule in rng.rules for f in rule.formula
    ]
    assert any("=0" in f for f in zero_rules)


def test_funding_sheet_adds_up(wb: Any, cfg_path: Path) -> None:
    ws = wb["Finansiering"]
    total = next(r for r in ws.iter_rows(values_only=True) if r[0] == "I alt, deltagende")
    # Per office 1 mio. kr.; as lead 2 x 0.5 mio., as co-financer 2 x 0.5 mio.; 2 mio. in all.
    assert [v for v in total[3:] if v is not None] == [1_000_000] * 4 + [2_000_000]
    # The population total is that of the participating municipalities: Greve is not in it.
    rows = [r for r in ws.iter_rows(values_only=True) if r[2] in ("Ja", "Nej")]
    assert total[1] == sum(r[1] for r in rows if r[2] == "Ja") < sum(r[1] for r in rows)
    assert find(ws, "Region Sjælland").offset(column=1).value == 2_500_000
    assert any(
        "Fordelingsnøgle: folketal 1. januar 2023, FOLK1A 2023K1" in str(c.value) for c in cells(ws)
    )
    money = find(ws, "Næstved").offset(column=3)
    assert money.value == 500_000 and money.number_format == '#,##0 "kr."'


def test_companies_sheet_lists_every_engagement(wb: Any) -> None:
    ws = wb["Virksomheder"]
    header = row_of(ws, "Klyngekontor")
    assert header == [
        "Klyngekontor",
        "CVR-nummer",
        "Virksomhedsnavn",
        "Kommune",
        "Talt med",
        "SMV",
        "Aktivitet",
        "Dato",
        "Kilde",
    ]
    first = ws[find(ws, "11111111").row]
    assert first[1].data_type == "s"  # the CVR number is text
    assert [c.value for c in first] == [
        "Alfa Cluster",
        "11111111",
        "Alfa & Søn <A/S>",
        "Næstved",
        "Ja",
        "Ja",
        ACTIVITIES[2],
        dt.datetime(YEAR, 3, 3),
        "alfa-2022.xlsx, Virksomheder, række 2",
    ]
    assert first[7].is_date and first[7].number_format == "dd-mm-yyyy"
    assert row_of(ws, "Alfa Cluster") and find(ws, "88888888").offset(column=3).value == "Nej"
    assert find(ws, "77777777").offset(column=1).value == "  Mellemrum ApS "


def test_hostile_text_stays_text(report: Path, wb: Any) -> None:
    """Text that looks like a formula is stored as text (with Excel's quote prefix)."""
    for text in [*HOSTILE, "=EVIL()", "=1+1", "=kommentar"]:
        found = [c for ws in wb for c in cells(ws) if c.value == text]
        assert found, text
        for cell in found:
            assert cell.data_type == "s", (text, cell.coordinate)
            assert cell.quotePrefix, (text, cell.coordinate)


def test_no_formula_anywhere(report: Path, wb: Any) -> None:
    assert not [c.coordinate for ws in wb for c in cells(ws) if c.data_type == "f"]
    with zipfile.ZipFile(report) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = archive.read(name)
                ElementTree.fromstring(xml)  # well-formed, the directly written rows included
                assert b"<f>" not in xml and b"<f " not in xml, name


def test_characters_xml_cannot_hold_are_removed(wb: Any) -> None:
    assert find(wb["Virksomheder"], "66666666").offset(column=1).value == "Bell ApS"


def test_tables_frozen_headers_widths_and_print_setup(wb: Any) -> None:
    names = []
    for ws in wb:
        assert ws.tables, ws.title
        for table in ws.tables.values():
            names.append(table.displayName)
            assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", table.displayName)
            assert table.tableStyleInfo is not None and table.tableStyleInfo.name
            header_row = ws[table.ref.split(":")[0]].row
            first_col = ws[table.ref.split(":")[0]].column
            header = [
                ws.cell(header_row, first_col + i).value for i in range(len(table.tableColumns))
            ]
            assert [c.name for c in table.tableColumns] == header
            assert all(header) and len({h.casefold() for h in header}) == len(header)
        assert ws.freeze_panes is not None
        assert ws.page_setup.orientation == "landscape"
        # A fixed scale, never a fit-to-width that shrinks the text below 9 pt.
        assert not ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.scale >= MIN_PRINT_SCALE
        assert ws.print_title_rows
        widths = [d.width for d in ws.column_dimensions.values()]
        assert widths and all(4 < w <= 90 for w in widths)
    assert len(names) == len(set(names))
    assert wb["Virksomheder"].freeze_panes == "A5"


def test_native_charts(wb: Any) -> None:
    assert len(wb["Resumé"]._charts) == 1
    assert len(wb["Geografisk spredning"]._charts) == 1


def test_findings_and_sources(wb: Any) -> None:
    notes = wb["Valideringsnoter"]
    assert row_of(notes, "alfa-2022.xlsx")[3:5] == ["derived-differs", "Advarsel"]
    assert find(notes, "submission-missing").offset(column=1).value == "Fejl"
    sources = wb["Kilder"]
    assert find(sources, "a" * 64).offset(column=1).value == 12345
    assert find(sources, "c" * 64).offset(column=-1).value == "klyngerapport.toml"
    assert find(sources, "klyngerapport 9.9.9")
    assert find(sources, GENERATED)


def test_document_properties(wb: Any) -> None:
    props = wb.properties
    assert props.title == "Opfølgning på de regionale klyngekontorer 2022"
    assert "KKR Sjælland" in props.subject
    assert props.creator == "klyngerapport 9.9.9"
    utc = GENERATED.astimezone(dt.UTC).replace(tzinfo=None)
    assert props.created == utc and props.modified == utc


def values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book}


def test_same_inputs_same_contents_apart_from_the_time(cfg_path: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_report(build(cfg_path), first)
    later = GENERATED + dt.timedelta(hours=3)
    write_report(build(cfg_path, generated=later), second)
    a, b = values(first), values(second)
    assert a.keys() == b.keys()
    for sheet in a:
        for row_a, row_b in zip(a[sheet], b[sheet], strict=True):
            if GENERATED in row_a:
                assert later in row_b
                continue
            assert row_a == row_b, sheet


def test_written_atomically_without_leftovers(cfg_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "klyngerapport-2022.xlsx"
    write_report(build(cfg_path), path)
    write_report(build(cfg_path), path)  # replaces the report of the same year
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_a_failed_write_keeps_the_old_report(
    cfg_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "klyngerapport-2022.xlsx"
    path.write_bytes(b"the old report")

    def broken(self: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xlsx.ExcelWriter, "save", broken)
    with pytest.raises(OSError):
        write_report(build(cfg_path), path)
    assert path.read_bytes() == b"the old report"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_an_empty_year_still_makes_valid_tables(cfg_path: Path, tmp_path: Path) -> None:
    """No engagements and no findings: every table keeps a (blank) data row."""
    f = dataclasses.replace(build(cfg_path), engagements=(), validation=Validation((), (), YEAR))
    assert f.offices[0].status is SubmissionStatus.ACCEPTED
    path = tmp_path / "tom.xlsx"
    write_report(f, path)
    book = openpyxl.load_workbook(path)
    table = book["Virksomheder"].tables["tblVirksomheder"]
    assert table.ref == "A4:I5"
    assert book["Valideringsnoter"].tables["tblValideringsnoter"].ref == "A4:G5"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_the_report_to_pdf(report: Path, tmp_path: Path) -> None:
    """The report opens in LibreOffice: it converts to a PDF with pages."""
    profile = (tmp_path / "lo-profile").as_uri()  # its own profile: runs beside other soffice
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    pdf = tmp_path / "klyngerapport-2022.pdf"
    assert pdf.is_file(), done.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


def test_population_basis_is_stated_once_with_the_rule_note(wb: Any) -> None:
    """'Fordelingsnøgle | folketal …' (not 'Fordelingsnøgle | Fordelingsnøgle: …'), and the note
    that KKR's rule ("previous-year") would use 2021K1 for 2022, on Resumé and Kilder."""
    label = find(wb["Kilder"], "Fordelingsnøgle")
    assert label.offset(column=1).value == "folketal 1. januar 2023, FOLK1A 2023K1"
    note = find(wb["Kilder"], "Bemærk").offset(column=1).value
    assert "KKR's sædvanlige regel" in note and "2021K1" in note
    resume = wb["Resumé"]
    assert find(resume, "Fordelingsnøgle").offset(column=1).value == label.offset(column=1).value
    assert find(resume, note)  # full width above the key figures, beside which is the chart


def test_attainment_chart_compares_shares_of_each_offices_indicators(wb: Any) -> None:
    chart = wb["Resumé"]._charts[0]
    assert chart.grouping == "percentStacked"


def test_every_company_row_keeps_its_own_date(wb: Any) -> None:
    """The bulk table's date cells are written one row at a time: each keeps its own value,
    dd-mm-åååå and centred."""
    ws = wb["Virksomheder"]
    header = find(ws, "Klyngekontor").row
    dates = []
    for row in ws.iter_rows(min_row=header + 1):
        number = int(row[8].value.rpartition(" ")[2])
        assert row[7].value == dt.datetime(YEAR, 1 + number % 12, 1 + number % 28)
        assert row[7].number_format == "dd-mm-yyyy" and row[7].alignment.horizontal == "center"
        dates.append(row[7].value)
    assert len(set(dates)) > 3


def test_bulk_dates_keep_their_day_around_excels_1900_leap_day(tmp_path: Path) -> None:
    """Bulk rows write dates as Excel serial numbers: each of two date columns keeps its own
    value, dates before 1 March 1900 (where Excel counts a 29 February 1900) are right, and a
    date before 1900, which Excel cannot show, is written as text."""
    out = openpyxl.Workbook(write_only=True)
    ws = out.create_sheet("Datoer")
    factory = CellFactory(ws)
    days = [
        (dt.date(1900, 1, 1), dt.date(1900, 2, 28)),
        (dt.date(1900, 3, 1), dt.date(2024, 2, 29)),
        (dt.date(2021, 12, 31), dt.date(9999, 12, 31)),
    ]
    for first, second in days:
        ws.append(factory.plain_row(["tekst", first, second]))
    ws.append(factory.plain_row(["før 1900", dt.date(1899, 12, 31), dt.date(1066, 10, 14)]))
    path = tmp_path / "datoer.xlsx"
    out.save(path)
    back = list(openpyxl.load_workbook(path)["Datoer"].iter_rows())
    for row, (first, second) in zip(back, days, strict=False):
        assert [c.value.date() for c in row[1:]] == [first, second]
        assert all(c.number_format == "dd-mm-yyyy" for c in row[1:])
    assert [c.value for c in back[-1][1:]] == ["31-12-1899", "14-10-1066"]
