"""Click in Danish: the only code that knows Click's and Typer's own (English) words.

The help's headings and usage line are set to Danish when help is shown. Click reports a bad
command line with exceptions whose messages are English; they are matched here by class name
(and, for two of them, by message) and said in Danish with a hint.
"""

from __future__ import annotations

import re
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from klyngerapport.errors import suggestion

HELP_TEXT = "Vis denne hjælp og afslut."


class _DanishHelp:
    """Typer's and Click's own words in the help ('Usage', 'Options', 'Show this message and
    exit.') in Danish. Set only when help is shown, so other runs never import Rich for it."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
        return option

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="Brug: ")

    def format_help(self, ctx: Any, formatter: Any) -> Any:
        from typer import rich_utils

        rich_utils.ARGUMENTS_PANEL_TITLE = "Argumenter"
        rich_utils.OPTIONS_PANEL_TITLE = "Tilvalg"
        rich_utils.COMMANDS_PANEL_TITLE = "Kommandoer"
        rich_utils.REQUIRED_LONG_STRING = "[påkrævet]"
        rich_utils.DEFAULT_STRING = "[standard: {}]"
        return super().format_help(ctx, formatter)  # type: ignore[misc]


class DanishGroup(_DanishHelp, TyperGroup):
    pass


class DanishCommand(_DanishHelp, TyperCommand):
    pass


# Click's usage errors; newer Typer vendors Click, so the class is found through Typer's own.
USAGE_ERROR: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError"
)
_TYPE_NAMES = {"integer": "et helt tal", "int": "et helt tal", "path": "en sti"}


def usage_message(exc: Exception, commands: list[str]) -> tuple[str, str]:
    """A Danish message and hint for one of Click's (English) usage errors; `commands` are the
    tool's commands, for a suggestion when one is misspelt."""
    kind = type(exc).__name__
    ctx = getattr(exc, "ctx", None)
    hint = f"Se '{ctx.command_path} --help'." if ctx is not None else "Se 'klyngerapport --help'."
    param = getattr(exc, "param", None)
    name = (
        (getattr(param, "metavar", None) or getattr(param, "name", None) or "").upper()
        if param is not None
        else ""
    )
    if param is not None and getattr(param, "opts", None) and param.opts[0].startswith("-"):
        name = param.opts[0]
    if kind == "NoSuchOption":
        possible = list(getattr(exc, "possibilities", None) or [])
        guess = f" Mente du {' eller '.join(possible)}?" if possible else ""
        return f"Ukendt tilvalg {getattr(exc, 'option_name', '')}.{guess}", hint
    if kind == "MissingParameter":
        return f"{name or 'Et argument'} mangler.", hint
    if kind == "BadParameter" and (own := getattr(exc, "danish", None)):
        return f"Ugyldig værdi for {name or 'et argument'}: {own}", hint
    if kind == "BadParameter":
        wanted = _TYPE_NAMES.get(getattr(getattr(param, "type", None), "name", ""), "")
        detail = f" Det skal være {wanted}." if wanted else ""
        return f"Ugyldig værdi for {name or 'et argument'}.{detail}", hint
    text = str(getattr(exc, "message", exc))
    if found := re.match(r"No such command '([^']*)'", text):
        commands = sorted(commands)
        return (
            f'Ukendt kommando "{found.group(1)}".{suggestion(found.group(1), commands)}',
            f"Kommandoerne er: {', '.join(commands)}.",
        )
    if found := re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", text):
        return f"For mange argumenter: {found.group(1)}.", hint
    return f"Forkert brug af kommandoen ({text}).", hint
