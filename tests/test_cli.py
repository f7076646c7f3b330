"""The command line: version, help, init, and error handling."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from klyngerapport import __version__
from klyngerapport.cli import app

runner = CliRunner()


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["validate", "--help"]])
def test_version_and_help_do_not_import_spreadsheet_libraries(argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from klyngerapport.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "bad = [m for m in ('openpyxl', 'python_calamine') if m in sys.modules]\n"
        "print('IMPORTED', bad)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "IMPORTED []" in out


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"klyngerapport {__version__}"


def test_python_dash_m() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "klyngerapport", "--version"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert __version__ in out


@pytest.mark.parametrize("command", ["init", "template", "validate", "generate", "funding"])
def test_every_command_has_danish_help(command: str) -> None:
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "Vis denne hjælp og afslut." in result.stdout
    assert "Brug: klyngerapport" in result.stdout and "Tilvalg" in result.stdout
    for english in ("Show this message", "Usage:", "Options", "[required]"):
        assert english not in result.stdout


def test_init_creates_a_working_folder(tmp_path: Path) -> None:
    folder = tmp_path / "kkr"
    result = runner.invoke(app, ["init", str(folder)])
    assert result.exit_code == 0, result.output
    assert (folder / "klyngerapport.toml").is_file()
    for name in ("indberetninger", "rapporter", "skabeloner", "befolkning"):
        assert (folder / name).is_dir()
    # Placeholders stop every command until filled in (tests/test_config.py fills them in).
    funding = runner.invoke(
        app, ["--config", str(folder / "klyngerapport.toml"), "funding", "2022"]
    )
    assert funding.exit_code == 2 and "pladsholdere" in funding.output


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "klyngerapport.toml"
    target.write_text("# mine\n", encoding="utf-8")
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 2
    assert "findes allerede" in result.output and "klyngerapport.toml" in result.output
    assert target.read_text(encoding="utf-8") == "# mine\n"


def test_unexpected_error_is_one_line_without_debug(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from klyngerapport import funding

    def boom(*args: object) -> None:
        raise RuntimeError("kaput")

    monkeypatch.setattr(funding, "compute", boom)
    samples = Path(__file__).resolve().parents[1] / "samples" / "klyngerapport.toml"
    result = runner.invoke(app, ["--config", str(samples), "funding", "2022"])
    assert result.exit_code == 2
    assert "Uventet fejl: RuntimeError: kaput" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["--config", str(samples), "--debug", "funding", "2022"])
    assert result.exit_code == 2
    assert "Traceback" in result.output


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["validate", "--year", "abc"], "Ugyldig værdi for --year. Det skal være et helt tal."),
        (["funding"], "ÅR mangler."),
        (["fundin", "2022"], 'Ukendt kommando "fundin". Mente du "funding"?'),
        (["funding", "2022", "--jsn"], "Ukendt tilvalg --jsn. Mente du --json?"),
        (["funding", "2022", "2023"], "For mange argumenter: 2023."),
        # validate "": not the current folder (Path("") is "."), a usage error
        (["validate", ""], "Ugyldig værdi for [STI]...: en tom sti er hverken en fil eller"),
    ],
)
def test_usage_errors_are_danish_with_exit_2(argv: list[str], expected: str) -> None:
    """Click's English usage errors are said in Danish by main(), exit 2, no traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "klyngerapport", *argv],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 2
    assert expected in done.stderr
    assert "Usage:" not in done.stderr and "Traceback" not in done.stderr


def test_no_arguments_shows_help() -> None:
    done = subprocess.run([sys.executable, "-m", "klyngerapport"], capture_output=True, text=True)
    assert done.returncode == 0
    assert "funding" in done.stdout and "validate" in done.stdout


def _samples(tmp_path: Path) -> Path:
    import shutil

    root = Path(__file__).resolve().parents[1] / "samples"
    work = tmp_path / "work"
    shutil.copytree(root, work, ignore=shutil.ignore_patterns("rapporter", "skabeloner"))
    return work


def test_naming_the_year_folder_reports_missing_offices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`validate indberetninger/2022 --year 2022` is the same as `validate --year 2022`."""
    work = _samples(tmp_path)
    (work / "indberetninger" / "2022" / "foedevarer-2022.xlsx").unlink()
    monkeypatch.chdir(work)
    result = runner.invoke(app, ["validate", "indberetninger/2022", "--year", "2022"])
    assert result.exit_code == 1
    assert "foedevarer" in result.stdout and "mangler en indberetning" in result.stdout


def test_linked_folders_are_not_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A symbolic link to a folder up the tree does not make validate read the whole tree."""
    work = _samples(tmp_path)
    folder = work / "indberetninger" / "2022"
    (folder / "loop").symlink_to(work, target_is_directory=True)
    monkeypatch.chdir(work)
    result = runner.invoke(app, ["validate", "indberetninger/2022", "--year", "2022", "--json"])
    import json

    paths = [f["path"] for f in json.loads(result.stdout)["files"] if f["path"]]
    assert len(paths) == 4 and not any("loop" in p for p in paths)


@pytest.mark.parametrize(
    ("attainment", "shown"),
    [(79, "79 %"), (80, "80 %"), (99, "99 %"), (112, "112 %"), (1234, "1.234 %"), (None, "–")],
)
def test_terminal_percent_is_the_models_shown_percent(attainment: int | None, shown: str) -> None:
    """The terminal prints the model's whole percent (already rounded down) as it is."""
    from klyngerapport.render.terminal.screen import percent

    assert percent(attainment) == shown
