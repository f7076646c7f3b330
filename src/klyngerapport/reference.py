"""Bundled reference data: the municipalities of Region Sjælland and FOLK1A population.

Reading population sources (files, folders, the bundled quarter) is population.py's job.

Every match of a municipality name or code in the tool goes through `MunicipalityIndex.match`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from functools import cache
from importlib import resources

from klyngerapport.model import Municipality

BUILTIN_POPULATION = "builtin:folk1a-2023K1"
# The population quarters bundled with the package: source name -> data file.
BUILTIN_SOURCES = {BUILTIN_POPULATION: "folk1a-region-sjaelland-2023K1.csv"}

_ASCII_FOLD = (("æ", "ae"), ("ø", "oe"), ("å", "aa"))
_QUARTER = re.compile(r"^(\d{4})K([1-4])$")
_CODE = re.compile(r"\d{1,4}([.,]0+)?")
# Invisible characters from copy-paste (zero-width space, joiners, BOM, soft hyphen) are dropped;
# hyphens and dashes count as spaces ("Lyngby Taarbæk", "Høje–Taastrup").
_FOLD_CHARS = str.maketrans(
    {
        **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad", ""),
        **dict.fromkeys("-\u2010\u2011\u2012\u2013\u2014\u2212", " "),
    }
)
_SUFFIX = re.compile(r"\s+(?:regions)?kommune$")
_PREFIX = re.compile(r"^kommune\s+")


def fold(name: str) -> str:
    """Normalise a municipality name for matching: NFC, case, invisible characters, hyphens as
    spaces, ' Kommune' / ' Regionskommune', æ/ø/å as ae/oe/aa."""
    text = unicodedata.normalize("NFC", name).translate(_FOLD_CHARS).casefold()
    text = " ".join(text.split())
    text = _PREFIX.sub("", _SUFFIX.sub("", text))
    for letter, ascii_ in _ASCII_FOLD:
        text = text.replace(letter, ascii_)
    return text


class MunicipalityIndex:
    """Looks municipalities up by any accepted spelling or code; built once, used per row."""

    def __init__(self, items: tuple[Municipality, ...]) -> None:
        self.municipalities = items
        self._by_key: dict[object, Municipality] = {}
        for m in items:
            # Exact spellings and codes first: the common case is a dictionary hit.
            for key in (m.name, fold(m.name), str(m.code), f"{m.code:04d}", m.code, float(m.code)):
                self._by_key[key] = m
        # The genitive Danes write before "Kommune" ("Københavns Kommune", "Bornholms
        # Regionskommune") and its reverse ("Vesthimmerland" for Vesthimmerlands): a variant
        # never takes a key that is another municipality's name.
        for m in items:
            folded = fold(m.name)
            variant = folded[:-1] if folded.endswith("s") else folded + "s"
            self._by_key.setdefault(variant, m)

    def match(self, value: object) -> Municipality | None:
        """A municipality by name ('Næstved', 'naestved kommune') or code (370, '0370', 370.0)."""
        if isinstance(value, bool) or value is None:
            return None
        if isinstance(value, int | float | str):
            found = self._by_key.get(value)
            if found is not None:
                return found
        if isinstance(value, float | int):
            return None
        key = str(value).strip()
        if _CODE.fullmatch(key):
            return self._by_key.get(str(int(float(key.replace(",", ".")))))
        return self._by_key.get(fold(key))

    def by_code(self, code: int) -> Municipality:
        found = self._by_key.get(code)
        if found is None:
            raise KeyError(code)
        return found

    def names(self) -> list[str]:
        return [m.name for m in self.municipalities]


def _read_municipalities(name: str) -> MunicipalityIndex:
    text = resources.files("klyngerapport").joinpath(f"data/{name}").read_text("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    found = sorted(
        (Municipality(int(r["kode"]), r["navn"].strip()) for r in rows), key=lambda m: m.code
    )
    return MunicipalityIndex(tuple(found))


@cache
def municipalities() -> MunicipalityIndex:
    """The 17 municipalities of Region Sjælland, ordered by code: the ones that can pay."""
    return _read_municipalities("kommuner-region-sjaelland.csv")


@cache
def danish_municipalities() -> MunicipalityIndex:
    """All 98 Danish municipalities: where a participating company may be registered."""
    return _read_municipalities("kommuner-danmark.csv")


def builtin_population_text(source: str) -> str:
    """The bundled FOLK1A CSV behind a "builtin:folk1a-<QUARTER>" source."""
    name = BUILTIN_SOURCES[source]
    return resources.files("klyngerapport").joinpath(f"data/{name}").read_text("utf-8-sig")
