"""`generate YEAR --as-of DATE` on the samples: the status at a date (PRODUCT.md §10)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner, Result

from klyngerapport.cli import app

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.fixture
def work(tmp_path: Path) -> Path:
    folder = tmp_path / "samples"
    shutil.copytree(SAMPLES, folder, ignore=shutil.ignore_patterns("rapporter", "skabeloner"))
    return folder


def generate(folder: Path, *args: str) -> Result:
    return CliRunner().invoke(
        app,
        ["--config", str(folder / "klyngerapport.toml"), "generate", *args],
        env={"NO_COLOR": "1", "COLUMNS": "200"},
    )


def sheet_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def test_status_at_mid_year_flags_later_activities(work: Path) -> None:
    """Every output says "Status pr. 30-06-2023"; activities after it are date-after-cutoff
    errors at their Dato cell, so the offices with such rows are shown with errors (exit 1)."""
    human = generate(work, "2023", "--as-of", "2023-06-30")
    assert human.exit_code == 1
    assert "Opfølgning på de regionale klyngekontorer 2023 til KKR Sjælland – Status pr. " in (
        human.stdout
    )
    assert "Status pr. 30-06-2023" in human.stdout
    assert "date-after-cutoff" in human.stdout
    assert "Aktiviteten er dateret 06-07-2023, efter opgørelsesdatoen 30-06-2023" in human.stdout
    report = work / "rapporter" / "klyngerapport-2023.xlsx"
    wb = openpyxl.load_workbook(report, read_only=True)
    assert wb.properties.title.endswith("– Status pr. 30-06-2023")
    assert all(
        next(ws.iter_rows(values_only=True))[0].endswith("Status pr. 30-06-2023")
        for ws in wb.worksheets
    )

    document = json.loads(generate(work, "2023", "--as-of", "30-06-2023", "--json").stdout)
    assert document["as_of"] == "2023-06-30"
    notes = [
        r
        for r in sheet_rows(report)["Valideringsnoter"]
        if r and "date-after-cutoff" in [str(v) for v in r]
    ]
    assert notes
    assert {o["status"] for o in document["offices"]} == {"errors"}
    # The targets are the full year's.
    wbd = next(o for o in document["offices"] if o["id"] == "we-build-denmark")
    assert {i["id"]: i["target"] for i in wbd["indicators"]}["VIRK"] == 120


def test_status_at_the_last_day_equals_the_plain_run(work: Path) -> None:
    """With 31-12-YEAR nothing is after the cutoff: the same JSON (but as_of) and the same
    workbook (but the titles and the generation time)."""
    plain = generate(work, "2023", "--json")
    plain_rows = sheet_rows(work / "rapporter" / "klyngerapport-2023.xlsx")
    at_end = generate(work, "2023", "--as-of", "31-12-2023", "--json")
    end_rows = sheet_rows(work / "rapporter" / "klyngerapport-2023.xlsx")
    assert plain.exit_code == at_end.exit_code == 0
    first, second = json.loads(plain.stdout), json.loads(at_end.stdout)
    assert (first.pop("as_of"), second.pop("as_of")) == (None, "2023-12-31")
    assert first == second

    def comparable(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
        # Row 1 is the title; Kilder also holds the time of generation.
        return {name: r[1:] for name, r in rows.items() if name != "Kilder"}

    assert comparable(plain_rows) == comparable(end_rows)
    assert end_rows["Resumé"][0][0].endswith("Status pr. 31-12-2023")


@pytest.mark.parametrize(
    ("value", "message"), [("2022-11-15", "ligger ikke i 2023"), ("15/11", "er ikke en dato")]
)
def test_a_bad_as_of_is_a_usage_error(work: Path, value: str, message: str) -> None:
    result = generate(work, "2023", "--as-of", value)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (work / "rapporter" / "klyngerapport-2023.xlsx").exists()


def test_the_november_meeting_on_the_samples(work: Path) -> None:
    """README: the 2024 samples report the year up to 8 November; --as-of 2024-11-15 is clean,
    and the targets are the whole year's, so most are partly met."""
    result = generate(work, "2024", "--as-of", "2024-11-15", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["as_of"] == "2024-11-15" and document["errors"] == 0
    statuses = [i["status"] for o in document["offices"] for i in o["indicators"]]
    assert statuses.count("partial") > statuses.count("met")
    assert generate(work, "2024", "--as-of", "2024-10-31").exit_code == 1


def test_the_agenda_documents_say_status_at_the_date(work: Path) -> None:
    """The PDF appendix, the municipality pages and the Word draft carry the date in their
    titles too."""
    import docx
    import pypdf

    assert generate(work, "2024", "--as-of", "2024-11-15").exit_code == 0
    reports = work / "rapporter"
    for name in ("orientering-2024.pdf", "kommuner-2024.pdf"):
        text = pypdf.PdfReader(reports / name).pages[0].extract_text()
        assert "Status pr. 15-11-2024" in text, name
    draft = docx.Document(str(reports / "sagsfremstilling-2024.docx"))
    assert draft.core_properties.title.endswith("– Status pr. 15-11-2024")
