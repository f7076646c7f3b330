"""The secretariat's yearly workflow through the command line, on a copy of samples/.

template -> the office fills it in -> validate -> generate, with the exit codes, JSON documents
and files each step promises (PRODUCT.md §2, §6, §7). Every test works in its own copy of the
sample working folder, so the committed samples are never touched.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner, Result

from klyngerapport.cli import app

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
YEAR = 2022
OFFICES = ("we-build-denmark", "bio-solutions", "foedevarer", "miljoeteknologi")
REPORT = Path("rapporter") / f"klyngerapport-{YEAR}.xlsx"
SUBMISSIONS = Path("indberetninger") / str(YEAR)
# Everything `generate` writes into the reports folder: the XLSX and the agenda package.
WRITTEN = sorted(
    [
        REPORT.name,
        f"orientering-{YEAR}.pdf",
        f"sagsfremstilling-{YEAR}.docx",
        f"kommuner-{YEAR}.pdf",
    ]
)
# Valid CVR numbers (modulus 11 passes) of two of the sample companies.
CVR_A, CVR_B = 85348647, 71482340

Invoke = Callable[..., Result]


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the sample working folder, and the current folder while the test runs.

    Generated folders (reports, templates) are left out: each test starts from the inputs.
    """
    folder = tmp_path / "samples"
    shutil.copytree(SAMPLES, folder, ignore=shutil.ignore_patterns("rapporter", "skabeloner"))
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def invoke() -> Invoke:
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(app, list(args), env={"NO_COLOR": "1", "COLUMNS": "200"})

    return run


def digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every input file of the working folder (config and submissions)."""
    files = [
        folder / "klyngerapport.toml",
        *(folder / "indberetninger").rglob("*"),
        *(folder / "fejl").rglob("*"),
    ]
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in files
        if p.is_file()
    }


def one_json(result: Result) -> Any:
    """The one JSON document on stdout (json.loads refuses anything before or after it)."""
    return json.loads(result.stdout)


def codes_at(document: dict[str, Any]) -> set[tuple[str, str, str | None, str | None]]:
    """(file name, code, sheet, cell) of every finding of a `validate --json` document."""
    return {
        (Path(f["path"]).name if f["path"] else "", x["code"], x["sheet"], x["cell"])
        for f in document["files"]
        for x in f["findings"]
    }


def set_cells(path: Path, sheet: str, cells: dict[str, Any]) -> None:
    wb = openpyxl.load_workbook(path)
    for ref, value in cells.items():
        wb[sheet][ref] = value
    wb.save(path)


def row_of(ws: Any, ident: str) -> int:
    return int(next(c.row for c in ws["A"] if c.value == ident))


# --- template ---------------------------------------------------------------------------------


def test_template_writes_one_workbook_per_active_office(work: Path, invoke: Invoke) -> None:
    """`template 2022` writes <office>-2022.xlsx for each of the four offices active in 2022."""
    result = invoke("template", str(YEAR))
    assert result.exit_code == 0, result.output
    folder = work / "skabeloner" / str(YEAR)
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{o}-{YEAR}.xlsx" for o in OFFICES)
    wb = openpyxl.load_workbook(folder / f"foedevarer-{YEAR}.xlsx")
    assert {"Indberetning", "Indikatorer", "Virksomheder"} <= set(wb.sheetnames)


def test_template_refuses_to_overwrite_without_force(work: Path, invoke: Invoke) -> None:
    """A second `template 2022` exits 2, names the file relative to the folder, and keeps it."""
    assert invoke("template", str(YEAR)).exit_code == 0
    filled = work / "skabeloner" / str(YEAR) / f"foedevarer-{YEAR}.xlsx"
    filled.write_bytes(b"udfyldt af kontoret")
    result = invoke("template", str(YEAR))
    assert result.exit_code == 2
    assert "findes allerede" in result.stderr and "--force" in result.stderr
    assert f"skabeloner/{YEAR}/foedevarer-{YEAR}.xlsx" in result.stderr
    assert str(work) not in result.stderr
    assert filled.read_bytes() == b"udfyldt af kontoret"


def test_template_force_overwrites(work: Path, invoke: Invoke) -> None:
    """`template 2022 --force` replaces an existing file with a fresh template."""
    assert invoke("template", str(YEAR)).exit_code == 0
    path = work / "skabeloner" / str(YEAR) / f"foedevarer-{YEAR}.xlsx"
    path.write_bytes(b"gammel")
    result = invoke("template", str(YEAR), "--force")
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(path)["Indberetning"]["B5"].value == "foedevarer"


def test_template_office_typo_suggests_the_nearest_id(work: Path, invoke: Invoke) -> None:
    """`--office we-build-denmak` exits 2, suggests "we-build-denmark" and writes nothing."""
    result = invoke("template", str(YEAR), "--office", "we-build-denmak")
    assert result.exit_code == 2
    assert 'Mente du "we-build-denmark"?' in result.stderr
    assert not (work / "skabeloner" / str(YEAR)).exists() or not any(
        (work / "skabeloner" / str(YEAR)).iterdir()
    )


def test_filled_in_template_validates(work: Path, invoke: Invoke) -> None:
    """A template filled in as an office would (results, companies) is approved: exit 0."""
    assert invoke("template", str(YEAR), "--office", "foedevarer").exit_code == 0
    path = work / "skabeloner" / str(YEAR) / f"foedevarer-{YEAR}.xlsx"
    wb = openpyxl.load_workbook(path)
    info = wb["Indberetning"]
    info["B7"], info["B8"], info["B9"] = "Louise Brandt", "lb@example.dk", dt.datetime(2023, 1, 20)
    indicators = wb["Indikatorer"]
    indicators.cell(row_of(indicators, "ARR"), 5, 7)
    indicators.cell(row_of(indicators, "INT"), 5, 2)
    # Food & Bio Cluster Denmark also has a national contract with UFS in the samples.
    national = wb["Nationale mål"]
    for ident, value in (("VIRK", 1240), ("SMV", 880), ("PROJ", 52)):
        national.cell(row_of(national, ident), 5, value)
    companies = wb["Virksomheder"]
    rows = [
        (
            CVR_A,
            "Højby Æblemosteri ApS",
            "Odsherred",
            "Ja",
            "Internationalisering",
            dt.datetime(2022, 3, 1),
        ),
        (
            CVR_B,
            "Næstved Økologi A/S",
            "Næstved",
            "Nej",
            "Netværk og arrangementer",
            dt.datetime(2022, 9, 14),
        ),
    ]
    for r, values in enumerate(rows, start=3):  # row 1 says what goes in, row 2 is the header
        for c, value in enumerate(values, start=1):
            companies.cell(r, c, value)
    wb.save(path)

    result = invoke("validate", str(path), "--year", str(YEAR), "--json")
    assert result.exit_code == 0, result.output
    document = one_json(result)
    assert document["errors"] == 0 and document["warnings"] == 0
    assert document["files"][0]["office"] == "foedevarer"


# --- validate ---------------------------------------------------------------------------------


def test_validate_year_of_samples_passes_with_warnings(work: Path, invoke: Invoke) -> None:
    """`validate --year 2022 --json` on the samples: exit 0, warnings, exactly the §6 shape."""
    result = invoke("validate", "--year", str(YEAR), "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    document = one_json(result)
    assert list(document) == ["valid", "errors", "warnings", "files"]
    assert document["valid"] is True and document["errors"] == 0 and document["warnings"] > 0
    assert sorted(f["office"] for f in document["files"]) == sorted(OFFICES)
    for file in document["files"]:
        assert list(file) == ["path", "office", "year", "valid", "findings"]
        assert file["year"] == YEAR and file["valid"] is True
        for found in file["findings"]:
            assert list(found) == ["code", "severity", "sheet", "cell", "value", "message"]
            assert found["severity"] == "warning"
    assert ("we-build-denmark-2022.xlsx", "number-as-text", "Indikatorer", "E8") in codes_at(
        document
    )


def test_validate_flawed_files_reports_codes_at_cells(work: Path, invoke: Invoke) -> None:
    """`validate fejl` exits 1 with each sample flaw's code at its cell; the .ods passes."""
    result = invoke("validate", "fejl", "--year", str(YEAR), "--json")
    assert result.exit_code == 1
    document = one_json(result)
    found = codes_at(document)
    assert {
        ("fejl-cvr-og-kommune.xlsx", "cvr-checksum", "Virksomheder", "A6"),
        ("fejl-cvr-og-kommune.xlsx", "municipality-unknown", "Virksomheder", "C10"),
        ("fejl-cvr-og-kommune.xlsx", "date-outside-year", "Virksomheder", "F13"),
        ("fejl-cvr-og-kommune.xlsx", "result-not-number", "Indikatorer", "E7"),
        ("fejl-formel-uden-vaerdi.xlsx", "formula-no-value", "Indikatorer", "E7"),
        ("fejl-ukendt-kontor.xlsx", "office-unknown", "Indberetning", "B4"),
        ("noter.csv", "file-unsupported", None, None),
    } <= found
    valid = {Path(f["path"]).name: f["valid"] for f in document["files"]}
    assert valid["miljoeteknologi-2022.ods"] is True
    assert valid["fejl-cvr-og-kommune.xlsx"] is False


def test_validate_human_output_names_the_cell(work: Path, invoke: Invoke) -> None:
    """Without --json, a finding is shown with sheet!cell, the company and how to fix it."""
    result = invoke("validate", "fejl/fejl-cvr-og-kommune.xlsx", "--year", str(YEAR))
    assert result.exit_code == 1
    assert (
        'Virksomheder!C10 (Asnæs Kornmølle ApS): "Næstvde" er ikke en kendt kommune. Mente du '
        '"Næstved"?' in result.stdout
    )
    assert "Traceback" not in result.output


def test_validate_without_paths_or_year_exits_2(work: Path, invoke: Invoke) -> None:
    """`validate` with neither a path nor --year is a usage error: exit 2, a hint, no stdout."""
    result = invoke("validate", "--json")
    assert result.exit_code == 2
    assert "--year" in result.stderr
    assert result.stdout == ""


def test_validate_nonexistent_path_exits_2(work: Path, invoke: Invoke) -> None:
    """A path that does not exist stops the run with exit 2 and names the path."""
    result = invoke("validate", "findes-ikke.xlsx", "--year", str(YEAR))
    assert result.exit_code == 2
    assert "findes-ikke.xlsx findes ikke" in result.stderr


def test_validate_year_mismatch_is_one_error_not_one_per_date(work: Path, invoke: Invoke) -> None:
    """A file stating 2021 checked for 2022 gets year-mismatch, not date-outside-year per row."""
    path = work / SUBMISSIONS / f"foedevarer-{YEAR}.xlsx"
    set_cells(path, "Indberetning", {"B5": 2021})
    result = invoke("validate", str(path), "--year", str(YEAR), "--json")
    assert result.exit_code == 1
    codes = [code for _, code, _, _ in codes_at(one_json(result))]
    assert "year-mismatch" in codes
    assert "date-outside-year" not in codes


def test_validate_warns_when_a_derived_number_differs(work: Path, invoke: Invoke) -> None:
    """A number typed for a derived indicator (VIRK) that is not the count: derived-differs."""
    path = work / SUBMISSIONS / f"foedevarer-{YEAR}.xlsx"
    set_cells(path, "Indikatorer", {"E2": 50})
    result = invoke("validate", str(path), "--year", str(YEAR), "--json")
    assert result.exit_code == 0, result.output
    found = [
        x
        for f in one_json(result)["files"]
        for x in f["findings"]
        if x["code"] == "derived-differs"
    ]
    assert [(x["sheet"], x["cell"], x["value"]) for x in found] == [("Indikatorer", "E2", "50")]
    assert "84" in found[0]["message"]


def test_validate_rows_of_uncalculated_formulas_are_not_an_empty_sheet(
    work: Path, invoke: Invoke
) -> None:
    """Company rows that hold only never-calculated formulas are formula-no-value errors."""
    path = work / SUBMISSIONS / f"foedevarer-{YEAR}.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["Virksomheder"]
    ws.delete_rows(2, ws.max_row)
    for col in "ABCDEF":
        ws[f"{col}2"] = f"=Lister!{col}1"  # openpyxl stores no calculated value
    wb.save(path)
    result = invoke("validate", str(path), "--year", str(YEAR), "--json")
    assert result.exit_code == 1
    found = codes_at(one_json(result))
    assert {(path.name, "formula-no-value", "Virksomheder", f"{c}2") for c in "ABCDEF"} <= found


def test_validate_cvr_text_variants_are_read(work: Path, invoke: Invoke) -> None:
    """CVR typed as "DK 85 34 86 47", as a number, or as text "71482340.0" is a CVR number."""
    path = work / SUBMISSIONS / f"foedevarer-{YEAR}.xlsx"
    set_cells(path, "Virksomheder", {"A2": "DK 85 34 86 47", "A3": "71482340.0"})
    result = invoke("validate", str(path), "--year", str(YEAR), "--json")
    assert result.exit_code == 0, result.output
    codes = {code for _, code, _, _ in codes_at(one_json(result))}
    assert not codes & {"cvr-invalid", "cvr-checksum"}


# --- generate ---------------------------------------------------------------------------------


def test_generate_writes_the_report_and_one_json_document(work: Path, invoke: Invoke) -> None:
    """`generate 2022 --json`: exit 0, the report at rapporter/, and exactly the §7 shape."""
    (work / REPORT).unlink(missing_ok=True)
    result = invoke("generate", str(YEAR), "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    document = one_json(result)
    assert list(document) == [
        "year",
        "as_of",
        "outputs",
        "report",
        "population_reference",
        "offices",
        "errors",
        "warnings",
        "feedback",
    ]
    assert document["year"] == YEAR and document["errors"] == 0
    assert document["as_of"] is None
    assert Path(document["report"]) == REPORT == Path(document["outputs"]["xlsx"])
    assert [o["id"] for o in document["offices"]] == list(OFFICES)
    for office in document["offices"]:
        assert list(office) == [
            "id",
            "cluster",
            "status",
            "indicators",
            "national_indicators",
            "companies",
            "smes",
            "municipalities_reached",
            "municipalities_not_reached",
            "kr_per_company",
            "history",
            "period",
        ]
        assert office["status"] == "accepted"
        for indicator in office["indicators"]:
            assert list(indicator) == ["id", "target", "result", "attainment", "status"]
    wb = openpyxl.load_workbook(work / REPORT)
    assert wb.sheetnames[0] == "Resumé" and "Valideringsnoter" in wb.sheetnames


def test_generate_with_a_missing_submission_still_writes_the_report(
    work: Path, invoke: Invoke
) -> None:
    """One office without a file: exit 1, shown as missing, the report is still written."""
    (work / SUBMISSIONS / f"bio-solutions-{YEAR}.xlsx").unlink()
    (work / REPORT).unlink(missing_ok=True)
    result = invoke("generate", str(YEAR), "--json")
    assert result.exit_code == 1
    offices = {o["id"]: o for o in one_json(result)["offices"]}
    assert offices["bio-solutions"]["status"] == "missing"
    assert {i["status"] for i in offices["bio-solutions"]["indicators"]} == {"not-reported"}
    assert offices["we-build-denmark"]["status"] == "accepted"
    assert (work / REPORT).is_file()


def test_generate_with_a_submission_with_errors(work: Path, invoke: Invoke) -> None:
    """One office missing and one whose file has errors: exit 1, both shown, report written."""
    (work / SUBMISSIONS / f"bio-solutions-{YEAR}.xlsx").unlink()
    (work / REPORT).unlink(missing_ok=True)
    set_cells(work / SUBMISSIONS / f"foedevarer-{YEAR}.xlsx", "Indikatorer", {"E6": "ca. 7"})
    result = invoke("generate", str(YEAR), "--json")
    assert result.exit_code == 1
    document = one_json(result)
    statuses = {o["id"]: o["status"] for o in document["offices"]}
    assert statuses["bio-solutions"] == "missing" and statuses["foedevarer"] == "errors"
    assert document["errors"] == 2  # result-not-number and submission-missing
    assert (work / REPORT).is_file()


def test_generate_with_a_truncated_submission(work: Path, invoke: Invoke) -> None:
    """A truncated file: exit 1, a file-unreadable finding in the terminal, no traceback.

    Nothing can be read from it, so its office counts as without a submission.
    """
    broken = work / SUBMISSIONS / f"foedevarer-{YEAR}.xlsx"
    broken.write_bytes(broken.read_bytes()[:2000])
    result = invoke("generate", str(YEAR))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "file-unreadable" in result.stdout and "beskadiget" in result.stdout
    assert (work / REPORT).is_file()


def test_generate_replaces_the_existing_report(work: Path, invoke: Invoke) -> None:
    """Its own report of the year is replaced, and no temporary file is left beside it."""
    assert invoke("generate", str(YEAR)).exit_code == 0
    before = (work / REPORT).read_bytes()
    (work / SUBMISSIONS / f"foedevarer-{YEAR}.xlsx").unlink()
    result = invoke("generate", str(YEAR))
    assert result.exit_code == 1, result.output
    assert (work / REPORT).read_bytes() != before
    assert openpyxl.load_workbook(work / REPORT).sheetnames[0] == "Resumé"
    assert sorted(p.name for p in (work / "rapporter").iterdir()) == WRITTEN


def test_generate_output_never_replaces_a_file_it_did_not_write(work: Path, invoke: Invoke) -> None:
    """A file at the report's place that the tool did not write stays: exit 2, Danish reason."""
    (work / REPORT).parent.mkdir(exist_ok=True)
    (work / REPORT).write_bytes(b"gammel rapport")
    result = invoke("generate", str(YEAR))
    assert result.exit_code == 2
    assert "ikke skrevet af klyngerapport" in result.stderr
    assert (work / REPORT).read_bytes() == b"gammel rapport"


def test_generate_output_at_another_years_submission_is_refused(work: Path, invoke: Invoke) -> None:
    """`generate 2022 --output indberetninger/2023/bio-solutions-2023.xlsx` (issue #9): the
    submission of another year stays byte for byte, exit 2."""
    before = digests(work)
    target = "indberetninger/2023/bio-solutions-2023.xlsx"
    result = invoke("generate", str(YEAR), "--output", target)
    assert result.exit_code == 2
    assert "indberetningsmappe" in result.stderr
    assert digests(work) == before
    assert not (work / "indberetninger" / "2099").exists()
    assert invoke("generate", str(YEAR), "--output", "indberetninger/2099/r.xlsx").exit_code == 2
    assert not (work / "indberetninger" / "2099").exists()


def test_generate_output_at_a_copied_submission_or_other_spreadsheet_is_refused(
    work: Path, invoke: Invoke
) -> None:
    """Outside the submission folders too: a spreadsheet that is not a report is never replaced,
    whatever its name."""
    copy = work / "rapporter" / f"klyngerapport-{YEAR}.xlsx"
    copy.parent.mkdir()
    submission = work / "indberetninger" / "2023" / "bio-solutions-2023.xlsx"
    copy.write_bytes(submission.read_bytes())
    result = invoke("generate", str(YEAR))
    assert result.exit_code == 2
    assert "ikke skrevet af klyngerapport" in result.stderr
    assert copy.read_bytes() == submission.read_bytes()


def test_generate_output_at_another_years_report_is_refused(work: Path, invoke: Invoke) -> None:
    """Its own outputs are replaced only for the same year."""
    assert invoke("generate", "2021", "--output", "rapporter/r.xlsx").exit_code in (0, 1)
    before = (work / "rapporter" / "r.xlsx").read_bytes()
    result = invoke("generate", str(YEAR), "--output", "rapporter/r.xlsx")
    assert result.exit_code == 2
    assert "fil for 2021, ikke for 2022" in result.stderr
    assert (work / "rapporter" / "r.xlsx").read_bytes() == before


def test_generate_a_year_without_active_offices_exits_2(work: Path, invoke: Invoke) -> None:
    """`generate 2019`: no office is active, so exit 2 with a clear message and no report."""
    result = invoke("generate", "2019", "--json")
    assert result.exit_code == 2
    assert "Intet klyngekontor er aktivt i 2019" in result.stderr
    assert result.stdout == ""
    assert not (work / "rapporter" / "klyngerapport-2019.xlsx").exists()


def test_validate_and_generate_never_modify_inputs(work: Path, invoke: Invoke) -> None:
    """Submissions, flawed files and the config are byte for byte the same afterwards."""
    before = digests(work)
    assert invoke("validate", "--year", str(YEAR)).exit_code == 0
    assert invoke("validate", "fejl", "--year", str(YEAR), "--json").exit_code == 1
    assert invoke("generate", str(YEAR)).exit_code == 0
    assert invoke("generate", str(YEAR), "--json").exit_code == 0
    assert digests(work) == before


@pytest.mark.parametrize(
    "output", [f"{SUBMISSIONS}/we-build-denmark-{YEAR}.xlsx", f"{SUBMISSIONS}/rapport.xlsx"]
)
def test_generate_refuses_a_report_among_the_submissions(
    work: Path, invoke: Invoke, output: str
) -> None:
    """--output into the submission folder exits 2 and replaces no submitted file."""
    before = digests(work)
    result = invoke("generate", str(YEAR), "--output", output)
    assert result.exit_code == 2
    assert "indberetningsmappen" in result.stderr
    assert digests(work) == before
    assert not (work / SUBMISSIONS / "rapport.xlsx").exists()


def test_generate_refuses_a_report_without_xlsx_suffix(work: Path, invoke: Invoke) -> None:
    """--output rapport.pdf would be an XLSX file under a false name: exit 2, nothing written."""
    result = invoke("generate", str(YEAR), "--output", "rapport.pdf")
    assert result.exit_code == 2
    assert ".xlsx" in result.stderr
    assert not (work / "rapport.pdf").exists()


def test_generate_output_into_a_new_folder(work: Path, invoke: Invoke) -> None:
    """--output into a folder that does not exist yet creates it and writes the report."""
    result = invoke("generate", str(YEAR), "--output", "ny/mappe/rapport.xlsx")
    assert result.exit_code == 0, result.output
    assert (work / "ny" / "mappe" / "rapport.xlsx").is_file()


def test_generate_output_below_a_file_is_a_danish_error(work: Path, invoke: Invoke) -> None:
    """--output below a path that is a file: exit 2 with a Danish reason, no traceback."""
    (work / "enfil").write_text("x", encoding="utf-8")
    result = invoke("generate", str(YEAR), "--output", "enfil/rapport.xlsx")
    assert result.exit_code == 2
    assert "en del af stien er en fil" in result.stderr
    assert "Traceback" not in result.output


def test_generate_unwritable_folder_leaves_the_old_report(
    work: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the report cannot be put in place: exit 2, old report intact, no temporary file."""
    assert invoke("generate", str(YEAR)).exit_code == 0
    old = (work / REPORT).read_bytes()

    def denied(*_: object) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(os, "replace", denied)
    result = invoke("generate", str(YEAR))
    assert result.exit_code == 2
    assert "ingen adgang" in result.stderr
    assert (work / REPORT).read_bytes() == old
    assert sorted(p.name for p in (work / "rapporter").iterdir()) == WRITTEN
