"""The README shows real output: its examples are run again and compared."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def readme_block(command: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"$ {command}\n") + len(f"$ {command}\n")
    return text[start : text.index("```", start)].rstrip()


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "fejl", "--year", "2022", "--feedback"],
        ["generate", "2022"],
        ["funding", "2022"],
    ],
)
def test_readme_output_is_real(args: list[str], tmp_path: Path) -> None:
    """What the README shows for a command is what the command prints on the samples; a line
    "…" in the README stands for lines it leaves out."""
    samples = tmp_path / "samples"
    shutil.copytree(
        ROOT / "samples", samples, ignore=shutil.ignore_patterns("rapporter", "tilbagemelding")
    )
    done = subprocess.run(
        [sys.executable, "-m", "klyngerapport", *args],
        cwd=samples,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80", "NO_COLOR": "1"},
    )
    shown = readme_block("cd samples && klyngerapport " + " ".join(args))
    printed = done.stdout.rstrip()
    if "\n…\n" in shown:
        head, tail = shown.split("\n…\n")
        assert printed.startswith(head + "\n") and printed.endswith("\n" + tail)
    else:
        assert printed == shown


def test_quick_start_is_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text[text.index("```sh\n", text.index("## Kom i gang")) + 6 :]
    lines = block[: block.index("```")].strip().splitlines()
    assert len(lines) == 2
    assert "generate 2022" in lines[0] and "pip install" in lines[0]
    assert "pytest" in lines[1]
