"""One-line messages (errors, what was written) and the progress bar."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.text import Text

from klyngerapport.model import Progress
from klyngerapport.render.terminal.screen import err, number, out


def error(message: str, hint: str = "") -> None:
    # soft_wrap: a message is one logical line, so it can be copied and grepped whole.
    err.print(Text("Fejl: ", style="bold red") + Text(message), soft_wrap=True)
    if hint:
        err.print(Text(hint, style="yellow"), soft_wrap=True)


def info(message: str) -> None:
    out.print(Text(message), soft_wrap=True)


def debug_traceback() -> None:
    err.print_exception()


@contextmanager
def progress(label: str) -> Iterator[Progress]:
    """A progress bar on stderr, shown only in a terminal and when there are 5 files or more."""
    if not err.is_terminal:
        yield lambda done, total, name: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
    from rich.progress import Progress as Bar

    bar = Bar(
        TextColumn(label, markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}", markup=False),
        console=err,
        transient=True,
    )
    task = bar.add_task("", total=None)

    def update(done: int, total: int, name: str) -> None:
        if total >= 5 and not bar.live.is_started:
            bar.start()
        bar.update(task, completed=done, total=total, description=name)

    try:
        yield update
    finally:
        bar.stop()


def export_done(path: str, rows: int, skipped: tuple[str, ...]) -> None:
    """What `export` wrote, and on stderr what it left out."""
    for line in skipped:
        err.print(Text("Ikke med: ", style="bold red") + Text(line), soft_wrap=True)
    engagements = "1 engagement" if rows == 1 else f"{number(rows)} engagementer"
    out.print(Text(f"Skrev {path} ({engagements})", style="bold"), soft_wrap=True)
