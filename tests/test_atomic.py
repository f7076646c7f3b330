"""Atomic writes: a file appears whole or not at all."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from klyngerapport.atomic import atomic_write


def test_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out" / "rapport.xlsx"
    with atomic_write(target) as handle:
        handle.write(b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in target.parent.iterdir()] == ["rapport.xlsx"]


def test_a_failure_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "rapport.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_write(target) as handle:
        handle.write(b"half")
        raise RuntimeError("disk full")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["rapport.xlsx"]


# --- a run stopped by a signal while it writes ---------------------------------------------------

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

# Runs the command line with the write stalled just before the rename: the temporary file is
# complete on disk; one byte on the `ready` pipe tells the test it may send the signal now.
_STALLED_RUN = """
import os, sys, time
from klyngerapport.cli import main
ready = int(sys.argv[1])
def stalled_fsync(fd):
    os.write(ready, b"w")
    time.sleep(600)
os.fsync = stalled_fsync
main(sys.argv[2:])
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize(
    ("argv", "stop", "code", "folder"),
    [
        (["generate", "2022"], signal.SIGTERM, 128 + signal.SIGTERM, "rapporter"),
        (["generate", "2022"], signal.SIGINT, 130, "rapporter"),
        (["template", "2022"], signal.SIGTERM, 128 + signal.SIGTERM, "skabeloner/2022"),
        (["template", "2022"], signal.SIGHUP, 128 + signal.SIGHUP, "skabeloner/2022"),
    ],
    ids=["generate-sigterm", "generate-sigint", "template-sigterm", "template-sighup"],
)
def test_a_signal_during_the_write_leaves_no_temporary_file(
    tmp_path: Path, argv: list[str], stop: signal.Signals, code: int, folder: str
) -> None:
    """SIGTERM, SIGHUP or Ctrl+C while the file is written: the hidden .tmp is removed, no
    half-written file appears, and the exit status says the run was stopped."""
    work = tmp_path / "samples"
    shutil.copytree(SAMPLES, work, ignore=shutil.ignore_patterns("rapporter", "skabeloner"))
    env = {k: v for k, v in os.environ.items() if k != "KLYNGERAPPORT_CONFIG"}
    reader, writer = os.pipe()
    child = subprocess.Popen(
        [sys.executable, "-c", _STALLED_RUN, str(writer), *argv],
        cwd=work,
        env=env,
        pass_fds=(writer,),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    os.close(writer)
    try:
        assert os.read(reader, 1) == b"w"
        written = work / folder
        assert any(p.name.endswith(".tmp") for p in written.iterdir())  # the write is under way
        child.send_signal(stop)
        _, stderr = child.communicate(timeout=120)
    finally:
        os.close(reader)
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == code, stderr.decode()
    assert b"Traceback" not in stderr and b"Uventet fejl" not in stderr
    assert list(written.iterdir()) == []
