"""Standard output and error that never stop the tool: any console encoding, any closed pipe.

A Windows console or file redirect in cp1252, or `PYTHONIOENCODING=ascii`, cannot encode ✓, →
or (in ASCII) æøå; Python's default 'strict' error handler would end the run with
UnicodeEncodeError. `prepared_streams()` gives sys.stdout and sys.stderr the error handler
registered here, which writes a readable stand-in instead ("->" for "→", "ae" for "æ" where the
encoding has no "æ"), so every writer (Rich, Click's usage and help texts, plain writes) is
covered in one place. JSON is escaped to ASCII instead (`write_json`), so it stays exact.

A reader that stops early (`klyngerapport validate | head -1`) closes the pipe; the next write
raises BrokenPipeError. The streams turn it into PipeClosed, which no error handler of a
command or of Click catches, and the run ends quietly with exit 0.
"""

from __future__ import annotations

import codecs
import functools
import os
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, TextIO

FALLBACK = "klyngerapport-fallback"

# Stand-ins are ASCII, so every encoding a console uses can write them.
_STAND_INS = {
    "✓": "OK",
    "✔": "OK",
    "✗": "X",
    "✘": "X",
    "→": "->",
    "❱": ">",
    "❯": ">",
    "←": "<-",
    "⇒": "=>",
    "–": "-",
    "—": "--",
    "−": "-",
    "…": "...",
    "‘": "'",
    "’": "'",
    "‚": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "«": "<<",
    "»": ">>",
    "•": "*",
    "·": ".",
    "×": "x",
    "½": "1/2",
    "§": "par.",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
    "æ": "ae",
    "Æ": "Ae",
    "ø": "oe",
    "Ø": "Oe",
    "å": "aa",
    "Å": "Aa",
    "ß": "ss",
    "€": "EUR",
}


class PipeClosed(BaseException):
    """The reader of standard output or error has gone (`| head`): stop quietly.

    A BaseException, so neither a command's handler of unexpected errors nor Click's own
    handling of broken pipes (exit 1) catches it on its way to `prepared_streams`.
    """


@functools.lru_cache(maxsize=512)
def stand_in(char: str, utf: bool = False) -> str:
    """A readable ASCII stand-in for a character a console cannot encode."""
    if char in _STAND_INS:
        return _STAND_INS[char]
    if 0xD800 <= ord(char) <= 0xDFFF:
        # A lone surrogate: a byte of a file name that is not UTF-8.
        return "\ufffd" if utf else "?"
    name = unicodedata.name(char, "")
    if name.startswith("BOX DRAWINGS"):
        words = set(name.split())
        across = words & {"HORIZONTAL", "LEFT", "RIGHT"}
        down = words & {"VERTICAL", "UP", "DOWN"}
        if "ARC" in words or "DIAGONAL" in words or (across and down):
            return "+"
        if across:
            return "=" if "DOUBLE" in words else "-"
        return "|"
    if name.endswith(("BLOCK", "SHADE")):
        return "#"
    if unicodedata.category(char) == "Zs":
        return " "
    # Accented letters lose the accent (é -> e); what is left must be plain ASCII.
    plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if plain and plain.isascii() and plain.isprintable():
        return plain
    return "?"


def _fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    utf = error.encoding.lower().replace("-", "").replace("_", "").startswith("utf")
    text = error.object[error.start : error.end]
    return "".join(stand_in(c, utf) for c in text), error.end


codecs.register_error(FALLBACK, _fallback)


def fit(text: str, encoding: str) -> str:
    """`text` as it will appear in `encoding`: characters it cannot hold replaced by stand-ins.
    Lets a table be measured with what will really be printed, so its columns stay aligned."""
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode(encoding, FALLBACK).decode(encoding)
    except LookupError:  # an encoding Python does not know: leave it to the stream
        pass
    return text


def is_utf(stream: Any) -> bool:
    """Whether `stream` writes a Unicode encoding (everything can be written as it is)."""
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "")
    return encoding.replace("_", "").startswith("utf")


class _GuardedStream:
    """A text stream that reports a closed pipe as PipeClosed; everything else is the stream's."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise PipeClosed from None

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise PipeClosed from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _prepare(stream: TextIO) -> tuple[TextIO, str | None]:
    """Give `stream` the fallback error handler; returns it and the handler to restore."""
    if isinstance(stream, _GuardedStream):
        return stream, None
    errors = getattr(stream, "errors", None)
    with suppress(AttributeError, ValueError, OSError):
        stream.reconfigure(errors=FALLBACK)  # type: ignore[attr-defined]
    return stream, errors


def _silence() -> None:
    """Point standard output and error at the null device, so nothing more fails on the pipe
    (Python flushes them once more when it exits)."""
    with suppress(OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        for stream in (sys.__stdout__, sys.__stderr__):
            if stream is not None:
                with suppress(OSError, ValueError):
                    os.dup2(null, stream.fileno())
        os.close(null)


@contextmanager
def prepared_streams() -> Iterator[None]:
    """Run the command line with streams that fall back to ASCII and end quietly on a closed
    pipe (exit 0). Restores the streams afterwards (tests call main() many times).

    A stream closed before the start (`klyngerapport ... >&-`: Python sets it to None) writes
    to the null device instead, as nobody reads it.
    """
    originals = (sys.stdout, sys.stderr)
    discard = [open(os.devnull, "w", encoding="utf-8") for s in originals if s is None]  # noqa: SIM115
    spare = iter(discard)
    saved = [_prepare(s if s is not None else next(spare)) for s in originals]
    sys.stdout, sys.stderr = (_GuardedStream(s) for s, _ in saved)
    try:
        try:
            yield
        finally:
            # What is still buffered is written here, where a closed pipe is still handled.
            sys.stdout.flush()
            sys.stderr.flush()
    except PipeClosed:
        _silence()
        raise SystemExit(0) from None
    finally:
        sys.stdout, sys.stderr = originals
        for stream, errors in saved:
            if errors is not None:
                with suppress(AttributeError, ValueError, OSError):
                    stream.reconfigure(errors=errors)  # type: ignore[attr-defined]
        for stream in discard:
            stream.close()


def write_json(document: Any) -> None:
    """One JSON document on stdout: readable UTF-8 where the stream writes Unicode, otherwise
    escaped to ASCII (still exact JSON, whatever the console's code page)."""
    import json  # here, not at the top: every command's start-up imports this module

    text = json.dumps(document, ensure_ascii=not is_utf(sys.stdout), indent=2)
    sys.stdout.write(text + "\n")
