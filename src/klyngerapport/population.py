"""The population basis of the co-financing: FOLK1A figures from files, folders, the bundled
quarter, and Statistikbanken's open API (`population fetch`, the tool's only network access).

A figure is never guessed: breakdown rows (KØN, ALDER, CIVILSTAND) are never added up or picked,
and two different figures for one municipality and quarter are an error naming both places.
"""

from __future__ import annotations

import csv
import http.client
import io
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from klyngerapport.atomic import atomic_write
from klyngerapport.errors import PopulationError
from klyngerapport.model import Population, quarter_date_text
from klyngerapport.paths import config_path, display_path
from klyngerapport.reference import BUILTIN_SOURCES, builtin_population_text, municipalities

if TYPE_CHECKING:
    from klyngerapport.config import Config

STATBANK_ENV = "KLYNGERAPPORT_STATBANK_URL"
STATBANK_URL = "https://api.statbank.dk/v1"
FOLDER = "befolkning"  # where `population fetch` writes, next to the config
TIMEOUT = 25.0  # seconds for the whole download: it fails within 30 s
MAX_BYTES = 2_000_000  # FOLK1A for 17 municipalities and one quarter is about 1 KB
QUARTER = re.compile(r"^(\d{4})K([1-4])$")

FOLK1A_HELP = (
    "Hent folketallet med 'klyngerapport population fetch KVARTAL' (fx 2024K1), eller hent FOLK1A "
    "fra statistikbanken.dk/FOLK1A: de 17 kommuner i Region Sjælland, det ønskede kvartal, "
    "køn/alder/civilstand i alt, gemt som CSV i mappen befolkning."
)

_BREAKDOWN = ("KØN", "ALDER", "CIVILSTAND")
_TOTAL_WORDS = {"i alt", "total", "tot", "ialt", "alder i alt", "age, total", "age total"}


@dataclass(frozen=True, slots=True)
class Figure:
    count: int
    place: str  # "befolkning/folk1a-2024K1.csv, linje 5": where the figure was read


@dataclass
class PopulationTable:
    """Every figure of every source: quarter -> municipality code -> figure."""

    figures: dict[str, dict[int, Figure]] = field(default_factory=dict)
    searched: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # source, quarters

    def add(self, quarter: str, code: int, figure: Figure) -> None:
        known = self.figures.setdefault(quarter, {}).get(code)
        if known is None:
            self.figures[quarter][code] = figure
        elif known.count != figure.count:
            name = municipalities().by_code(code).name
            raise PopulationError(
                f"To forskellige folketal for {name} i {quarter}: {_number(known.count)} "
                f"({known.place}) og {_number(figure.count)} ({figure.place}).",
                "Slet eller ret den fil, der er forkert; hent kvartalet igen med "
                f"'klyngerapport population fetch {quarter}'.",
            )


# --- reading -----------------------------------------------------------------------------------


def for_year(config: Config, year: int) -> Population:
    """The population basis of the co-financing in `year`, as [population] asks for it."""
    return load_population(
        config.population_sources, config.quarter_for(year), config.base, year=year
    )


def load_population(
    sources: tuple[str, ...] | list[str] | str,
    quarter: str,
    base: Path | None = None,
    year: int | None = None,
) -> Population:
    """Population per municipality in `quarter` from `sources` (files, folders, builtin:...).

    With `year`, the Population carries a note when `quarter` is not the one KKR's rule
    ("previous-year": 1st quarter of the year before) picks for that year.
    """
    table = read_sources([sources] if isinstance(sources, str) else list(sources), base)
    found = table.figures.get(quarter, {})
    index = municipalities()
    missing = [m.name for m in index.municipalities if m.code not in found]
    if not found:
        searched = "; ".join(
            f"{label}: {', '.join(quarters) if quarters else 'ingen kvartaler'}"
            for label, quarters in table.searched
        )
        raise PopulationError(
            f"Folketal for {quarter} ({quarter_date_text(quarter)}) findes ikke i kilderne "
            f"i [population] source ({searched}).",
            f"Hent kvartalet med: klyngerapport population fetch {quarter}",
        )
    if missing:
        places = sorted({f.place.rsplit(", linje", 1)[0] for f in found.values()})
        raise PopulationError(
            f"Folketal for {quarter} mangler for {', '.join(missing)} "
            f"(læst fra {', '.join(places)}).",
            f"Hent hele kvartalet med: klyngerapport population fetch {quarter}",
        )
    origins = sorted({f.place.rsplit(", linje", 1)[0] for f in found.values()})
    builtin = all(o == _BUILTIN_LABEL for o in origins)
    label = (
        f"FOLK1A {quarter} (indbygget i klyngerapport, Danmarks Statistik)"
        if builtin
        else f"FOLK1A {quarter}, Danmarks Statistik ({', '.join(origins)})"
    )
    note = ""
    if year is not None and quarter != f"{year - 1}K1":
        note = (
            f"Folketal fra {quarter} ({quarter_date_text(quarter)}). KKR's sædvanlige regel "
            f"bruger folketallet 1. januar året før, dvs. {year - 1}K1."
        )
    return Population(
        quarter=quarter,
        by_code={code: f.count for code, f in found.items()},
        source=label,
        rule_note=note,
    )


_BUILTIN_LABEL = "indbygget i klyngerapport"


def read_sources(sources: list[str], base: Path | None) -> PopulationTable:
    """Every FOLK1A figure in the sources, checked against each other."""
    table = PopulationTable()
    for source in sources:
        if source in BUILTIN_SOURCES:
            quarters = _add(table, builtin_population_text(source), _BUILTIN_LABEL)
            table.searched.append((source, quarters))
            continue
        path = config_path(source, base) if base is not None else Path(source).expanduser()
        shown = _shown(path, base)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
            seen: set[str] = set()
            for file in files:
                seen.update(_add(table, _read_text(file), _shown(file, base)))
            table.searched.append((f"mappen {shown}", tuple(sorted(seen))))
        elif path.is_file():
            table.searched.append((shown, _add(table, _read_text(path), shown)))
        elif source == FOLDER:
            # The folder `population fetch` writes to: named by default, made on first fetch.
            table.searched.append((f"mappen {shown} (findes ikke endnu)", ()))
        else:
            raise PopulationError(
                f"Kilden til folketal findes ikke: {shown} (i [population] source).",
                f"Ret stien, eller hent folketallet med 'klyngerapport population fetch "
                f"KVARTAL', som lægger filen i mappen {FOLDER}.",
            )
    return table


def _shown(path: Path, base: Path | None) -> str:
    """A source file as the user wrote it: relative to the config's folder where it lies there."""
    if base is not None:
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except (ValueError, OSError):
            pass
    return display_path(path)


def _add(table: PopulationTable, text: str, origin: str) -> tuple[str, ...]:
    figures = parse_folk1a(text, origin)
    for quarter, by_code in figures.items():
        for code, figure in by_code.items():
            table.add(quarter, code, figure)
    return tuple(sorted(figures))


def _read_text(path: Path) -> str:
    """A CSV file as text: UTF-8 (with or without BOM), else Windows-1252 (Excel's 'CSV')."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PopulationError(
            f"Filen med folketal {display_path(path)} kan ikke læses: {exc.strerror}.",
            FOLK1A_HELP,
        ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def parse_folk1a(text: str, origin: str) -> dict[str, dict[int, Figure]]:
    """Figures per quarter and municipality of one FOLK1A CSV (';' or ',' separated).

    Rows of other areas (the region, the country, other municipalities) are skipped. With KØN,
    ALDER or CIVILSTAND columns only the total row ("I alt"/"Total") counts; a municipality that
    has breakdown rows but no total row is refused, naming the line.
    """
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first else ("\t" if "\t" in first else ",")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().strip('"').upper() for h in next(reader, [])]
    wanted = ("OMRÅDE", "TID", "INDHOLD")
    if any(col not in header for col in wanted):
        raise PopulationError(
            f"{origin} har ikke kolonnerne OMRÅDE;TID;INDHOLD "
            f"(fandt: {';'.join(header) or 'intet'}).",
            FOLK1A_HELP,
        )
    area_i, time_i, value_i = (header.index(c) for c in wanted)
    breakdown = [(i, h) for i, h in enumerate(header) if h in _BREAKDOWN]
    index = municipalities()
    found: dict[str, dict[int, Figure]] = {}
    split_rows: dict[tuple[str, int], tuple[int, str]] = {}  # first breakdown row per key
    for line_no, row in enumerate(reader, start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) <= max(area_i, time_i, value_i, *(i for i, _ in breakdown)):
            raise PopulationError(
                f"{origin}, linje {line_no}: for få felter ({delimiter.join(row)}).", FOLK1A_HELP
            )
        area, quarter, value = row[area_i].strip(), row[time_i].strip(), row[value_i].strip()
        # OMRÅDE is "Næstved" or "370 Næstved"; regions and the whole country are skipped.
        municipality = index.match(area) or index.match(re.sub(r"^\d+\s+", "", area))
        if municipality is None:
            continue
        if not QUARTER.match(quarter):
            raise PopulationError(
                f'{origin}, linje {line_no}: "{quarter}" er ikke et kvartal som 2024K1.',
                FOLK1A_HELP,
            )
        parts = [f"{name} = {row[i].strip()}" for i, name in breakdown if not _total(row[i])]
        if parts:
            split_rows.setdefault((quarter, municipality.code), (line_no, ", ".join(parts)))
            continue
        count = _whole(value, f"{origin}, linje {line_no}", area)
        place = f"{origin}, linje {line_no}"
        known = found.setdefault(quarter, {}).get(municipality.code)
        if known is not None and known.count != count:
            raise PopulationError(
                f"To forskellige folketal for {municipality.name} i {quarter} i {origin}: "
                f"{_number(known.count)} (linje {known.place.rsplit(' ', 1)[-1]}) og "
                f"{_number(count)} (linje {line_no}).",
                "Filen må kun have én række pr. kommune og kvartal: hent FOLK1A med "
                "køn/alder/civilstand i alt.",
            )
        found[quarter].setdefault(municipality.code, Figure(count, place))
    for (quarter, code), (line_no, split) in sorted(split_rows.items(), key=lambda i: i[1][0]):
        if code not in found.get(quarter, {}):
            name = index.by_code(code).name
            raise PopulationError(
                f"{origin}, linje {line_no}: folketallet for {name} i {quarter} er opdelt "
                f"({split}), og filen har ingen række med i alt. Rækkerne lægges ikke sammen.",
                "Hent FOLK1A med køn, alder og civilstand i alt (én række pr. kommune), fx med "
                f"'klyngerapport population fetch {quarter}'.",
            )
    return found


def _total(value: str) -> bool:
    """'I alt', 'Total', 'Alder i alt', 'TOT', 'IALT Alder i alt': a breakdown's total."""
    text = re.sub(r"\s+", " ", value.strip().strip('"')).casefold()
    words = text.split(" ", 1)
    return (
        text in _TOTAL_WORDS
        or text.endswith(" i alt")
        or (len(words) == 2 and words[0] in ("tot", "ialt") and _total(words[1]))
    )


def _whole(value: str, where: str, area: str) -> int:
    cleaned = value.replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", cleaned):
        cleaned = cleaned.replace(".", "")
    if not cleaned.isdigit():
        raise PopulationError(
            f"{where}: folketallet '{value}' for {area} er ikke et helt tal.", FOLK1A_HELP
        )
    return int(cleaned)


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


# --- fetching ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fetched:
    quarter: str
    path: Path
    url: str


def statbank_url(quarter: str, base_url: str | None = None) -> str:
    """The API request for FOLK1A of the region's 17 municipalities in `quarter`.

    Variables left out of the query (KØN, ALDER, CIVILSTAND) are totalled by the API.
    """
    base = (base_url or os.environ.get(STATBANK_ENV) or STATBANK_URL).rstrip("/")
    codes = ",".join(str(m.code) for m in municipalities().municipalities)
    query = urllib.parse.urlencode({"OMRÅDE": codes, "Tid": quarter}, safe=",")
    return f"{base}/data/FOLK1A/CSV?{query}"


def check_quarter(text: str) -> str:
    quarter = text.strip().upper()
    if not QUARTER.match(quarter):
        raise PopulationError(
            f'"{text}" er ikke et kvartal.',
            "Skriv kvartalet som år, K og kvartalets nummer, fx 2024K1 (1. januar 2024).",
        )
    return quarter


def fetch(
    quarters: list[str], folder: Path, base_url: str | None = None, timeout: float = TIMEOUT
) -> list[Fetched]:
    """Download FOLK1A for each quarter into `folder`/folk1a-<QUARTER>.csv.

    Each file is what the server sent, written atomically only after it was checked: the 17
    municipalities, the one quarter asked for, whole numbers.
    """
    wanted = [check_quarter(q) for q in quarters]
    done: list[Fetched] = []
    for quarter in dict.fromkeys(wanted):
        url = statbank_url(quarter, base_url)
        target = folder / f"folk1a-{quarter}.csv"
        raw = _download(url, quarter, target, timeout)
        text = raw.decode("utf-8-sig", errors="replace")
        _check_download(text, quarter, url, target)
        with atomic_write(target) as handle:
            handle.write(raw)
        done.append(Fetched(quarter, target, url))
    return done


def _manual(url: str, target: Path) -> str:
    return (
        f"Hent filen i en browser og gem den som {display_path(target)}: {url}  "
        "Tjek internetforbindelsen (og en evt. proxy), og prøv igen."
    )


def _download(url: str, quarter: str, target: Path, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "klyngerapport"})
    deadline = time.monotonic() + timeout
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            chunks: list[bytes] = []
            size = 0
            while chunk := response.read(65536):
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_BYTES:
                    raise PopulationError(
                        f"Statistikbanken sendte mere end {MAX_BYTES // 1_000_000} MB for "
                        f"FOLK1A {quarter}; det ligner ikke folketal for 17 kommuner.",
                        _manual(url, target),
                    )
                if time.monotonic() > deadline:
                    raise TimeoutError
            return b"".join(chunks)
    except urllib.error.HTTPError as exc:
        detail = exc.read(500).decode("utf-8", errors="replace").strip().splitlines()
        said = f": {detail[0][:200]}" if detail else ""
        raise PopulationError(
            f"Statistikbanken svarede med fejl {exc.code} på forespørgslen efter FOLK1A "
            f"{quarter}{said}.",
            "Findes kvartalet endnu? Statistikbanken udgiver et kvartal ca. 6 uger efter "
            f"dets første dag. {_manual(url, target)}",
        ) from None
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", None) or exc
        if isinstance(exc, TimeoutError) or isinstance(reason, TimeoutError):
            said = f"svarede ikke inden for {timeout:.0f} sekunder"
        elif isinstance(reason, socket.gaierror):
            said = "kunne ikke findes (er der forbindelse til internettet?)"
        elif isinstance(reason, ConnectionRefusedError):
            said = "afviste forbindelsen"
        else:
            said = f"kunne ikke nås ({getattr(reason, 'strerror', None) or reason})"
        raise PopulationError(
            f"Statistikbanken {said}, så FOLK1A {quarter} blev ikke hentet.",
            _manual(url, target),
        ) from None


def _check_download(text: str, quarter: str, url: str, target: Path) -> None:
    try:
        figures = parse_folk1a(text, "svaret fra Statistikbanken")
    except PopulationError as exc:
        raise PopulationError(
            f"{exc.message} Filen blev ikke gemt.", _manual(url, target)
        ) from None
    other = sorted(q for q in figures if q != quarter)
    found = figures.get(quarter, {})
    missing = [m.name for m in municipalities().municipalities if m.code not in found]
    if other or missing:
        problem = (
            f"kvartaler, der ikke blev bedt om ({', '.join(other)})"
            if other
            else f"ingen folketal for {', '.join(missing)}"
        )
        raise PopulationError(
            f"Svaret fra Statistikbanken for FOLK1A {quarter} har {problem}. Filen blev ikke gemt.",
            _manual(url, target),
        )
