"""The history over the contract period on the samples, against an independent count.

The expected figures are counted here straight from the sample workbooks with openpyxl and
from the config with tomllib, not through the package (PRODUCT.md §10, issue #12).
"""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from klyngerapport.cli import app

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def sample_rows(path: Path) -> list[tuple[str, str]]:
    """(CVR, municipality) of every company row of a sample workbook."""
    ws = openpyxl.load_workbook(path, read_only=True, data_only=True)["Virksomheder"]
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if "CVR-nummer" in r)
    cvr, muni = rows[header].index("CVR-nummer"), rows[header].index("Kommune")
    return [(str(r[cvr]), str(r[muni])) for r in rows[header + 1 :] if r[cvr] is not None]


def hand_count(year: int) -> dict[str, dict[str, Any]]:
    """Per office: companies, new and returning per year, and the period figures."""
    config = tomllib.loads((SAMPLES / "klyngerapport.toml").read_text(encoding="utf-8"))
    outside = set(config["cofinancing"]["non_participating"])
    out: dict[str, dict[str, Any]] = {}
    for office in config["office"]:
        first, last = office["years"]
        if not first <= year <= last:
            continue
        seen: set[str] = set()
        reached: set[str] = set()
        years = []
        for y in range(first, year + 1):
            path = SAMPLES / "indberetninger" / str(y) / f"{office['id']}-{y}.xlsx"
            counted = [(c, m) for c, m in sample_rows(path) if m not in outside]
            cvrs = {c for c, _ in counted}
            years.append((y, len(cvrs), len(cvrs - seen), len(cvrs & seen)))
            seen |= cvrs
            reached |= {m for _, m in counted}
        out[office["id"]] = {
            "years": years,
            "first": first,
            "unique": len(seen),
            "reached": reached,
        }
    return out


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("h") / "samples"
    shutil.copytree(SAMPLES, folder, ignore=shutil.ignore_patterns("rapporter", "skabeloner"))
    result = CliRunner().invoke(
        app, ["--config", str(folder / "klyngerapport.toml"), "generate", "2023", "--json"]
    )
    assert result.exit_code == 0, result.output
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def test_history_covers_each_office_active_years_oldest_first(document: dict[str, Any]) -> None:
    expected = hand_count(2023)
    assert {o["id"] for o in document["offices"]} == set(expected)
    for office in document["offices"]:
        counted = expected[office["id"]]
        history = office["history"]
        assert [h["year"] for h in history] == [y for y, *_ in counted["years"]]
        assert [
            (h["year"], h["companies"], h["new_companies"], h["returning_companies"])
            for h in history
        ] == counted["years"]
        assert all(h["status"] == "accepted" for h in history)
        # YEAR last, and it is the year's own follow-up.
        assert history[-1]["indicators"] == [
            {k: i[k] for k in ("id", "target", "result", "status")} for i in office["indicators"]
        ]


def test_period_figures_equal_the_count_by_hand(document: dict[str, Any]) -> None:
    expected = hand_count(2023)
    for office in document["offices"]:
        counted = expected[office["id"]]
        period = office["period"]
        assert (period["from"], period["to"]) == (counted["first"], 2023)
        assert period["unique_companies"] == counted["unique"]
        assert set(period["municipalities_reached"]) == counted["reached"]


def run_generate(folder: Path, *args: str) -> Any:
    return CliRunner().invoke(
        app,
        ["--config", str(folder / "klyngerapport.toml"), "generate", *args],
        env={"NO_COLOR": "1", "COLUMNS": "200"},
    )


@pytest.fixture
def work(tmp_path: Path) -> Path:
    folder = tmp_path / "samples"
    shutil.copytree(SAMPLES, folder, ignore=shutil.ignore_patterns("rapporter", "skabeloner"))
    return folder


def test_a_faulty_or_missing_earlier_year_is_shown_and_keeps_exit_code_0(work: Path) -> None:
    """2022 of Danish Life Science Cluster is missing and 2021 of We Build Denmark has an
    error: generate 2023 still exits 0, and the history shows both years as such."""
    (work / "indberetninger" / "2022" / "bio-solutions-2022.xlsx").unlink()
    path = work / "indberetninger" / "2021" / "we-build-denmark-2021.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["Indikatorer"]
    row = next(c.row for c in ws["A"] if c.value == "PROJ")
    ws.cell(row, 5, "ca. 2")
    wb.save(path)
    result = run_generate(work, "2023", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["errors"] == 0
    history = {o["id"]: o["history"] for o in document["offices"]}
    assert next((h["year"], h["status"], h["companies"]) for h in history["bio-solutions"]) == (
        2022,
        "missing",
        None,
    )
    first = history["we-build-denmark"][0]
    assert (first["year"], first["status"], first["companies"]) == (2021, "errors", None)
    assert {i["status"] for i in first["indicators"]} == {"not-reported"}
    # The Udvikling sheet says so too.
    wb = openpyxl.load_workbook(work / "rapporter" / "klyngerapport-2023.xlsx", read_only=True)
    rows = [(*r, None, None, None)[:6] for r in wb["Udvikling"].iter_rows(values_only=True)]
    assert ("Danish Life Science Cluster", 2022, "Mangler", None, None, None) in rows
    assert ("We Build Denmark", 2021, "Fejl", None, None, None) in rows


def test_national_results_are_apart_from_the_regional_counts(work: Path) -> None:
    """Food & Bio Cluster Denmark's national results are in national_indicators and the sheet
    Nationale mål; the regional indicators and their statuses do not include them."""
    result = run_generate(work, "2023", "--json")
    assert result.exit_code == 0, result.output
    offices = {o["id"]: o for o in json.loads(result.stdout)["offices"]}
    food = offices["foedevarer"]
    assert [
        (i["id"], i["target"], i["result"], i["status"]) for i in food["national_indicators"]
    ] == [
        ("VIRK", 1300, 1310, "met"),
        ("SMV", 950, 990, "met"),
        ("PROJ", 55, 49, "partial"),
    ]
    assert "PROJ" not in {i["id"] for i in food["indicators"]}
    assert {i["id"]: i["result"] for i in food["indicators"]}["VIRK"] == food["companies"] == 96
    assert offices["bio-solutions"]["national_indicators"] == []
    wb = openpyxl.load_workbook(work / "rapporter" / "klyngerapport-2023.xlsx", read_only=True)
    assert wb.sheetnames.index("Nationale mål") == wb.sheetnames.index("Målopfyldelse") + 1
    resume = [r for r in wb["Resumé"].iter_rows(values_only=True) if r and r[0] == food["cluster"]]
    # Six regional indicators, all met; the partial national PROJ is not counted there.
    assert resume[0][5:9] == (6, 0, 0, 0)
