"""The sample report as the secretariat prints it and reads it on screen (PRODUCT.md §7):
text at 9 pt or more, every printed sheet as wide as the page, charts beside their tables,
grants in two groups that are never summed together."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string
from typer.testing import CliRunner

from klyngerapport.cli import app
from klyngerapport.render.xlsx.layout import MIN_PRINT_SCALE, PRINTABLE_WIDTH_CM, column_cm

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.fixture(scope="module")
def wb(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("print") / "samples"
    shutil.copytree(SAMPLES, folder, ignore=shutil.ignore_patterns("rapporter", "skabeloner"))
    report = folder / "rapporter" / "klyngerapport-2022.xlsx"
    result = CliRunner().invoke(
        app,
        ["--config", str(folder / "klyngerapport.toml"), "generate", "2022", "--format", "xlsx"],
        env={"NO_COLOR": "1"},
    )
    if result.exit_code == 2 and "--format" in result.output:  # before the agenda package
        result = CliRunner().invoke(
            app, ["--config", str(folder / "klyngerapport.toml"), "generate", "2022"]
        )
    assert result.exit_code == 0, result.output
    return load_workbook(report)


def _printed_width_cm(ws: Any) -> float:
    """The width the sheet's printed columns and charts take at 100 %."""
    widths = {
        column_index_from_string(letter): d.width for letter, d in ws.column_dimensions.items()
    }
    last = max(widths)
    if ws.print_area:
        last = column_index_from_string(
            "".join(c for c in str(ws.print_area).split(":")[-1] if c.isalpha())
        )
    right = sum(column_cm(widths.get(c, 8.43)) for c in range(1, last + 1))
    for chart in ws._charts:
        col = chart.anchor._from.col  # 0-based
        left = sum(column_cm(widths.get(c, 8.43)) for c in range(1, col + 1))
        right = max(right, left + chart.anchor.ext.width / 360_000)  # EMU per cm
    return right


def test_every_sheet_prints_across_one_page_at_nine_points_or_more(wb: Any) -> None:
    """No fit-to-width: a fixed scale of at least 82 % (11 pt text prints at 9 pt or more),
    and at that scale the printed columns and charts fit the page's width."""
    for ws in wb:
        scale = ws.page_setup.scale
        assert not ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert MIN_PRINT_SCALE <= scale <= 100, ws.title
        assert _printed_width_cm(ws) * scale / 100 <= PRINTABLE_WIDTH_CM, ws.title


def test_technical_columns_stay_outside_the_print_area(wb: Any) -> None:
    for name in ("Målopfyldelse", "Virksomheder"):
        ws = wb[name]
        header = next(r for r in ws.iter_rows() if r[0].value == "Klyngekontor")
        kilde = next(c for c in header if c.value == "Kilde")
        assert f"${kilde.column_letter}$" not in str(ws.print_area)
        assert f"${chr(ord(kilde.column_letter) - 1)}$" in str(ws.print_area)


def test_geography_chart_stands_beside_its_table(wb: Any) -> None:
    ws = wb["Geografisk spredning"]
    (table,) = ws.tables.values()
    first, last = table.ref.split(":")
    (chart,) = ws._charts
    anchor = chart.anchor._from
    assert anchor.col + 1 > column_index_from_string("".join(c for c in last if c.isalpha()))
    assert anchor.row + 1 == int("".join(c for c in first if c.isdigit()))  # the header row


def test_resume_chart_compares_shares_and_shows_only_statuses_that_occur(wb: Any) -> None:
    """An office with more indicators must not get a longer bar; the samples have no
    "Ikke indberettet" indicator, so the legend has no such empty entry."""
    (chart,) = wb["Resumé"]._charts
    assert chart.grouping == "percentStacked"
    ws = wb["Resumé"]
    titles = [ws[s.tx.strRef.f.split("!")[1].replace("$", "")].value for s in chart.series]
    assert titles == ["Opfyldt", "Delvist opfyldt", "Ikke opfyldt"]


def test_grants_come_in_two_groups_that_are_never_summed(wb: Any) -> None:
    ws = wb["Finansiering"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    headers = [r for r in values if r[0] == "Bevillingsgiver"]
    assert len(headers) == 2
    totals = [r[1] for r in values if r[0] == "I alt"]
    # Region Sjælland's 2,5 mio. kr. alone; the two national 80 mio. kr. grants apart.
    assert totals == [2_500_000, 160_000_000]
    assert 162_500_000 not in [v for r in values for v in r]
    assert not any(r[0] == "Bevilliger" for r in values)


def test_national_sheet_says_a_missing_submission_is_missing(tmp_path: Path) -> None:
    """Nationale mål words its remarks like Målopfyldelse: without Food & Bio Cluster
    Denmark's file its national rows say "Indberetningen mangler", never a result of 0."""
    folder = tmp_path / "samples"
    shutil.copytree(SAMPLES, folder, ignore=shutil.ignore_patterns("rapporter", "skabeloner"))
    (folder / "indberetninger" / "2022" / "foedevarer-2022.xlsx").unlink()
    config_file = str(folder / "klyngerapport.toml")
    done = CliRunner().invoke(
        app, ["--config", config_file, "generate", "2022", "--format", "xlsx"]
    )
    assert done.exit_code == 1, done.output
    ws = load_workbook(folder / "rapporter" / "klyngerapport-2022.xlsx")["Nationale mål"]
    rows = [r for r in ws.iter_rows(values_only=True) if r[0] == "Food & Bio Cluster Denmark"]
    assert rows
    assert all(r[4] is None and r[6] == "Ikke indberettet" for r in rows)
    assert all(r[7] == "Indberetningen mangler" for r in rows)
