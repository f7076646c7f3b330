"""`export YEAR [--from YEAR]`: one CSV row per company engagement (PRODUCT.md §10)."""

from __future__ import annotations

import csv
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner, Result

from klyngerapport.cli import app

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
HEADER = [
    "År",
    "Klyngekontor",
    "Klynge",
    "CVR",
    "Kommunekode",
    "Kommune",
    "SMV",
    "Aktivitet",
    "Dato",
]
EXPORT = Path("rapporter") / "engagementer-2021-2023.csv"

Invoke = Callable[..., Result]


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
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


def read_export(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def engagement_rows(path: Path) -> list[tuple[str, str]]:
    """(CVR, activity) of every company row in a sample workbook, read with openpyxl."""
    ws = openpyxl.load_workbook(path, read_only=True, data_only=True)["Virksomheder"]
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if "CVR-nummer" in r)
    cvr, activity = rows[header].index("CVR-nummer"), rows[header].index("Aktivitet")
    return [
        (str(r[cvr]).strip(), str(r[activity]))
        for r in rows[header + 1 :]
        if r[cvr] not in (None, "")
    ]


def test_export_writes_one_row_per_engagement_with_bom_and_danish_letters(
    work: Path, invoke: Invoke
) -> None:
    """Every company row of 2021-2023 is one CSV row; the file starts with the BOM; æøå survive."""
    result = invoke("export", "2023", "--from", "2021")
    assert result.exit_code == 0, result.output
    path = work / EXPORT
    assert path.read_bytes().startswith(b"\xef\xbb\xbf" + ";".join(HEADER).encode())
    rows = read_export(path)
    assert rows[0] == HEADER
    expected = [
        (year, pair)
        for year in ("2021", "2022", "2023")
        for f in sorted((work / "indberetninger" / year).glob("*.xlsx"))
        for pair in engagement_rows(f)
    ]
    assert sorted((r[0], (r[3], r[7])) for r in rows[1:]) == sorted(expected)
    assert {r[6] for r in rows[1:]} == {"Ja", "Nej"}
    assert any(r[5] == "Næstved" for r in rows[1:])
    assert any(r[7] == "Grøn omstilling" for r in rows[1:])
    assert all(len(r[3]) == 8 and r[3].isdigit() for r in rows[1:])
    assert all(len(r[8]) == 10 and r[8][2] == "-" and r[8][5] == "-" for r in rows[1:])
    assert f"({len(expected):,} engagementer)".replace(",", ".") in result.stdout


def test_export_from_defaults_to_the_start_of_the_contract_period(
    work: Path, invoke: Invoke
) -> None:
    """Without --from the export starts at the first year any office was active (2021)."""
    result = invoke("export", "2023")
    assert result.exit_code == 0, result.output
    years = {r[0] for r in read_export(work / EXPORT)[1:]}
    assert years == {"2021", "2022", "2023"}


def test_export_leaves_out_a_submission_with_errors_and_names_it(
    work: Path, invoke: Invoke
) -> None:
    """A file with errors is named on stderr, its rows are not exported, and the exit code is 1."""
    path = work / "indberetninger" / "2022" / "foedevarer-2022.xlsx"
    wb = openpyxl.load_workbook(path)
    wb["Indikatorer"]["E6"] = "ca. 7"
    wb.save(path)
    result = invoke("export", "2022", "--from", "2022")
    assert result.exit_code == 1
    assert "Food & Bio Cluster Denmark" in result.stderr and "foedevarer-2022.xlsx" in result.stderr
    rows = read_export(work / "rapporter" / "engagementer-2022-2022.csv")
    offices = {r[1] for r in rows[1:]}
    assert "foedevarer" not in offices
    assert offices == {"we-build-denmark", "bio-solutions", "miljoeteknologi"}


def test_export_names_a_missing_submission(work: Path, invoke: Invoke) -> None:
    (work / "indberetninger" / "2022" / "bio-solutions-2022.xlsx").unlink()
    result = invoke("export", "2022", "--from", "2022")
    assert result.exit_code == 1
    assert "Danish Life Science Cluster: ingen indberetning" in result.stderr


def test_export_never_overwrites_a_file_it_did_not_write(work: Path, invoke: Invoke) -> None:
    """An existing CSV of someone else is refused (exit 2) and left as it was."""
    other = work / "mine.csv"
    other.write_text("navn;tal\nA;1\n", encoding="utf-8")
    result = invoke("export", "2023", "--output", "mine.csv")
    assert result.exit_code == 2
    assert "overskrives ikke" in result.stderr
    assert other.read_text(encoding="utf-8") == "navn;tal\nA;1\n"


def test_export_replaces_its_own_earlier_export(work: Path, invoke: Invoke) -> None:
    assert invoke("export", "2023", "--from", "2023", "--output", "ud.csv").exit_code == 0
    first = (work / "ud.csv").read_bytes()
    (work / "indberetninger" / "2023" / "bio-solutions-2023.xlsx").unlink()
    assert invoke("export", "2023", "--from", "2023", "--output", "ud.csv").exit_code == 1
    second = (work / "ud.csv").read_bytes()
    assert len(second) < len(first)
    assert list(work.glob(".ud.csv.*")) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--output", "ud.xlsx"), "endelsen .csv"),
        (("--output", "indberetninger/2023/ud.csv"), "indberetningsmappen"),
        (("--from", "2024"), "ligger efter"),
    ],
)
def test_export_refuses_bad_arguments(
    work: Path, invoke: Invoke, args: tuple[str, ...], message: str
) -> None:
    result = invoke("export", "2023", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (work / "indberetninger" / "2023" / "ud.csv").exists()


def test_export_opens_in_libreoffice_with_danish_letters(
    work: Path, invoke: Invoke, tmp_path: Path
) -> None:
    """LibreOffice's CSV import (';', UTF-8, as its dialog offers for a file with a BOM) gives
    the nine columns, a clean first header cell (the BOM is not part of it) and æøå intact."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    assert invoke("export", "2023", "--from", "2021").exit_code == 0
    out = tmp_path / "lo"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--infilter=CSV:59,34,76,1",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(work / EXPORT),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    ws = openpyxl.load_workbook(out / f"{EXPORT.stem}.xlsx", read_only=True).active
    assert ws is not None
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    assert len(rows) == len(read_export(work / EXPORT))
    assert any("Næstved" in r for r in rows[1:])
    assert any("Grøn omstilling" in r for r in rows[1:])
