"""validate --feedback: the office's workbook back, marked, with a Ret dette sheet and a text."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from builders import (
    CHECKSUM_BAD_CVR,
    COMPANIES,
    COMPANY_HEADERS,
    KOEGE_CVR,
    SAMPLE_CONFIG,
    Book,
    company,
    contract_rows,
    indicator,
    sample_config,
)
from klyngerapport import feedback_text
from klyngerapport.checks.messages import SEVERITY
from klyngerapport.errors import OutputError
from klyngerapport.feedback import write_feedback
from klyngerapport.model import Finding, Submission, SubmissionContact, Validation
from klyngerapport.render.feedback import ERROR_FILL, SHEET, WARNING_FILL
from klyngerapport.validation import validate_paths
from klyngerapport.validation.workbook import validate_file

CONFIG = sample_config()
YEAR = 2022
OFFICE = "we-build-denmark"
SAMPLES = SAMPLE_CONFIG.parent


def clean_book(**changes: Any) -> Book:
    """A clean 2022 submission of we-build-denmark (rows 2–8 of Indikatorer: the contract)."""
    base = Book(
        office=OFFICE,
        year=YEAR,
        indicators=contract_rows(CONFIG, OFFICE, YEAR),
        companies=[
            company(),
            company(KOEGE_CVR, "Køge A/S", "Køge", "Nej", "Videnssamarbejde", dt.date(2022, 9, 1)),
        ],
    )
    return base.with_(**changes)


def with_indicator(row_id: str, **fields: Any) -> list[dict[str, Any]]:
    rows = contract_rows(CONFIG, OFFICE, YEAR)
    return [{**r, **fields} if r["ID"] == row_id else r for r in rows]


def with_company(**fields: Any) -> list[dict[str, Any]]:
    return [company(**fields), company(KOEGE_CVR, "Køge A/S", "Køge", "Nej")]


# One workbook per finding code the validator raises on a cell, row or sheet of a workbook.
CASES: dict[str, Callable[[], Book]] = {
    "sheet-missing": lambda: clean_book(names={COMPANIES: None}),
    "column-missing": lambda: clean_book(company_headers=COMPANY_HEADERS[:-1]),
    "office-missing": lambda: clean_book(office=None),
    "office-unknown": lambda: clean_book(office="we-build-denmak"),
    "year-missing": lambda: clean_book(year=None),
    "year-mismatch": lambda: clean_book(year=2023),
    "indicator-unknown": lambda: clean_book(
        indicators=[*contract_rows(CONFIG, OFFICE, YEAR), indicator("UKENDT", 3)]
    ),
    "result-missing": lambda: clean_book(indicators=with_indicator("PROJ", Resultat=None)),
    "result-not-number": lambda: clean_book(indicators=with_indicator("PROJ", Resultat="ca. 40")),
    "result-negative": lambda: clean_book(indicators=with_indicator("PROJ", Resultat=-2)),
    "formula-no-value": lambda: clean_book(indicators=with_indicator("PROJ", Resultat="=2+2")),
    "target-differs": lambda: clean_book(indicators=with_indicator("PROJ", Mål=99)),
    "derived-differs": lambda: clean_book(indicators=with_indicator("VIRK", Resultat=50)),
    "number-as-text": lambda: clean_book(indicators=with_indicator("MIDLER", Resultat="1.234")),
    "cvr-invalid": lambda: clean_book(companies=with_company(cvr="1234")),
    "cvr-checksum": lambda: clean_book(companies=with_company(cvr=CHECKSUM_BAD_CVR)),
    "municipality-unknown": lambda: clean_book(companies=with_company(municipality="Næstvde")),
    "municipality-outside": lambda: clean_book(companies=with_company(municipality="Aarhus")),
    "sme-invalid": lambda: clean_book(companies=with_company(sme="Måske")),
    "activity-unknown": lambda: clean_book(companies=with_company(activity="Golfturnering")),
    "date-invalid": lambda: clean_book(companies=with_company(date="engang i foråret")),
    "date-outside-year": lambda: clean_book(companies=with_company(date=dt.date(2021, 5, 1))),
    "date-as-text": lambda: clean_book(companies=with_company(date="01-03-2022")),
    "row-duplicate": lambda: clean_book(companies=[company(), company()]),
    "cell-merged": lambda: clean_book(
        companies=[company(), company(KOEGE_CVR, "Køge A/S", "Næstved"), company(KOEGE_CVR)]
    ),
    "sheet-ambiguous": clean_book,
    "date-after-cutoff": lambda: clean_book(companies=with_company(date=dt.date(2022, 12, 1))),
    "name-missing": lambda: clean_book(companies=with_company(name=None)),
}


def merged_municipality(path: Path) -> None:
    """The office merged C2:C3 (two companies in Næstved)."""
    wb = openpyxl.load_workbook(path)
    wb[COMPANIES].merge_cells("C2:C3")
    wb.save(path)


def second_companies_sheet(path: Path) -> None:
    """A copy of Virksomheder whose name differs only by an invisible character."""
    wb = openpyxl.load_workbook(path)
    wb.copy_worksheet(wb[COMPANIES]).title = "Virksomheder\u200b"
    wb.save(path)


# Changes made to a case's saved workbook (what the builder cannot say).
EDITS: dict[str, Callable[[Path], None]] = {
    "cell-merged": merged_municipality,
    "sheet-ambiguous": second_companies_sheet,
}
CUTOFF = {"date-after-cutoff": dt.date(2022, 11, 15)}  # generate --as-of
# Codes about a whole file or the set of files: shown in Ret dette, nothing to mark.
FILE_LEVEL = {
    "file-unreadable",
    "file-encrypted",
    "file-too-large",
    "file-unsupported",
    "submission-duplicate",
    "submission-missing",
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def keys(findings: tuple[Finding, ...] | list[Finding]) -> list[tuple[str, str | None, str | None]]:
    return sorted((f.code, f.sheet, f.cell) for f in findings)


def config_in(folder: Path) -> Any:
    """The sample config, as if it lay in `folder` (so feedback lands under it)."""
    return dataclasses.replace(CONFIG, path=folder / "klyngerapport.toml")


def feedback_of(
    tmp_path: Path, submitted: Path, cutoff: dt.date | None = None
) -> tuple[Submission, Path]:
    """Validate `submitted` for 2022 and write its feedback; the submission and the workbook."""
    config = config_in(tmp_path)
    submission = validate_file(submitted, config, YEAR, submitted.name, cutoff=cutoff)
    files = write_feedback(Validation((submission,), (), YEAR), config, YEAR)
    assert len(files.workbooks) == 1
    return submission, files.workbooks[0]


def ret_dette_rows(path: Path) -> list[dict[str, Any]]:
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    assert ws.title == SHEET
    header = [c.value for c in ws[5]]
    return [
        dict(zip(header, (c.value for c in row), strict=True))
        for row in ws.iter_rows(min_row=6)
        if row[0].value is not None
    ]


def assert_marked(path: Path, submission: Submission) -> None:
    """Every finding is a Ret dette row (with a link to its cell) and is on its cell."""
    wb = openpyxl.load_workbook(path)
    rows = ret_dette_rows(path)
    assert [(r["Kode"], r["Celle (klik)"]) for r in rows] == [
        (f.code, feedback_text.place(f)) for f in sorted(submission.findings, key=Finding.sort_key)
    ]
    ws = wb[SHEET]
    for n, f in enumerate(sorted(submission.findings, key=Finding.sort_key)):
        link = ws.cell(6 + n, 3).hyperlink
        sheet = next(
            (s for s in wb.sheetnames[1:] if s.casefold() == (f.sheet or "").casefold()), None
        )
        if sheet is None:
            assert link is None
            continue
        assert link is not None and link.location.startswith(f"'{sheet}'!")
        if f.cell is None:
            continue
        cell = wb[sheet][link.location.split("!")[1]]
        assert cell.comment is not None and feedback_text.plain(f) in cell.comment.text
        fill = ERROR_FILL if f.severity == "error" else WARNING_FILL
        if f.severity == "warning" and any(
            g.severity == "error" and g.cell == f.cell and g.sheet == f.sheet
            for g in submission.findings
        ):
            fill = ERROR_FILL
        assert cell.fill.fgColor.rgb == fill.fgColor.rgb


def test_every_cell_finding_code_has_a_workbook_case() -> None:
    """A new finding code needs a case here, so its marks are tested too."""
    produced = {code for code in SEVERITY if code not in FILE_LEVEL}
    assert produced <= set(CASES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_finding_is_listed_marked_and_revalidates_the_same(code: str, tmp_path: Path) -> None:
    """Ret dette lists every finding; its cell is filled and commented; the original is intact."""
    submitted = CASES[code]().save(tmp_path / f"{code}.xlsx")
    if code in EDITS:
        EDITS[code](submitted)
    before = sha256(submitted)
    cutoff = CUTOFF.get(code)
    submission, workbook = feedback_of(tmp_path, submitted, cutoff)
    assert code in {f.code for f in submission.findings}
    assert_marked(workbook, submission)
    again = validate_file(workbook, config_in(tmp_path), YEAR, workbook.name, cutoff=cutoff)
    assert keys(again.findings) == keys(submission.findings)
    assert sha256(submitted) == before


@pytest.mark.parametrize(
    "name", ["fejl-cvr-og-kommune.xlsx", "fejl-formel-uden-vaerdi.xlsx", "fejl-ukendt-kontor.xlsx"]
)
def test_sample_error_files_revalidate_to_the_same_findings(name: str, tmp_path: Path) -> None:
    """samples/fejl: the feedback workbook gives the same codes and cells; the sample is intact."""
    submitted = shutil.copy(SAMPLES / "fejl" / name, tmp_path / name)
    before = sha256(Path(submitted))
    submission, workbook = feedback_of(tmp_path, Path(submitted))
    assert submission.findings
    assert_marked(workbook, submission)
    again = validate_file(workbook, config_in(tmp_path), YEAR, workbook.name)
    assert keys(again.findings) == keys(submission.findings)
    assert sha256(Path(submitted)) == before


def test_company_row_finding_names_the_company_in_ret_dette(tmp_path: Path) -> None:
    """A finding on a company row shows the company's name and the value found."""
    submitted = clean_book(
        companies=with_company(cvr=CHECKSUM_BAD_CVR, name="Fejlnummer ApS")
    ).save(tmp_path / "x.xlsx")
    _, workbook = feedback_of(tmp_path, submitted)
    (row,) = [r for r in ret_dette_rows(workbook) if r["Kode"] == "cvr-checksum"]
    assert row["Virksomhed"] == "Fejlnummer ApS"
    assert row["Fundet værdi"] == str(CHECKSUM_BAD_CVR)
    assert row["Type"] == "Fejl"
    assert row["Celle (klik)"] == "Virksomheder!A2"


def test_feedback_keeps_the_offices_data_validation_and_formats(tmp_path: Path) -> None:
    """The office's drop-downs and number formats survive in its marked sheets."""
    from openpyxl.worksheet.datavalidation import DataValidation

    path = clean_book(companies=with_company(sme="Måske")).save(tmp_path / "dv.xlsx")
    wb = openpyxl.load_workbook(path)
    dv = DataValidation(type="list", formula1='"Ja,Nej"', sqref="D2:D100")
    wb[COMPANIES].add_data_validation(dv)
    wb[COMPANIES]["F2"].number_format = "DD-MM-YYYY"
    wb.save(path)
    _, workbook = feedback_of(tmp_path, path)
    marked = openpyxl.load_workbook(workbook)[COMPANIES]
    assert [str(v.sqref) for v in marked.data_validations.dataValidation] == ["D2:D100"]
    assert marked["F2"].number_format == "DD-MM-YYYY"
    assert marked["D2"].fill.fgColor.rgb == ERROR_FILL.fgColor.rgb


def test_formula_with_a_value_keeps_its_value(tmp_path: Path) -> None:
    """A formula that has a calculated value must not come back as formula-no-value."""
    path = clean_book(companies=with_company(sme="Måske")).save(tmp_path / "f.xlsx")
    # A formula with a cached value, as Excel saves it (openpyxl itself cannot write one).
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = next(n for n in parts if n.endswith("sheet2.xml"))
    parts[sheet] = parts[sheet].replace(b"<v>10</v>", b"<f>5+5</f><v>10</v>", 1)
    with zipfile.ZipFile(path, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    submission, workbook = feedback_of(tmp_path, path)
    again = validate_file(workbook, config_in(tmp_path), YEAR, workbook.name)
    assert "formula-no-value" not in {f.code for f in again.findings}
    assert keys(again.findings) == keys(submission.findings)


@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_other_formats_are_rebuilt_from_values(
    fmt: str, tmp_path: Path, libreoffice: Callable[[Path, str], Path]
) -> None:
    """An .ods/.xls submission comes back as an .xlsx rebuilt from its values, same findings."""
    source = clean_book(
        companies=[company(cvr=CHECKSUM_BAD_CVR), company(KOEGE_CVR, "Køge A/S", "Næstvde")]
    ).save(tmp_path / "src.xlsx")
    submitted = shutil.copy(libreoffice(source, fmt), tmp_path / f"we-build-denmark-2022.{fmt}")
    before = sha256(Path(submitted))
    submission, workbook = feedback_of(tmp_path, Path(submitted))
    assert workbook.suffix == ".xlsx"
    assert {"cvr-checksum", "municipality-unknown"} <= {f.code for f in submission.findings}
    assert_marked(workbook, submission)
    again = validate_file(workbook, config_in(tmp_path), YEAR, workbook.name)
    assert keys(again.findings) == keys(submission.findings)
    assert openpyxl.load_workbook(workbook)[COMPANIES]["F2"].is_date
    assert sha256(Path(submitted)) == before


def test_names_and_folder_follow_the_config(tmp_path: Path) -> None:
    """<feedback>/<office>-<YEAR>-rettelser.xlsx and -besked.txt, relative to the config."""
    submitted = clean_book(companies=with_company(sme="Måske")).save(tmp_path / "indsendt.xlsx")
    config = config_in(tmp_path)
    submission = validate_file(submitted, config, YEAR, submitted.name)
    files = write_feedback(Validation((submission,), (), YEAR), config, YEAR)
    folder = tmp_path / "tilbagemelding" / "2022"
    assert files.workbooks == (folder / "we-build-denmark-2022-rettelser.xlsx",)
    assert files.texts == (folder / "we-build-denmark-2022-besked.txt",)
    assert sorted(p.name for p in folder.iterdir()) == [
        "we-build-denmark-2022-besked.txt",
        "we-build-denmark-2022-rettelser.xlsx",
    ]


def test_clean_submission_gets_none_and_stale_feedback_is_removed(tmp_path: Path) -> None:
    """Once the office's file is clean, the tool's old files go; other files stay."""
    config = config_in(tmp_path)
    folder = tmp_path / "tilbagemelding" / "2022"
    bad = clean_book(companies=with_company(sme="Måske")).save(tmp_path / "a.xlsx")
    write_feedback(
        Validation((validate_file(bad, config, YEAR, "a.xlsx"),), (), YEAR), config, YEAR
    )
    (folder / "noter.txt").write_text("secretariat's own notes")
    good = clean_book().save(tmp_path / "a.xlsx")
    files = write_feedback(
        Validation((validate_file(good, config, YEAR, "a.xlsx"),), (), YEAR), config, YEAR
    )
    assert files.workbooks == ()
    assert sorted(p.name for p in files.removed) == [
        "we-build-denmark-2022-besked.txt",
        "we-build-denmark-2022-rettelser.xlsx",
    ]
    assert sorted(p.name for p in folder.iterdir()) == ["noter.txt"]


def test_feedback_workbook_sent_back_gets_fresh_marks(tmp_path: Path) -> None:
    """An office that corrects the feedback workbook itself: old Ret dette and marks are gone."""
    config = config_in(tmp_path)
    bad = clean_book(companies=with_company(sme="Måske", municipality="Næstvde")).save(
        tmp_path / "a.xlsx"
    )
    _, first = feedback_of(tmp_path, bad)
    returned = tmp_path / "ind" / "we-build-denmark-2022-rettelser.xlsx"
    returned.parent.mkdir()
    wb = openpyxl.load_workbook(first)
    wb[COMPANIES]["C2"] = "Næstved"  # the municipality is fixed, SMV is not
    wb.save(returned)
    submission = validate_file(returned, config, YEAR, returned.name)
    assert [f.code for f in submission.findings] == ["sme-invalid"]
    files = write_feedback(Validation((submission,), (), YEAR), config, YEAR)
    wb = openpyxl.load_workbook(files.workbooks[0])
    assert wb.sheetnames.count(SHEET) == 1
    assert len(ret_dette_rows(files.workbooks[0])) == 1
    assert wb[COMPANIES]["C2"].comment is None
    assert wb[COMPANIES]["C2"].fill.fgColor.rgb not in {
        ERROR_FILL.fgColor.rgb,
        WARNING_FILL.fgColor.rgb,
    }
    assert wb[COMPANIES]["D2"].comment is not None


def test_unreadable_file_gets_ret_dette_only(tmp_path: Path) -> None:
    """A file that cannot be read still gets its corrections: the Ret dette sheet alone."""
    broken = tmp_path / "we-build-denmark-2022.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    submission, workbook = feedback_of(tmp_path, broken)
    assert submission.findings[0].code.startswith("file-")
    wb = openpyxl.load_workbook(workbook)
    assert wb.sheetnames == [SHEET]
    assert ret_dette_rows(workbook)[0]["Celle (klik)"] == "Hele filen"


def test_feedback_in_the_submission_folder_is_refused(tmp_path: Path) -> None:
    """Feedback there would be read as submissions next time: a config error, nothing written."""
    config = dataclasses.replace(config_in(tmp_path), feedback="indberetninger/{year}")
    bad = clean_book(companies=with_company(sme="Måske")).save(tmp_path / "a.xlsx")
    validation = Validation((validate_file(bad, config, YEAR, "a.xlsx"),), (), YEAR)
    with pytest.raises(OutputError, match="indberetningsmappen"):
        write_feedback(validation, config, YEAR)
    assert not (tmp_path / "indberetninger").exists()


# --- the e-mail text -----------------------------------------------------------------------------

CONTACT = SubmissionContact("31-01", "KKR Sjælland-sekretariatet", "klynger@example.dk", "Ida, 12")


def finding(code: str, severity: str = "error") -> Finding:
    return Finding(
        code, severity, "f.xlsx", f"Virksomheder!A2: besked om {code}.", "Virksomheder", "A2"
    )  # type: ignore[arg-type]


def test_message_counts_names_top_three_fixes_deadline_and_contact() -> None:
    """besked.txt: greeting, file received, counts, the three most frequent fixes, deadline."""
    findings = [finding("cvr-checksum")] * 3 + [finding("sme-invalid")] * 2
    findings += [finding("name-missing", "warning")] * 5 + [finding("date-invalid")]
    recipient = feedback_text.Recipient(
        "We Build Denmark",
        "Test Testesen",
        "wbd.xlsx",
        2022,
        "we-build-denmark-2022-rettelser.xlsx",
    )
    text = feedback_text.message(recipient, findings, CONTACT, "KKR Sjælland")
    assert text.startswith("Emne: Jeres indberetning for 2022 – rettelser\n\nKære Test Testesen\n")
    assert "filen wbd.xlsx fra We Build Denmark" in text
    assert "6 fejl og 5 advarsler" in text
    fixes = [line for line in text.splitlines() if line.startswith("- ")]
    assert fixes == [
        "- Tjek CVR-numrene på virk.dk (kontrolcifferet passer ikke) (3 steder)",
        '- Skriv "Ja" eller "Nej" i kolonnen SMV (2 steder)',
        "- Skriv datoerne som dd-mm-åååå (1 sted)",
    ]
    assert "Send den rettede fil til klynger@example.dk senest 31-01-2023." in text
    assert "Spørgsmål: Ida, 12." in text
    assert text.rstrip().endswith("Venlig hilsen\nKKR Sjælland-sekretariatet")


def test_every_finding_code_has_a_short_fix() -> None:
    assert set(SEVERITY) <= set(feedback_text.FIXES)


def test_message_without_submission_contact_leaves_out_the_send_line() -> None:
    recipient = feedback_text.Recipient(None, "", "x.xlsx", None, "x-rettelser.xlsx")
    text = feedback_text.message(recipient, [finding("cvr-checksum")], SubmissionContact(), "KKR")
    assert "Kære klyngekontor" in text and "Send den rettede fil" not in text


# --- the command line ----------------------------------------------------------------------------


def test_validate_feedback_cli_lists_every_finding_and_the_workbooks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All findings (no '… og N mere'), company names, a verdict per file, the feedback paths."""
    from typer.testing import CliRunner

    from klyngerapport.cli import app

    work = tmp_path / "work"
    shutil.copytree(SAMPLES, work, ignore=shutil.ignore_patterns("rapporter", "tilbagemelding"))
    many = clean_book(
        companies=[company(cvr=CHECKSUM_BAD_CVR, name=f"Firma {i}") for i in range(6)]
    )
    many.save(work / "fejl" / "mange.xlsx")
    monkeypatch.chdir(work)
    monkeypatch.setenv("COLUMNS", "80")
    result = CliRunner().invoke(app, ["validate", "fejl", "--year", "2022", "--feedback"])
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "mere af samme slags" not in out
    for i in range(6):
        assert f"Virksomheder!A{i + 2} (Firma {i}): CVR-nummeret" in out
    assert "✗ mange.xlsx (we-build-denmark 2022)" in out
    assert "Rettelser: tilbagemelding/2022/foedevarer-2022-rettelser.xlsx" in out
    assert (work / "tilbagemelding" / "2022" / "foedevarer-2022-besked.txt").is_file()
    assert out.index("fejl/fejl-cvr-og-kommune.xlsx\n") < out.index("Indikatorer!E7")

    result = CliRunner().invoke(app, ["validate", "fejl", "--year", "2022", "--feedback", "--json"])
    import json

    document = json.loads(result.stdout)
    assert list(document) == ["valid", "errors", "warnings", "files", "feedback"]
    assert "tilbagemelding/2022/foedevarer-2022-rettelser.xlsx" in document["feedback"]


def test_missing_submission_says_where_a_lookalike_lies(tmp_path: Path) -> None:
    """A file one folder up, or named for another year, is pointed to in submission-missing."""
    root = tmp_path / "indberetninger"
    folder = root / "2022"
    folder.mkdir(parents=True)
    clean_book(
        office="bio-solutions", indicators=contract_rows(CONFIG, "bio-solutions", YEAR)
    ).save(root / "bio-solutions-2022.xlsx")
    clean_book(
        office="foedevarer", year=2023, indicators=contract_rows(CONFIG, "foedevarer", 2023)
    ).save(folder / "foedevarer-2023.xlsx")
    result = validate_paths([folder], CONFIG, YEAR, whole_year=True)
    missing = {f.value: f.message for f in result.findings}
    assert "bio-solutions-2022.xlsx" in missing["bio-solutions"]
    assert "indberetninger" in missing["bio-solutions"]
    assert "foedevarer-2023.xlsx" in missing["foedevarer"]
    assert "ligner" not in missing["miljoeteknologi"]


# --- config ---------------------------------------------------------------------------------------


def test_submission_deadline_must_be_day_and_month(tmp_path: Path) -> None:
    """[submission] deadline "31-13" is a config error naming the key; "31-01" is next year's."""
    from klyngerapport.config import parse_file
    from klyngerapport.errors import ConfigError

    text = SAMPLE_CONFIG.read_text("utf-8")
    assert CONFIG.submission.deadline_for(2022) == dt.date(2023, 1, 31)
    assert CONFIG.feedback_dir(2022) == SAMPLES / "tilbagemelding" / "2022"
    bad = tmp_path / "klyngerapport.toml"
    bad.write_text(text.replace('deadline = "31-01"', 'deadline = "31-13"'), "utf-8")
    with pytest.raises(ConfigError, match=r"submission\.deadline"):
        parse_file(bad)
