"""What a command imports: start-up is most of a typical run, so a command pays only for the
libraries it uses. openpyxl also imports numpy when numpy is installed."""

from __future__ import annotations

import os
import shutil
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
# A None entry is a module kept out (cli._without_numpy), not one imported.
print("IMPORTED", sorted(m for m in sys.argv[1].split(",") if sys.modules.get(m) is not None))
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


# Stands in for an installed numpy: notes that it was imported, then fails as a missing one.
FAKE_NUMPY = """
import os
open(os.environ["NUMPY_IMPORTED"], "w").close()
raise ImportError("numpy stand-in")
"""


def test_generate_keeps_numpy_out_where_it_is_installed(tmp_path: Path) -> None:
    """openpyxl imports numpy when it can; generate writes workbooks without paying for it."""
    site = tmp_path / "site"
    (site / "numpy").mkdir(parents=True)
    (site / "numpy" / "__init__.py").write_text(FAKE_NUMPY, encoding="utf-8")
    marker = tmp_path / "numpy-imported"
    env = {**os.environ, "PYTHONPATH": str(site), "NUMPY_IMPORTED": str(marker)}
    # The stand-in works: a bare openpyxl import reaches it.
    subprocess.run([sys.executable, "-c", "import openpyxl"], env=env, check=True)
    assert marker.exists()
    marker.unlink()

    work = tmp_path / "work"
    shutil.copytree(SAMPLES, work)
    done = subprocess.run(
        [sys.executable, "-m", "klyngerapport", "generate", "2022", "--json"],
        env=env,
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]
    assert (work / "rapporter" / "klyngerapport-2022.xlsx").exists()
    assert not marker.exists()
