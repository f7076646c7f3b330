"""Atomic file writes: every file the tool writes appears whole or not at all."""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import Any, BinaryIO

# Signals that ask the process to stop; by default Python dies on them without running `finally`.
_STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGBREAK") if hasattr(signal, name)
)


@contextmanager
def atomic_write(path: Path) -> Iterator[BinaryIO]:
    """Write through a temporary file in the same folder, then rename it over `path`.

    The temporary name is hidden (".name.xxxx.tmp"), so a validate run over the folder meanwhile
    skips it; it is opened with 'x' rather than mkstemp, so the finished file gets the usual
    permissions of the user's umask. On any failure, Ctrl+C or stop signal (see
    `stop_signals_unwind`) the temporary file is removed and an existing file at `path` is left
    as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        with tmp.open("xb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM, SIGHUP): unwind so temporary files go."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    # One unwinding is enough: a second signal must not interrupt the clean-up of the first.
    for stop in _STOP_SIGNALS:
        with suppress(ValueError, OSError):
            signal.signal(stop, signal.SIG_IGN)
    raise Terminated(signum)


@contextmanager
def stop_signals_unwind() -> Iterator[None]:
    """While the block runs, a stop signal raises Terminated instead of killing the process, so
    every `finally` and `atomic_write` removes its temporary file; the block then ends with
    exit status 128 + the signal number, as the shell reports a process ended by it.

    Terminated is a BaseException, so no handler of ordinary errors on the way reports it as an
    unexpected error. Outside the main thread signals cannot be caught; nothing is installed.
    """
    previous: dict[int, Any] = {}
    for stop in _STOP_SIGNALS:
        with suppress(ValueError, OSError):
            previous[stop] = signal.signal(stop, _raise_terminated)
    try:
        yield
    except Terminated as exc:
        raise SystemExit(128 + exc.signum) from None
    finally:
        for stop, handler in previous.items():
            with suppress(ValueError, OSError, TypeError):
                signal.signal(stop, handler)
