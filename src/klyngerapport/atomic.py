"""Atomic file writes: every file the tool writes appears whole or not at all."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def atomic_write(path: Path) -> Iterator[BinaryIO]:
    """Write through a temporary file in the same folder, then rename it over `path`.

    The temporary name is hidden (".name.xxxx.tmp"), so a validate run over the folder meanwhile
    skips it; it is opened with 'x' rather than mkstemp, so the finished file gets the usual
    permissions of the user's umask. On any failure the temporary file is removed and an existing
    file at `path` is left as it was.
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
