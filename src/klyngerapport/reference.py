"""Bundled reference data: the municipalities of Region Sjælland and FOLK1A population.

Every match of a municipality name or code in the tool goes through `MunicipalityIndex.match`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path

from klyngerapport.errors import PopulationError
from klyngerapport.model import Municipality, Population
from klyngerapport.paths import config_path

BUILTIN_POPULATION = "builtin:folk1a-2023K1"
BUILTIN_QUARTER = "2023K1"
FOLK1A_HELP = (
    "Hent folketallet fra Danmarks Statistik: statistikbanken.dk/FOLK1A → vælg de 17 kommuner i "
    "Region Sjælland, 'Tid' = det ønskede kvartal (fx 2024K1), alder/køn/civilstand i alt → "
    "'Gem som' CSV (semikolonsepareret). Angiv filen i [population] source i klyngerapport.toml."
)

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


def load_population(source: str, quarter: str, base: Path | None = None) -> Population:
    """Population per municipality in `quarter` from the bundled data or a FOLK1A CSV download."""
    if source == BUILTIN_POPULATION:
        text = (
            resources.files("klyngerapport")
            .joinpath("data/folk1a-region-sjaelland-2023K1.csv")
            .read_text("utf-8-sig")
        )
        label = f"FOLK1A {BUILTIN_QUARTER} (indbygget i klyngerapport, Danmarks Statistik)"
        origin = "det indbyggede folketal"
    else:
        path = config_path(source, base) if base is not None else Path(source).expanduser()
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            raise PopulationError(f"Filen med folketal findes ikke: {path}", FOLK1A_HELP) from None
        except UnicodeDecodeError:
            raise PopulationError(
                f"Filen med folketal {path} er ikke UTF-8-tekst.",
                "Gem filen fra Statistikbanken som CSV (UTF-8).",
            ) from None
        except OSError as exc:
            raise PopulationError(
                f"Filen med folketal {path} kan ikke læses: {exc.strerror}.", FOLK1A_HELP
            ) from None
        label = f"FOLK1A {quarter}, Danmarks Statistik ({path.name})"
        origin = str(path)
    by_code = parse_folk1a(text, quarter, origin)
    return Population(quarter=quarter, by_code=by_code, source=label)


def parse_folk1a(text: str, quarter: str, origin: str) -> dict[int, int]:
    """Parse a Statistikbanken FOLK1A CSV (OMRÅDE;TID;INDHOLD) for one quarter."""
    index = municipalities()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    header = [h.strip().strip('"').upper() for h in next(reader, [])]
    wanted = ("OMRÅDE", "TID", "INDHOLD")
    if any(col not in header for col in wanted):
        raise PopulationError(
            f"{origin} har ikke kolonnerne OMRÅDE;TID;INDHOLD "
            f"(fandt: {';'.join(header) or 'intet'}).",
            FOLK1A_HELP,
        )
    area_i, time_i, value_i = (header.index(c) for c in wanted)
    found: dict[int, int] = {}
    quarters_seen: set[str] = set()
    for line_no, row in enumerate(reader, start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) <= max(area_i, time_i, value_i):
            raise PopulationError(
                f"{origin}, linje {line_no}: for få felter ({';'.join(row)}).", FOLK1A_HELP
            )
        area, time, value = row[area_i].strip(), row[time_i].strip(), row[value_i].strip()
        quarters_seen.add(time)
        if time != quarter:
            continue
        # OMRÅDE is "Næstved" or "370 Næstved"; regions and the whole country are skipped.
        municipality = index.match(area) or index.match(re.sub(r"^\d+\s+", "", area))
        if municipality is None:
            continue
        try:
            count = int(value.replace(".", "").replace(" ", ""))
        except ValueError:
            raise PopulationError(
                f"{origin}, linje {line_no}: folketallet '{value}' for {area} er ikke et helt tal.",
                FOLK1A_HELP,
            ) from None
        if count < 0:
            raise PopulationError(
                f"{origin}, linje {line_no}: negativt folketal for {area}.", FOLK1A_HELP
            )
        found[municipality.code] = count
    if not found:
        seen = ", ".join(sorted(quarters_seen)) or "ingen"
        raise PopulationError(
            f"Folketal for kvartalet {quarter} findes ikke i {origin} (kvartaler i filen: {seen}).",
            FOLK1A_HELP,
        )
    if not any(found.values()):
        raise PopulationError(f"{origin}: alle folketal for {quarter} er 0.", FOLK1A_HELP)
    missing = [m.name for m in index.municipalities if m.code not in found]
    if missing:
        raise PopulationError(
            f"{origin} mangler folketal for {quarter} for: {', '.join(missing)}.", FOLK1A_HELP
        )
    return found
