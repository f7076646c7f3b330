"""The terminal output: text is printed literally, figures are never cut or crash it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    folder = tmp_path / "samples"
    shutil.copytree(ROOT / "samples", folder, ignore=shutil.ignore_patterns("rapporter"))
    return folder


def run(folder: Path, *args: str, columns: int = 80) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "klyngerapport", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1"},
    )


def test_markup_in_config_text_is_printed_literally(samples: Path) -> None:
    """A grant recipient "Region Sjælland [/]" and "Klyngerne [inkl. RUC]" print as written."""
    config = samples / "klyngerapport.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace(
        'recipient = "Danish Life Science Cluster"', 'recipient = "Region Sjælland [/]"', 1
    )
    text = text.replace('cluster = "CLEAN"', 'cluster = "Klyngerne [inkl. RUC] :smile:"', 1)
    config.write_text(text, encoding="utf-8")
    funding = run(samples, "funding", "2022", columns=200)
    assert funding.returncode == 0, funding.stderr
    assert "Region Sjælland [/]" in funding.stdout
    assert "Klyngerne [inkl. RUC] :smile:" in funding.stdout
    generate = run(samples, "generate", "2022", columns=200)
    assert generate.returncode == 0, generate.stderr
    assert "Klyngerne [inkl. RUC] :smile:" in generate.stdout


def test_a_path_with_brackets_is_printed_whole(tmp_path: Path) -> None:
    done = run(tmp_path, "init", "KKR [arkiv]")
    assert done.returncode == 0, done.stderr
    assert "KKR [arkiv]" in done.stdout


def test_a_huge_result_does_not_crash_the_terminal(samples: Path) -> None:
    """A result of 1e308 is shown, not an OverflowError after the report is written."""
    import openpyxl

    path = samples / "indberetninger" / "2022" / "bio-solutions-2022.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["Indikatorer"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "PROJ")
    ws.cell(row, 5).value = 1e308
    wb.save(path)
    done = run(samples, "generate", "2022")
    assert done.returncode == 0, done.stderr
    assert "Uventet fejl" not in done.stderr
    assert re.search(r"PROJ +4 +100\.000\.000", done.stdout)


@pytest.mark.parametrize("command", [["funding", "2022"], ["generate", "2022"]])
def test_a_narrow_terminal_never_cuts_a_number(samples: Path, command: list[str]) -> None:
    """COLUMNS=40 wraps text but every amount and count of the wide output is there whole."""
    wide = run(samples, *command, columns=200)
    narrow = run(samples, *command, columns=40)
    assert narrow.returncode == wide.returncode
    numbers = set(re.findall(r"\d[\d.]*\d", wide.stdout))
    assert "1.000.000" in numbers or command[0] == "generate"
    missing = {n for n in numbers if n not in narrow.stdout}
    assert not missing
    assert not re.search(r"\d…", narrow.stdout)
