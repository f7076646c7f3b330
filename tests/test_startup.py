"""What a command imports: start-up is most of a typical run, so a command pays only for the
libraries it uses. openpyxl also imports numpy when numpy is installed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
HEAVY = ("openpyxl", "numpy", "python_calamine", "klyngerapport.reading.workbook")

IMPORTED = """
import sys
from klyngerapport.cli import main
try:
    main(sys.argv[2:])
except SystemExit:
    pass
print("IMPORTED", sorted(m for m in sys.argv[1].split(",") if m in sys.modules))
"""


def imported(argv: list[str], cwd: Path, modules: tuple[str, ...]) -> str:
    """The listed modules that are in sys.modules after the command ran."""
    done = subprocess.run(
        [sys.executable, "-c", IMPORTED, ",".join(modules), *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )
    line = [out for out in done.stdout.splitlines() if out.startswith("IMPORTED")]
    assert line, done.stderr[-2000:]
    return line[-1]


@pytest.mark.parametrize(
    "argv",
    [["--version"], ["--help"], ["validate", "--help"], ["generate", "--help"]],
)
def test_version_and_help_import_neither_openpyxl_nor_the_reader(argv: list[str]) -> None:
    assert imported(argv, SAMPLES, (*HEAVY, "klyngerapport.validation")) == "IMPORTED []"


@pytest.mark.parametrize("json", [[], ["--json"]])
def test_validate_reads_without_importing_openpyxl(json: list[str]) -> None:
    """validate only reads (python-calamine); openpyxl and numpy stay out of its start-up."""
    argv = ["validate", "--year", "2022", *json]
    assert imported(argv, SAMPLES, (*HEAVY, "klyngerapport.validation")) == (
        "IMPORTED ['klyngerapport.reading.workbook', 'klyngerapport.validation', 'python_calamine']"
    )
