"""klyngerapport.toml -> a typed, validated Config.

Every mistake is a ConfigError that names the key, the file and (where it can be found) the line.
Beside this module: config_file.py finds and reads the file, config_values.py reads typed values
out of its tables, and config_parts.py checks the population, participation and submission parts.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from klyngerapport import config_parts as parts
from klyngerapport.config_file import (
    CONFIG_NAME,
    ENV_VAR,
    PLACEHOLDER,
    discover,
    placeholders,
    read_toml,
)
from klyngerapport.config_parts import ByYear, in_force
from klyngerapport.config_values import TableReader, describe
from klyngerapport.errors import ConfigError, suggestion
from klyngerapport.model import Grant, Indicator, Municipality, Office, SubmissionContact
from klyngerapport.reference import municipalities
from klyngerapport.schema import ACTIVITIES, DERIVED_KINDS

__all__ = [
    "CONFIG_NAME",
    "ENV_VAR",
    "PLACEHOLDER",
    "Config",
    "discover",
    "load",
    "parse_file",
    "placeholders",
    "read_toml",
    "rule_quarter",
]
OFFICE_ID = re.compile(r"^[a-z0-9-]+$")
INDICATOR_ID = re.compile(r"^[A-Z0-9-]+$")
QUARTER = re.compile(r"^\d{4}K[1-4]$")


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
    non_participating_by_year: ByYear
    partial: float
    offices: tuple[Office, ...]
    grants: tuple[Grant, ...]
    indicators: tuple[Indicator, ...]
    targets: dict[str, dict[int, dict[str, float]]]  # office id -> year -> indicator id -> target
    # The cluster organisation's own contract with UFS (PRODUCT.md §10), same shape as targets.
    national_targets: dict[str, dict[int, dict[str, float]]] = field(default_factory=dict)
    docx_template: str = ""  # the secretariat's own Word file for the agenda draft ("" = none)
    feedback: str = "tilbagemelding/{year}"
    submission: SubmissionContact = field(default_factory=SubmissionContact)

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

    def docx_template_path(self) -> Path | None:
        return self.resolve(self.docx_template) if self.docx_template else None

    def feedback_dir(self, year: int) -> Path:
        return self.resolve(self.feedback, year)

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
        return in_force(self.non_participating_by_year, year)

    def participating(self, year: int) -> tuple[Municipality, ...]:
        """The municipalities that take part in `year`, by code."""
        excluded = {m.code for m in self.non_participating(year)}
        return tuple(m for m in municipalities().municipalities if m.code not in excluded)


def rule_quarter(year: int) -> str:
    """KKR's usual rule: the population on 1 January of the year before the funding year."""
    return f"{year - 1}K1"


def load(explicit: Path | None = None, cwd: Path | None = None) -> Config:
    return parse_file(discover(explicit, cwd))


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


# --- the schema --------------------------------------------------------------------------------

_SECTIONS: dict[str, tuple[str, ...]] = {
    "region": ("name", "council"),
    "population": ("source", "reference"),
    "paths": ("submissions", "reports", "templates", "feedback", "docx_template"),
    "cofinancing": ("amount_per_office", "lead_share", "non_participating"),
    "thresholds": ("partial",),
    "submission": ("deadline", "recipient", "email", "contact"),
}
_TOP = (*_SECTIONS, "office", "grant", "indicator", "targets", "national_targets")
_OFFICE_KEYS = ("id", "cluster", "strength", "lead", "years")
_GRANT_KEYS = ("source", "recipient", "amount", "years", "purpose", "scope")
_SCOPE_MESSAGE = 'skal være "national" (alle de nationale klynger) eller "regional" (i regionen).'
_INDICATOR_KEYS = ("id", "name", "unit", "derive", "description")


class _Parser(TableReader):
    """The sections of klyngerapport.toml, checked against each other, into a Config."""

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
        sources = parts.sources(self, population)
        submission = parts.submission(self, sections["submission"])

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
        excluded = parts.non_participating(self, cofin)
        partial = self.get(thresholds, "partial", float, "thresholds", 0.8)
        if not 0 < partial <= 1:
            raise self.fail("thresholds.partial", f"skal være mellem 0 og 1, ikke {partial}.")

        indicators = self.indicators(data)
        offices = self.offices(data)
        for i, office in enumerate(offices):
            for year in range(office.first_year, office.last_year + 1):
                left_out = in_force(excluded, year)
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
            docx_template=self.get(paths, "docx_template", str, "paths", "", required=False),
            amount_per_office=amount,
            lead_share=lead_share,
            non_participating_by_year=excluded,
            partial=partial,
            offices=offices,
            grants=grants,
            indicators=indicators,
            targets=targets,
            national_targets=national,
            feedback=self.get(paths, "feedback", str, "paths", "tilbagemelding/{year}"),
            submission=submission,
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
            scope = self.get(table, "scope", str, prefix, "regional")
            if scope not in Grant.SCOPES:
                raise self.fail(f"{prefix}.scope", _SCOPE_MESSAGE)
            found.append(
                Grant(
                    self.get(table, "source", str, prefix),
                    self.get(table, "recipient", str, prefix),
                    amount,
                    first,
                    last,
                    self.get(table, "purpose", str, prefix, ""),
                    scope,
                )
            )
        return tuple(found)

    def targets(
        self,
        data: dict[str, Any],
        offices: tuple[Office, ...],
        indicators: tuple[Indicator, ...],
        excluded: ByYear,
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
                        raise self.fail(iwhere, f"målet skal være et tal, ikke {describe(target)}.")
                    if not math.isfinite(target):
                        raise self.fail(
                            iwhere, f"målet skal være et endeligt tal, ikke {target!r}."
                        )
                    if target < 0:
                        raise self.fail(iwhere, "målet må ikke være negativt.")
                    indicator = indicators[indicator_ids.index(ind_id)]
                    taking_part = len(municipalities().municipalities) - len(
                        in_force(excluded, year)
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
