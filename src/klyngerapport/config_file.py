"""Finding and reading klyngerapport.toml: discovery, TOML syntax errors explained in Danish,
and the placeholders `init` writes for every value the seed does not give."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from klyngerapport.errors import ConfigError

CONFIG_NAME = "klyngerapport.toml"
ENV_VAR = "KLYNGERAPPORT_CONFIG"
# What `init` writes for every value the seed does not give; no command runs while one is left.
PLACEHOLDER = "UDFYLD"


def discover(explicit: Path | None, cwd: Path | None = None) -> Path:
    """--config, else $KLYNGERAPPORT_CONFIG, else klyngerapport.toml here or in a parent folder."""
    if explicit is not None:
        return _given(explicit, "angivet med --config", "Ret stien")
    env = os.environ.get(ENV_VAR)
    if env:
        return _given(Path(env), f"angivet i {ENV_VAR}", f"Ret {ENV_VAR}, eller fjern den")
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    raise ConfigError(
        f"Fandt ingen {CONFIG_NAME} i {here} eller mapperne over den.",
        "Opret en arbejdsmappe med 'klyngerapport init MAPPE', gå ind i den, "
        "eller angiv filen med --config.",
    )


def _given(path: Path, how: str, fix: str) -> Path:
    """A config named by the user: a file, or a folder that holds klyngerapport.toml."""
    if path.is_dir():
        inside = path / CONFIG_NAME
        if inside.is_file():
            return inside
        raise ConfigError(
            f"Mappen {path} ({how}) indeholder ingen {CONFIG_NAME}.",
            f"{fix} til selve filen eller til en mappe med {CONFIG_NAME}, eller opret en "
            "arbejdsmappe med 'klyngerapport init MAPPE'.",
        )
    if not path.is_file():
        raise ConfigError(
            f"Konfigurationsfilen {path} findes ikke ({how}).",
            f"{fix}, eller opret en arbejdsmappe med 'klyngerapport init'.",
        )
    return path


def read_toml(path: Path) -> tuple[str, dict[str, Any]]:
    """The text and the TOML tables of a config file; syntax errors explained in Danish."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"Konfigurationsfilen {path} kan ikke læses: {exc.strerror}.") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(
            f"{path} er ikke gemt som UTF-8.", "Gem filen som UTF-8 i din teksteditor."
        ) from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(path, text, str(exc)) from None


def placeholders(text: str) -> list[tuple[int, str]]:
    """(line, key) of every value still holding the placeholder `init` wrote, in file order."""
    found: list[tuple[int, str]] = []
    table = ""  # the current [table], or [[array]][n]
    counts: dict[str, int] = {}  # [[array]] headers seen so far
    for number, line in enumerate(text.splitlines(), start=1):
        code = _without_comment(line).strip()
        if header := re.match(r"^\[\[\s*([^\]]+?)\s*\]\]$", code):
            name = header.group(1)
            counts[name] = counts.get(name, -1) + 1
            table = f"{name}[{counts[name]}]"
        elif header := re.match(r"^\[\s*([^\]]+?)\s*\]$", code):
            table = header.group(1)
        elif f'"{PLACEHOLDER}' in code or f"'{PLACEHOLDER}" in code:
            key = code.split("=", 1)[0].strip().strip('"') if "=" in code else ""
            found.append((number, ".".join(p for p in (table, key) if p)))
    return found


def _without_comment(line: str) -> str:
    """The line without a trailing # comment (a # inside a string is kept)."""
    quote = ""
    for i, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            return line[:i]
    return line


_TOML_MESSAGES = (
    ("Expected '=' after a key", "der mangler et '=' efter en nøgle"),
    ("Expected newline or end of document", "der står mere på linjen efter værdien"),
    ("Invalid initial character for a key", "ugyldigt tegn i en nøgle"),
    ("Unterminated string", "en tekst mangler sit afsluttende anførselstegn"),
    ("Illegal character", "en tekst, der ikke er afsluttet, eller et ulovligt tegn i en tekst"),
    ("Unescaped", "et '\\' i en tekst, som TOML læser som et specialtegn"),
    ("Invalid hex value", "et '\\' i en tekst, som TOML læser som et specialtegn"),
    ("Invalid escape", "et '\\' i en tekst, som TOML læser som et specialtegn"),
    ("Cannot overwrite a value", "en nøgle står to gange"),
    ("Cannot declare", "en tabel står to gange"),
    ("Unclosed array", "en liste mangler sin afsluttende ']'"),
    ("Unclosed inline table", "en tabel mangler sin afsluttende '}'"),
    ("Invalid value", "en ugyldig værdi"),
    ("Invalid statement", "en linje, der ikke er en nøgle = værdi"),
)


def _syntax_error(path: Path, text: str, detail: str) -> ConfigError:
    """A TOML syntax error in Danish, with the line and a hint for the usual slips."""
    pos = re.search(r"\s*\(at line (\d+), column (\d+)\)", detail)
    english = detail[: pos.start()] if pos else re.sub(r"\s*\(at end of document\)", "", detail)
    what = next((da for en, da in _TOML_MESSAGES if english.startswith(en)), None)
    described = f"syntaksfejl – {what}" if what is not None else f"syntaksfejl ({english})"
    lines = text.splitlines()
    number = int(pos.group(1)) if pos else 0
    where = f", linje {number}" if pos else " (i slutningen af filen)"
    line = lines[number - 1] if 0 < number <= len(lines) else ""
    hint = _syntax_hint(_without_comment(line) if line else "", english)
    shown = f"\n  {line.strip()}" if line.strip() else ""
    return ConfigError(f"{path}{where}: {described}.{shown}", hint)


def _syntax_hint(line: str, english: str) -> str:
    """A hint for the usual slips on the line: Danish number formats, æøå in keys, Windows paths."""
    if re.search(r"=\s*-?\d{1,3}(\.\d{3})+(\s|$|,|\})", line):
        return (
            "Tal skrives uden punktum som tusindtalsskille: skriv 1_000_000 eller 1000000, "
            "ikke 1.000.000."
        )
    if re.search(r"=\s*-?\d+,\d+(\s|$|\})", line):
        return "Decimaltal skrives med punktum: 0.8, ikke 0,8."
    keys = re.findall(r"(?:^|[{,])\s*([^\s=\"',{}\[\]]+)\s*=", line)
    odd = next((k for k in keys if not re.fullmatch(r"[A-Za-z0-9_.-]+", k)), None)
    if odd is not None:
        return (
            f"En nøgle med æ, ø, å eller andre specialtegn skal stå i anførselstegn: skriv "
            f'"{odd}" = ..., fx "GRØN" = 20 – eller brug et id uden dem, fx GROEN.'
        )
    if re.search(r'"[^"]*\\[^"]*"?', line):
        return (
            "En Windows-sti skal skrives med / (C:/Data/befolkning) eller i enkelte "
            "anførselstegn ('C:\\Data\\befolkning'), fordi \\ betyder noget særligt i \"...\"."
        )
    if line.count('"') % 2 or english.startswith(("Unterminated string", "Illegal character")):
        return "Tjek, at teksten på linjen har anførselstegn i begge ender."
    if english.startswith("Unclosed"):
        return "Tjek, at hver [ og { på linjen bliver lukket med ] og }."
    return "Tjek anførselstegn, kommaer og klammer på linjen."
