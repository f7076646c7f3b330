"""Output in any console: encodings that cannot print ✓ or æøå, redirects and closed pipes.

PRODUCT.md §2: a console or pipe that cannot print æøå (Windows cp1252, PYTHONIOENCODING=ascii)
gets a readable fallback, never a crash; --json stays exact JSON; a closed pipe (`| head`) ends
quietly with exit 0. The commands run as the user runs them: in a subprocess, output redirected.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from klyngerapport import console

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CRASH_SIGNS = ("UnicodeEncodeError", "Uventet fejl", "Traceback", "BrokenPipeError")


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the sample working folder for the module (commands here only add files)."""
    folder = tmp_path_factory.mktemp("console") / "samples"
    shutil.copytree(SAMPLES, folder, ignore=shutil.ignore_patterns("rapporter", "skabeloner"))
    return folder


def run(
    work: Path, argv: list[str], encoding: str, stdout: int | io.BufferedWriter
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": encoding, "COLUMNS": "100", "NO_COLOR": "1"}
    env.pop("KLYNGERAPPORT_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "klyngerapport", *argv],
        cwd=work,
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=300,
        check=False,
    )


# (arguments, exit code): every command, help, version and a usage error.
COMMANDS = [
    (["funding", "2022"], 0),
    (["funding", "2022", "--json"], 0),
    (["template", "2022", "--force"], 0),
    (["init", "ny-mappe-æø", "--force"], 0),
    (["validate", "--year", "2022"], 0),
    (["validate", "fejl", "--year", "2022"], 1),
    (["validate", "fejl", "--year", "2022", "--json"], 1),
    (["generate", "2022"], 0),
    (["generate", "2022", "--json"], 0),
    (["export", "2022", "--output", "engagementer-æøå.csv"], 0),
    (["--help"], 0),
    (["generate", "--help"], 0),
    ([], 0),
    (["--version"], 0),
    (["validate", "--year", "tyve"], 2),
    (["funding", "2022", "--outout"], 2),
]


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
@pytest.mark.parametrize(
    ("argv", "code"), COMMANDS, ids=[" ".join(argv) or "-" for argv, _ in COMMANDS]
)
def test_windows_and_ascii_consoles_get_a_fallback_never_a_crash(
    work: Path, tmp_path: Path, encoding: str, argv: list[str], code: int
) -> None:
    """stdout redirected to a file in cp1252 or ASCII: same exit code as in UTF-8, output
    written in that encoding, and no UnicodeEncodeError or "Uventet fejl"."""
    log = tmp_path / "log.txt"
    with log.open("wb") as handle:
        done = run(work, argv, encoding, handle)
    stderr = done.stderr.decode(encoding)
    assert done.returncode == code, stderr
    assert not any(sign in stderr for sign in CRASH_SIGNS), stderr
    out = log.read_bytes()
    text = out.decode(encoding)  # written in the console's encoding, nothing else
    if code == 2:
        assert "Fejl:" in stderr
    else:
        assert text.strip()
    if encoding == "ascii":
        assert out.isascii() and done.stderr.isascii()
    if "--json" in argv:
        document = json.loads(out.decode("utf-8"))
        assert isinstance(document, dict)
    elif argv[:1] == ["validate"] and code == 1:
        assert "fejl" in text and "Virksomheder!A6" in text


def test_json_in_an_ascii_console_keeps_every_danish_letter(work: Path, tmp_path: Path) -> None:
    """--json through an ASCII or cp1252 console is escaped, so the text reads back exactly."""
    documents = []
    for encoding in ("utf-8", "cp1252", "ascii"):
        out = tmp_path / f"{encoding}.json"
        with out.open("wb") as handle:
            done = run(work, ["validate", "fejl", "--year", "2022", "--json"], encoding, handle)
        assert done.returncode == 1
        documents.append(json.loads(out.read_bytes().decode("utf-8")))
    assert documents[0] == documents[1] == documents[2]
    assert "Næstved" in json.dumps(documents[2], ensure_ascii=False)


def test_human_output_in_ascii_reads_as_danish_without_special_letters(
    work: Path, tmp_path: Path
) -> None:
    """æøå become ae/oe/aa, ✓ becomes OK, and the tables stay aligned: the stand-ins are put in
    before the columns are measured (every row of a table is as wide as its rule)."""
    out = tmp_path / "out.txt"
    with out.open("wb") as handle:
        done = run(work, ["funding", "2022"], "ascii", handle)
    assert done.returncode == 0
    lines = out.read_text("ascii").splitlines()
    assert "Medfinansiering af de regionale klyngekontorer 2022 (KKR Sjaelland)" in lines
    rule = next(i for i, line in enumerate(lines) if set(line) == {"-"})
    rows = lines[rule + 1 :]
    rows = rows[: next(i for i, r in enumerate(rows) if not r.strip())]  # up to the section
    assert len(rows) >= 10
    assert rows[0].startswith("Naestved (lead)") and any(r.startswith("Koege ") for r in rows)
    assert {len(r.rstrip()) for r in rows} == {len(lines[rule])}
    with out.open("wb") as handle:
        assert run(work, ["generate", "2022"], "ascii", handle).returncode == 0
    text = out.read_text("ascii")
    assert "Opfoelgning paa de regionale klyngekontorer 2022 til KKR Sjaelland" in text
    assert "OK Opfyldt" in text and "Maal OK  ~  X" in text


def test_cp1252_keeps_danish_letters_and_replaces_only_the_rest(work: Path, tmp_path: Path) -> None:
    """cp1252 can write æøå and the en dash; only ✓ ✗ and box lines get a stand-in."""
    out = tmp_path / "out.txt"
    with out.open("wb") as handle:
        done = run(work, ["validate", "--year", "2022"], "cp1252", handle)
    assert done.returncode == 0
    text = out.read_bytes().decode("cp1252")
    assert "OK bio-solutions-2022.xlsx (bio-solutions 2022): godkendt" in text


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_progress_bar_in_an_ascii_terminal_does_not_crash(work: Path) -> None:
    """The progress bar (stderr, a terminal, 5 files or more) in ASCII: no crash."""
    import pty

    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "COLUMNS": "80", "TERM": "xterm"}
    done = subprocess.run(
        [sys.executable, "-m", "klyngerapport", "validate", "indberetninger/2022", "fejl"],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=follower,
        timeout=300,
        check=False,
    )
    os.close(follower)
    shown = b""
    try:
        while chunk := os.read(leader, 65536):
            shown += chunk
    except OSError:  # the terminal is gone once the child has exited and all is read
        pass
    os.close(leader)
    assert done.returncode == 1
    assert shown.isascii()
    assert not any(sign.encode() in shown for sign in CRASH_SIGNS), shown


# --- closed pipes -------------------------------------------------------------------------------

CLOSED_PIPE_COMMANDS = [
    ["generate", "2022"],
    ["validate", "--year", "2022"],
    ["validate", "fejl", "--year", "2022"],
    ["validate", "fejl", "--year", "2022", "--json"],
    ["funding", "2022"],
    ["--help"],
    ["--version"],
]


@pytest.mark.parametrize("argv", CLOSED_PIPE_COMMANDS, ids=" ".join)
def test_a_closed_pipe_ends_quietly_with_exit_0(work: Path, argv: list[str]) -> None:
    """`klyngerapport ... | head -1`: the reader is gone before anything is written (the read
    end is closed first), so every write fails; the run ends with exit 0 and says nothing."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = run(work, argv, "utf-8", writer)
    finally:
        os.close(writer)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stderr == b""


# --- the fallback itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ascii_text"),
    [
        ("✓ godkendt", "OK godkendt"),
        ("✗ fejl", "X fejl"),
        ("Næstved → Køge", "Naestved -> Koege"),
        ("ÆRØ Å", "AeROe Aa"),
        ("2021–2024 … 5 %", "2021-2024 ... 5 %"),
        ("┌─┬─┐│━╸", "+-+-+|--"),
        ("Café «x»", "Cafe <<x>>"),
        ("❱ 197", "> 197"),
        ("\U0001f600", "?"),
    ],
)
def test_stand_ins_are_readable_ascii(text: str, ascii_text: str) -> None:
    assert text.encode("ascii", console.FALLBACK).decode("ascii") == ascii_text


def test_cp1252_keeps_what_it_can_encode() -> None:
    assert "æøå – ✓".encode("cp1252", console.FALLBACK).decode("cp1252") == "æøå – OK"


def test_prepared_streams_write_any_text_and_restore_the_stream(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Inside prepared_streams an ASCII stdout takes any text; afterwards it is as before."""
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii", errors="strict")
    monkeypatch.setattr(sys, "stdout", stream)
    with console.prepared_streams():
        sys.stdout.write("Målopfyldelse ✓\n")
        console.write_json({"kommune": "Næstved"})
    assert sys.stdout is stream and stream.errors == "strict"
    stream.flush()
    lines = raw.getvalue().decode("ascii").splitlines()
    assert lines[0] == "Maalopfyldelse OK"
    assert json.loads("\n".join(lines[1:])) == {"kommune": "Næstved"}
