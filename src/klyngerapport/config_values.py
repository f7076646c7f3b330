"""Reading the tables of klyngerapport.toml: typed values, and errors that name the key, the
file and (where it can be found) the line.

The config parser (config.py) and the parts it hands a table to (config_parts.py) read every value
through one TableReader, so a mistake is reported the same way wherever it is.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from klyngerapport.errors import ConfigError, suggestion
from klyngerapport.model import Municipality
from klyngerapport.reference import municipalities


class TableReader:
    """Typed values out of the config's TOML tables; `fail` names the key, file and line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def _line(self, key: str) -> str:
        """', linje N' for the line that assigns `key` (best effort), else ''.

        `office[1].lead` is looked for after the second [[office]] header, and
        `targets.x.2022.VIRK` after the [targets.x] header, so the line is the entry's own.
        """
        start = 0
        if found := re.match(r"(office|grant|indicator)\[(\d+)\]", key):
            headers = [
                n
                for n, line in enumerate(self.lines)
                if re.match(rf"^\s*\[\[\s*{found.group(1)}\s*\]\]", line)
            ]
            index = int(found.group(2))
            start = headers[index] if index < len(headers) else 0
        elif found := re.match(r"(national_targets|targets)\.([a-z0-9-]+)", key):
            section, office = found.group(1), re.escape(found.group(2))
            start = next(
                (
                    n
                    for n, line in enumerate(self.lines)
                    if re.match(rf"^\s*\[\s*{section}\.{office}\s*\]", line)
                ),
                0,
            )
        parts = [p for p in key.split(".") if not p.startswith(("office[", "grant[", "indicator["))]
        last = re.sub(r"\[\d+\]$", "", parts[-1]) if parts else key
        pattern = re.compile(
            rf"(^|[{{,\s])\"?{re.escape(last)}\"?\s*=|"
            rf"^\s*\[+\s*{re.escape(key)}\s*\]+"
        )
        for number in range(start, len(self.lines)):
            if pattern.search(self.lines[number]):
                return f", linje {number + 1}"
        return ""

    def fail(self, key: str, message: str, hint: str = "") -> ConfigError:
        return ConfigError(
            f"{self.path.name}{self._line(key)}: {key}: {message}",
            hint or f"Ret nøglen i {self.path}.",
        )

    def check_keys(self, table: dict[str, Any], allowed: tuple[str, ...], prefix: str) -> None:
        for key in table:
            if key not in allowed:
                where = f"{prefix}.{key}" if prefix else key
                raise self.fail(
                    where,
                    f"ukendt nøgle.{suggestion(key, allowed)}",
                    f"Tilladte nøgler her: {', '.join(allowed)}.",
                )

    def get(
        self,
        table: dict[str, Any],
        key: str,
        typ: type,
        prefix: str,
        default: Any = None,
        required: bool = True,
    ) -> Any:
        where = f"{prefix}.{key}" if prefix else key
        if key not in table:
            if default is not None or not required:
                return default
            raise self.fail(where, "mangler.", f"Tilføj {key} = ... i {self.path}.")
        value = table[key]
        ok = isinstance(value, typ) and not (typ in (int, float) and isinstance(value, bool))
        if typ is float and isinstance(value, int) and not isinstance(value, bool):
            ok, value = True, float(value)
        if not ok:
            raise self.fail(where, f"skal være {article(typ)}, men er {describe(value)}.")
        return value

    def municipality(self, value: Any, where: str) -> Municipality:
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise self.fail(where, f"skal være et kommunenavn, ikke {describe(value)}.")
        found = municipalities().match(value)
        if found is None:
            raise self.fail(
                where,
                f'"{value}" er ikke en kommune i Region Sjælland.'
                f"{suggestion(str(value), municipalities().names())}",
            )
        return found

    def years(self, table: dict[str, Any], prefix: str) -> tuple[int, int]:
        value = self.get(table, "years", list, prefix)
        if (
            len(value) != 2
            or not all(
                isinstance(y, int) and not isinstance(y, bool) and 1900 <= y <= 2999 for y in value
            )
            or value[0] > value[1]
        ):
            raise self.fail(
                f"{prefix}.years",
                f"skal være [første år, sidste år], fx [2021, 2024], ikke {value}.",
            )
        return value[0], value[1]

    def array(self, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, f"skal skrives som [[{key}]]-tabeller.")
        return value


def article(typ: type) -> str:
    return {
        str: "en tekst",
        int: "et helt tal",
        float: "et tal",
        list: "en liste",
        dict: "en tabel",
        bool: "sand eller falsk (true/false)",
    }.get(typ, typ.__name__)


def describe(value: Any) -> str:
    """'et helt tal (5)', 'en tekst ("Greve")', 'en liste': what a value is, in Danish."""
    name = article(type(value))
    if isinstance(value, dict | list):
        return name
    shown = f'"{value}"' if isinstance(value, str) else str(value).lower()
    return f"{name} ({shown})"
