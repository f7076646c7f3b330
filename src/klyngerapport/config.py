"""klyngerapport.toml -> a typed, validated Config.

Every mistake is a ConfigError that names the key, the file and (where it can be found) the line.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from klyngerapport.errors import ConfigError, suggestion
from klyngerapport.model import Grant, Indicator, Municipality, Office
from klyngerapport.reference import BUILTIN_SOURCES, municipalities
from klyngerapport.schema import ACTIVITIES, DERIVED_KINDS

CONFIG_NAME = "klyngerapport.toml"
ENV_VAR = "KLYNGERAPPORT_CONFIG"
OFFICE_ID = re.compile(r"^[a-z0-9-]+$")
INDICATOR_ID = re.compile(r"^[A-Z0-9-]+$")
QUARTER = re.compile(r"^\d{4}K[1-4]$")
DEFAULT_SOURCES = ("befolkning", "builtin:folk1a-2023K1")
# What `init` writes for every value the seed does not give; no command runs while one is left.
PLACEHOLDER = "UDFYLD"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class SubmissionSetup:
    """[submission]: when and to whom the offices send their workbooks ("" = not given)."""

    deadline: tuple[int, int] | None = None  # (day, month) in the year after the submission year
    recipient: str = ""
    email: str = ""
    contact: str = ""

    def deadline_date(self, year: int) -> dt.date | None:
        """The deadline for the submission of `year` (it falls in the year after)."""
        if self.deadline is None:
            return None
        day, month = self.deadline
        return dt.date(year + 1, month, day)

    def deadline_text(self, year: int) -> str:
        """'31-01-2023' for the submission of 2022, or '' when no deadline is set."""
        date = self.deadline_date(year)
        return date.strftime("%d-%m-%Y") if date is not None else ""


@dataclass(frozen=True)
class Config:
    path: Path
    region: str
    council: str
    population_sources: tuple[str, ...]  # files, folders and "builtin:..." in the order given
    population_reference: str  # "previous-year", "same-year" or "YYYYKq"
    submissions: str
    reports: str
    templates: str
    amount_per_office: int
    lead_share: int
    # (first year, municipalities) in year order; first year None: in force from the start.
    non_participating_by_year: tuple[tuple[int | None, tuple[Municipality, ...]], ...]
    partial: float
    offices: tuple[Office, ...]
    grants: tuple[Grant, ...]
    indicators: tuple[Indicator, ...]
    targets: dict[str, dict[int, dict[str, float]]]  # office id -> year -> indicator id -> target
    # The cluster organisation's own contract with UFS (PRODUCT.md §10), same shape as targets.
    national_targets: dict[str, dict[int, dict[str, float]]] = field(default_factory=dict)
    submission: SubmissionSetup = SubmissionSetup()

    @property
    def base(self) -> Path:
        return self.path.parent

    def resolve(self, template: str, year: int | None = None) -> Path:
        from klyngerapport.paths import config_path

        text = template.replace("{year}", str(year)) if year is not None else template
        return config_path(text, self.base)

    def submissions_dir(self, year: int) -> Path:
        return self.resolve(self.submissions, year)

    def templates_dir(self, year: int) -> Path:
        return self.resolve(self.templates, year)

    def reports_dir(self, year: int | None = None) -> Path:
        return self.resolve(self.reports, year)

    def quarter_for(self, year: int) -> str:
        """The FOLK1A quarter whose population splits the co-financing of `year`."""
        if self.population_reference == "previous-year":
            return rule_quarter(year)
        if self.population_reference == "same-year":
            return f"{year}K1"
        return self.population_reference

    def office(self, office_id: str) -> Office | None:
        return next((o for o in self.offices if o.id == office_id), None)

    def active_offices(self, year: int) -> tuple[Office, ...]:
        return tuple(o for o in self.offices if o.active(year))

    def indicator(self, indicator_id: str) -> Indicator | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)

    def contract(self, office_id: str, year: int) -> list[tuple[Indicator, float]]:
        """The office's contract indicators for the year with their targets, in catalogue order."""
        targets = self.targets.get(office_id, {}).get(year, {})
        return [(i, targets[i.id]) for i in self.indicators if i.id in targets]

    def national_contract(self, office_id: str, year: int) -> list[tuple[Indicator, float]]:
        """The office's national (UFS) indicators for the year with their targets, if any."""
        targets = self.national_targets.get(office_id, {}).get(year, {})
        return [(i, targets[i.id]) for i in self.indicators if i.id in targets]

    def non_participating(self, year: int) -> tuple[Municipality, ...]:
        """The municipalities that do not take part in `year` (the list in force that year)."""
        return _in_force(self.non_participating_by_year, year)

    def participating(self, year: int) -> tuple[Municipality, ...]:
        """The municipalities that take part in `year`, by code."""
        excluded = {m.code for m in self.non_participating(year)}
        return tuple(m for m in municipalities().municipalities if m.code not in excluded)


def rule_quarter(year: int) -> str:
    """KKR's usual rule: the population on 1 January of the year before the funding year."""
    return f"{year - 1}K1"


def _in_force(
    by_year: tuple[tuple[int | None, tuple[Municipality, ...]], ...], year: int
) -> tuple[Municipality, ...]:
    found: tuple[Municipality, ...] = ()
    for first, items in by_year:
        if first is None or first <= year:
            found = items
    return found


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


def load(explicit: Path | None = None, cwd: Path | None = None) -> Config:
    return parse_file(discover(explicit, cwd))


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


def parse_file(path: Path) -> Config:
    text, data = read_toml(path)
    left = placeholders(text)
    if left:
        shown = "\n".join(f"  linje {line}: {key}" for line, key in left)
        raise ConfigError(
            f"{path.name} har {len(left)} pladsholder{'e' if len(left) > 1 else ''} "
            f'("{PLACEHOLDER} ..."), der ikke er udfyldt:\n{shown}',
            f'Skriv de rigtige værdier i stedet for hver "{PLACEHOLDER} ..." i {path} '
            "(leadkommuner, ikke-deltagende kommune, mål fra resultatkontrakterne, kontakt). "
            "Ingen kommando bruger konfigurationen, før de er udfyldt, så et opdigtet tal "
            "aldrig når en rapport.",
        )
    return _Parser(path.resolve(), text).config(data)


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


# --- the schema --------------------------------------------------------------------------------

_SECTIONS: dict[str, tuple[str, ...]] = {
    "region": ("name", "council"),
    "population": ("source", "reference"),
    "paths": ("submissions", "reports", "templates"),
    "cofinancing": ("amount_per_office", "lead_share", "non_participating"),
    "thresholds": ("partial",),
    "submission": ("deadline", "recipient", "email", "contact"),
}
_TOP = (*_SECTIONS, "office", "grant", "indicator", "targets", "national_targets")
_OFFICE_KEYS = ("id", "cluster", "strength", "lead", "years")
_GRANT_KEYS = ("source", "recipient", "amount", "years", "purpose")
_INDICATOR_KEYS = ("id", "name", "unit", "derive", "description")
_TYPE_NAMES = {
    str: "tekst",
    int: "helt tal",
    float: "tal",
    list: "liste",
    dict: "tabel",
    bool: "sand/falsk",
}


class _Parser:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    # -- helpers ---------------------------------------------------------------------------------

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
            raise self.fail(where, f"skal være {_article(typ)}, men er {_describe(value)}.")
        return value

    def municipality(self, value: Any, where: str) -> Municipality:
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise self.fail(where, f"skal være et kommunenavn, ikke {_describe(value)}.")
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

    # -- sections --------------------------------------------------------------------------------

    def config(self, data: dict[str, Any]) -> Config:
        self.check_keys(data, _TOP, "")
        sections: dict[str, dict[str, Any]] = {}
        for name, keys in _SECTIONS.items():
            section = data.get(name, {})
            if not isinstance(section, dict):
                raise self.fail(name, f"skal være en tabel [{name}].")
            self.check_keys(section, keys, name)
            sections[name] = section
        region, population, paths = sections["region"], sections["population"], sections["paths"]
        cofin, thresholds = sections["cofinancing"], sections["thresholds"]
        sources = self.sources(population)

        reference = self.get(population, "reference", str, "population", "previous-year")
        if reference not in ("previous-year", "same-year") and not QUARTER.match(reference):
            raise self.fail(
                "population.reference",
                f'"{reference}" er ugyldig. Brug "previous-year", "same-year" '
                'eller et kvartal som "2023K1".',
            )
        amount = self.get(cofin, "amount_per_office", int, "cofinancing", 1_000_000)
        lead_share = self.get(cofin, "lead_share", int, "cofinancing", 500_000)
        if amount < 0 or lead_share < 0:
            raise self.fail("cofinancing", "beløb må ikke være negative.")
        if lead_share > amount:
            raise self.fail(
                "cofinancing.lead_share",
                f"leadkommunens andel ({lead_share:,} kr.) er større end "
                f"amount_per_office ({amount:,} kr.).".replace(",", "."),
            )
        excluded = self.non_participating(cofin)
        partial = self.get(thresholds, "partial", float, "thresholds", 0.8)
        if not 0 < partial <= 1:
            raise self.fail("thresholds.partial", f"skal være mellem 0 og 1, ikke {partial}.")

        indicators = self.indicators(data)
        offices = self.offices(data)
        for i, office in enumerate(offices):
            for year in range(office.first_year, office.last_year + 1):
                left_out = _in_force(excluded, year)
                if office.lead in left_out:
                    raise self.fail(
                        f"office[{i}].lead",
                        f"leadkommunen {office.lead.name} deltager ikke i {year} "
                        "(den står i cofinancing.non_participating).",
                        "En leadkommune skal deltage i alle de år, klyngekontoret er aktivt: "
                        "ret lead, years eller cofinancing.non_participating.",
                    )
                others = [
                    m
                    for m in municipalities().municipalities
                    if m not in left_out and m != office.lead
                ]
                if amount > lead_share and not others:
                    rest = f"{amount - lead_share:,}".replace(",", ".")
                    raise self.fail(
                        f"office[{i}].lead",
                        f"ingen andre kommuner end leadkommunen {office.lead.name} "
                        f"deltager i {year}, så de {rest} kr. kan ikke fordeles.",
                        "Ret cofinancing.non_participating eller lead_share.",
                    )
        grants = self.grants(data)
        targets = self.targets(data, offices, indicators, excluded)
        national = self.targets(data, offices, indicators, excluded, "national_targets")
        return Config(
            path=self.path,
            region=self.get(region, "name", str, "region", "Region Sjælland"),
            council=self.get(region, "council", str, "region", "KKR Sjælland"),
            population_sources=sources,
            population_reference=reference,
            submissions=self.get(paths, "submissions", str, "paths", "indberetninger/{year}"),
            reports=self.get(paths, "reports", str, "paths", "rapporter"),
            templates=self.get(paths, "templates", str, "paths", "skabeloner/{year}"),
            amount_per_office=amount,
            lead_share=lead_share,
            non_participating_by_year=excluded,
            partial=partial,
            offices=offices,
            grants=grants,
            indicators=indicators,
            targets=targets,
            submission=self.submission(sections["submission"]),
            national_targets=national,
        )

    def sources(self, population: dict[str, Any]) -> tuple[str, ...]:
        value = population.get("source", list(DEFAULT_SOURCES))
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            raise self.fail(
                "population.source",
                "skal være en fil, en mappe eller en liste af dem, fx "
                '["befolkning", "builtin:folk1a-2023K1"].',
            )
        for i, item in enumerate(items):
            where = "population.source" + (f"[{i}]" if isinstance(value, list) else "")
            if not isinstance(item, str) or not item.strip():
                raise self.fail(
                    where, f"skal være en sti eller et indbygget kvartal, ikke {_describe(item)}."
                )
            if item.startswith("builtin:") and item not in BUILTIN_SOURCES:
                raise self.fail(
                    where,
                    f'det indbyggede kvartal "{item}" findes ikke; indbygget er '
                    f"{', '.join(BUILTIN_SOURCES)}.",
                    "Hent andre kvartaler med 'klyngerapport population fetch KVARTAL' "
                    '(fx 2024K1); de lægges i mappen "befolkning".',
                )
        return tuple(items)

    def non_participating(
        self, cofin: dict[str, Any]
    ) -> tuple[tuple[int | None, tuple[Municipality, ...]], ...]:
        value = cofin.get("non_participating", [])
        key = "cofinancing.non_participating"
        if isinstance(value, list):
            return ((None, self.municipality_list(value, key)),)
        if not isinstance(value, dict):
            raise self.fail(
                key,
                f'skal være en liste, fx ["Greve"], eller en liste pr. år, fx '
                f'{{ 2021 = ["Greve"], 2025 = ["Greve", "Stevns"] }}, men er {_describe(value)}.',
            )
        found: list[tuple[int | None, tuple[Municipality, ...]]] = []
        for year_key, items in value.items():
            where = f"{key}.{year_key}"
            if not re.fullmatch(r"\d{4}", year_key):
                raise self.fail(where, f'"{year_key}" er ikke et årstal.')
            if not isinstance(items, list):
                raise self.fail(
                    where, f"skal være en liste af kommuner, men er {_describe(items)}."
                )
            found.append((int(year_key), self.municipality_list(items, where)))
        return tuple(sorted(found, key=lambda pair: pair[0] or 0))

    def municipality_list(self, items: list[Any], key: str) -> tuple[Municipality, ...]:
        found = tuple(self.municipality(v, f"{key}[{i}]") for i, v in enumerate(items))
        for i, m in enumerate(found):
            if m in found[:i]:
                raise self.fail(f"{key}[{i}]", f"{m.name} står der allerede.")
        return found

    def submission(self, table: dict[str, Any]) -> SubmissionSetup:
        deadline: tuple[int, int] | None = None
        text = self.get(table, "deadline", str, "submission", required=False)
        if text is not None:
            found = re.fullmatch(r"\s*(\d{1,2})-(\d{1,2})\s*", text)
            valid = False
            if found:
                day, month = int(found.group(1)), int(found.group(2))
                try:
                    dt.date(2023, month, day)  # not a leap year: 29-02 is refused
                    valid = True
                except ValueError:
                    valid = False
            if not found or not valid:
                raise self.fail(
                    "submission.deadline",
                    f'"{text}" er ikke en dag og måned som "31-01" (fristen ligger i året '
                    "efter indberetningsåret).",
                )
            deadline = (day, month)
        email = self.get(table, "email", str, "submission", "").strip()
        if email and not _EMAIL.match(email):
            raise self.fail("submission.email", f'"{email}" er ikke en e-mailadresse.')
        return SubmissionSetup(
            deadline=deadline,
            recipient=self.get(table, "recipient", str, "submission", "").strip(),
            email=email,
            contact=self.get(table, "contact", str, "submission", "").strip(),
        )

    def indicators(self, data: dict[str, Any]) -> tuple[Indicator, ...]:
        found: list[Indicator] = []
        kinds = (*DERIVED_KINDS, *(f"activity:{a}" for a in ACTIVITIES))
        for i, table in enumerate(self.array(data, "indicator")):
            prefix = f"indicator[{i}]"
            self.check_keys(table, _INDICATOR_KEYS, prefix)
            ident = self.get(table, "id", str, prefix)
            if not INDICATOR_ID.match(ident):
                raise self.fail(f"{prefix}.id", f'"{ident}" er ugyldigt: kun A-Z, 0-9 og -.')
            if any(x.id == ident for x in found):
                raise self.fail(f"{prefix}.id", f'indikatoren "{ident}" findes allerede.')
            unit = self.get(table, "unit", str, prefix, "antal")
            if unit not in ("antal", "kr."):
                raise self.fail(f"{prefix}.unit", f'skal være "antal" eller "kr.", ikke "{unit}".')
            derive = self.get(table, "derive", str, prefix, required=False)
            if derive is not None and derive not in kinds:
                raise self.fail(
                    f"{prefix}.derive",
                    f'"{derive}" kendes ikke.{suggestion(derive, kinds)}',
                    f"Mulige værdier: {', '.join(kinds)}.",
                )
            description = self.get(table, "description", str, prefix, "").strip()
            found.append(
                Indicator(ident, self.get(table, "name", str, prefix), unit, derive, description)
            )
        return tuple(found)

    def offices(self, data: dict[str, Any]) -> tuple[Office, ...]:
        found: list[Office] = []
        for i, table in enumerate(self.array(data, "office")):
            prefix = f"office[{i}]"
            self.check_keys(table, _OFFICE_KEYS, prefix)
            ident = self.get(table, "id", str, prefix)
            if not OFFICE_ID.match(ident):
                raise self.fail(
                    f"{prefix}.id",
                    f'"{ident}" er ugyldigt: kun små bogstaver a-z, '
                    "tal og bindestreg (bruges i filnavne).",
                )
            if any(o.id == ident for o in found):
                raise self.fail(
                    f"{prefix}.id",
                    f'klyngekontoret "{ident}" findes allerede.',
                    "Hvert klyngekontor skal have sit eget id.",
                )
            lead = self.municipality(self.get(table, "lead", str, prefix), f"{prefix}.lead")
            first, last = self.years(table, prefix)
            found.append(
                Office(
                    ident,
                    self.get(table, "cluster", str, prefix, ident),
                    self.get(table, "strength", str, prefix, ""),
                    lead,
                    first,
                    last,
                )
            )
        return tuple(found)

    def grants(self, data: dict[str, Any]) -> tuple[Grant, ...]:
        found: list[Grant] = []
        for i, table in enumerate(self.array(data, "grant")):
            prefix = f"grant[{i}]"
            self.check_keys(table, _GRANT_KEYS, prefix)
            amount = self.get(table, "amount", int, prefix)
            if amount < 0:
                raise self.fail(f"{prefix}.amount", "må ikke være negativt.")
            first, last = self.years(table, prefix)
            found.append(
                Grant(
                    self.get(table, "source", str, prefix),
                    self.get(table, "recipient", str, prefix),
                    amount,
                    first,
                    last,
                    self.get(table, "purpose", str, prefix, ""),
                )
            )
        return tuple(found)

    def targets(
        self,
        data: dict[str, Any],
        offices: tuple[Office, ...],
        indicators: tuple[Indicator, ...],
        excluded: tuple[tuple[int | None, tuple[Municipality, ...]], ...],
        section: str = "targets",
    ) -> dict[str, dict[int, dict[str, float]]]:
        """[targets.<office>] or, with `section`, [national_targets.<office>]: checked alike."""
        table = data.get(section, {})
        if not isinstance(table, dict):
            raise self.fail(section, f"skal være en tabel [{section}.<klyngekontor>].")
        office_ids = [o.id for o in offices]
        indicator_ids = [i.id for i in indicators]
        out: dict[str, dict[int, dict[str, float]]] = {}
        for office_id, years in table.items():
            where = f"{section}.{office_id}"
            office = next((o for o in offices if o.id == office_id), None)
            if office is None:
                raise self.fail(
                    where,
                    f'klyngekontoret "{office_id}" er ikke defineret i '
                    f"[[office]].{suggestion(office_id, office_ids)}",
                )
            if not isinstance(years, dict):
                raise self.fail(where, "skal være en tabel med et år pr. linje, fx 2022 = {...}.")
            out[office_id] = {}
            for year_key, values in years.items():
                ywhere = f"{where}.{year_key}"
                if not re.fullmatch(r"\d{4}", year_key):
                    raise self.fail(ywhere, f'"{year_key}" er ikke et årstal.')
                year = int(year_key)
                if not office.active(year):
                    raise self.fail(
                        ywhere, f"{office_id} er kun aktivt {office.first_year}–{office.last_year}."
                    )
                if not isinstance(values, dict):
                    raise self.fail(ywhere, "skal være en tabel, fx { VIRK = 120 }.")
                checked: dict[str, float] = {}
                for ind_id, target in values.items():
                    iwhere = f"{ywhere}.{ind_id}"
                    if ind_id not in indicator_ids:
                        raise self.fail(
                            iwhere,
                            f'indikatoren "{ind_id}" er ikke defineret i '
                            f"[[indicator]].{suggestion(ind_id, indicator_ids)}",
                        )
                    if not isinstance(target, int | float) or isinstance(target, bool):
                        raise self.fail(
                            iwhere, f"målet skal være et tal, ikke {_describe(target)}."
                        )
                    if not math.isfinite(target):
                        raise self.fail(
                            iwhere, f"målet skal være et endeligt tal, ikke {target!r}."
                        )
                    if target < 0:
                        raise self.fail(iwhere, "målet må ikke være negativt.")
                    indicator = indicators[indicator_ids.index(ind_id)]
                    taking_part = len(municipalities().municipalities) - len(
                        _in_force(excluded, year)
                    )
                    regional = section == "targets"
                    if regional and indicator.derive == "municipalities" and target > taking_part:
                        raise self.fail(
                            iwhere,
                            f"målet {target:g} er større end de {taking_part} kommuner, "
                            f"der deltager i {year}.",
                        )
                    checked[ind_id] = float(target)
                out[office_id][year] = checked
        for i, office in enumerate(offices):
            for year in range(office.first_year, office.last_year + 1):
                if section == "targets" and year not in out.get(office.id, {}):
                    raise self.fail(
                        f"targets.{office.id}" if office.id in out else f"office[{i}].years",
                        f"{office.cluster} ({office.id}) er aktivt i {year}, men har ingen mål "
                        "for det år.",
                        f"Tilføj {year} = {{ ... }} under [targets.{office.id}] med målene fra "
                        "resultatkontrakten, eller ret years under [[office]].",
                    )
        return out


def _article(typ: type) -> str:
    return {
        str: "en tekst",
        int: "et helt tal",
        float: "et tal",
        list: "en liste",
        dict: "en tabel",
        bool: "sand eller falsk (true/false)",
    }.get(typ, typ.__name__)


def _describe(value: Any) -> str:
    """'et helt tal (5)', 'en tekst ("Greve")', 'en liste': what a value is, in Danish."""
    name = _article(type(value))
    if isinstance(value, dict | list):
        return name
    shown = f'"{value}"' if isinstance(value, str) else str(value).lower()
    return f"{name} ({shown})"
