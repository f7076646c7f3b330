"""Regenerate the sample submissions: samples/indberetninger/<YEAR>/ and samples/fejl/.

    python samples/make_samples.py

Every file starts as the real template (klyngerapport.render.template.write_template) and is
filled in with openpyxl, the way an office fills it in Excel. The companies are fictional; their
CVR numbers pass the modulus-11 check but are random. The output is deterministic: fixed random
seeds, fixed document timestamps and fixed zip entry times, so a re-run changes no bytes (the
.ods copy is made by LibreOffice when it is installed, and normalised the same way).

What each office-year shows (targets met or missed, municipalities left out, deliberate slips
that give warnings) is declared in PLANS below; the script prints a summary when it runs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.writer.excel import ExcelWriter

from klyngerapport.config import Config, parse_file
from klyngerapport.render.template import HEADER_ROW, template_filename, write_template
from klyngerapport.schema import (
    ACTIVITIES,
    COMPANY_HEADERS,
    INFO_LABELS,
    SHEET_COMPANIES,
    SHEET_INDICATORS,
    SHEET_INFO,
    SHEET_NATIONAL,
)

HERE = Path(__file__).resolve().parent
SUBMISSIONS = HERE / "indberetninger"
FLAWED = HERE / "fejl"
FIXED_TIME = dt.datetime(2023, 2, 1, 9, 0, 0)  # document created/modified of every sample
ZIP_TIME = (2023, 2, 1, 9, 0, 0)

NETWORK, INNOVATION, KNOWLEDGE, INTERNATIONAL, SPARRING, GREEN = ACTIVITIES

# --- fictional companies --------------------------------------------------------------------

TOWNS: dict[str, tuple[str, ...]] = {
    "Greve": ("Greve", "Karlslunde", "Tune"),
    "Køge": ("Køge", "Borup", "Herfølge", "Ølby"),
    "Roskilde": ("Roskilde", "Viby Sj.", "Jyllinge", "Gundsømagle"),
    "Solrød": ("Solrød", "Jersie", "Havdrup"),
    "Odsherred": ("Asnæs", "Vig", "Højby", "Nykøbing Sj."),
    "Holbæk": ("Holbæk", "Tølløse", "Jyderup", "Svinninge"),
    "Faxe": ("Faxe", "Haslev", "Dalby", "Rønnede"),
    "Kalundborg": ("Kalundborg", "Høng", "Gørlev", "Svebølle"),
    "Ringsted": ("Ringsted", "Benløse", "Vetterslev"),
    "Slagelse": ("Slagelse", "Korsør", "Skælskør", "Dalmose"),
    "Stevns": ("Store Heddinge", "Hårlev", "Strøby"),
    "Sorø": ("Sorø", "Dianalund", "Fjenneslev"),
    "Lejre": ("Hvalsø", "Kirke Hyllinge", "Lejre"),
    "Lolland": ("Nakskov", "Maribo", "Rødby"),
    "Næstved": ("Næstved", "Fensmark", "Glumsø", "Herlufmagle"),
    "Guldborgsund": ("Nykøbing F.", "Sakskøbing", "Stubbekøbing", "Nysted"),
    "Vordingborg": ("Vordingborg", "Præstø", "Stege", "Kalvehave"),
}

TRADES: dict[str, tuple[str, ...]] = {
    "we-build-denmark": (
        "Betonelementer",
        "Tømrer og Snedker",
        "Entreprenørforretning",
        "Murerfirma",
        "Anlægsgartner",
        "Stålkonstruktioner",
        "Byggerådgivning",
        "VVS og Energi",
        "Tagdækning",
        "Elementbyg",
        "Træhuse",
        "Rådgivende Ingeniører",
        "Asfalt og Belægning",
        "Vinduer og Døre",
        "Isolering",
        "Byggesmed",
        "Facaderenovering",
        "Lift og Kran",
        "Byggeteknik",
        "Murværk og Puds",
        "Vejbygning",
        "Nedrivning og Genbrug",
    ),
    "bio-solutions": (
        "Biotek",
        "Enzymteknologi",
        "Diagnostik",
        "Life Science",
        "Medico",
        "Fermentering",
        "Bioanalyse",
        "Laboratorier",
        "Pharma",
        "Probiotika",
        "Bioingredienser",
        "Celleteknologi",
        "Medicinsk Udstyr",
        "BioProces",
        "Sundhedsteknologi",
        "Proteinteknologi",
        "Mikrobiologi",
        "Sårpleje",
    ),
    "foedevarer": (
        "Fødevareinnovation",
        "Mejeri",
        "Slagteri",
        "Bageri",
        "Frugtplantage",
        "Gartneri",
        "Kartoffelmel",
        "Bryghus",
        "Æblemosteri",
        "Fiskeindustri",
        "Grønt",
        "Økologi",
        "Pølsemageri",
        "Rapsolie",
        "Vingård",
        "Honning",
        "Kornmølle",
        "Kafferisteri",
        "Chokolade",
        "Grøntsagspakkeri",
        "Planteprotein",
    ),
    "miljoeteknologi": (
        "Miljøteknik",
        "Vandrens",
        "Genanvendelse",
        "Biogas",
        "Solenergi",
        "Varmepumper",
        "Spildevandsteknik",
        "Cirkulær Plast",
        "Energirådgivning",
        "Jordrens",
        "Affaldssortering",
        "Vindservice",
        "Grøn Energi",
        "Renseteknik",
        "Klimateknik",
        "Ressourcecenter",
        "Emballage og Genbrug",
    ),
}

SURNAMES = (
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Poulsen",
    "Knudsen",
    "Mortensen",
    "Møller",
    "Holm",
    "Frandsen",
    "Bach",
    "Dahl",
    "Lund",
)

# Relative weight of each municipality in an office's catchment: the lead weighs most.
LEAD_WEIGHT = 4.0


@dataclass(frozen=True)
class Company:
    cvr: int
    name: str
    municipality: str
    sme: bool


def cvr_weights_ok(number: int) -> bool:
    """The modulus-11 check of a CVR number (weights 2,7,6,5,4,3,2,1)."""
    digits = [int(d) for d in f"{number:08d}"]
    return sum(w * d for w, d in zip((2, 7, 6, 5, 4, 3, 2, 1), digits, strict=True)) % 11 == 0


def new_cvr(rng: random.Random, taken: set[int]) -> int:
    """A random CVR number with a valid check digit, not starting with 0, not used before."""
    while True:
        body = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(6)]
        total = sum(w * d for w, d in zip((2, 7, 6, 5, 4, 3, 2), body, strict=True))
        check = -total % 11
        if check == 10:
            continue
        number = int("".join(map(str, body)) + str(check))
        if number not in taken:
            taken.add(number)
            return number


def company_name(rng: random.Random, trade: str, town: str) -> str:
    form = rng.choices(("ApS", "A/S", "I/S"), weights=(66, 27, 7))[0]
    pattern = rng.choices(("town", "surname", "family", "trade-first"), weights=(50, 25, 8, 17))[0]
    if pattern == "town":
        return f"{town} {trade} {form}"
    if pattern == "surname":
        return f"{rng.choice(SURNAMES)}s {trade} {form}"
    if pattern == "family":
        return f"{trade} {rng.choice(SURNAMES)} & Søn ApS"
    return f"{trade} {town} {form}"


def build_pool(office_id: str, lead: str, taken: set[int]) -> list[Company]:
    """The companies an office works with over the years: same CVR and name every year."""
    rng = random.Random(f"pool:{office_id}")
    names: set[str] = set()
    pool: list[Company] = []
    for municipality, towns in TOWNS.items():
        count = 30 if municipality == lead else rng.randint(9, 13)
        for _ in range(count):
            while True:
                name = company_name(rng, rng.choice(TRADES[office_id]), rng.choice(towns))
                if name not in names:
                    names.add(name)
                    break
            # A partnership or a family firm is small; the others are mostly SMEs too.
            small = name.endswith(("I/S", "& Søn ApS")) or rng.random() < 0.68
            pool.append(Company(new_cvr(rng, taken), name, municipality, small))
    return pool


# --- what each office-year reports ------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    office: str
    year: int
    companies: int  # unique companies in participating municipalities (VIRK)
    smes: int  # of which SMEs (SMV)
    left_out: tuple[str, ...]  # participating municipalities without any company
    green: int  # unique companies with a "Grøn omstilling" engagement
    rows: int  # rows on Virksomheder
    results: dict[str, float | str]  # reported (non-derived) indicators, as typed
    comments: dict[str, str]
    contact: str
    email: str
    submitted: dt.date
    first_day: dt.date | None = None  # the office started during the year
    last_day: dt.date | None = None  # a status during the year (the November meeting)
    national: dict[str, float] = field(default_factory=dict)  # Nationale mål results (UFS)
    activity_weights: tuple[int, int, int, int, int] = (35, 15, 15, 10, 25)
    outside: tuple[str, ...] = ()  # slip: companies from non-participating municipalities
    dates_as_text: int = 0  # slip: dates typed as text
    duplicate_rows: int = 0  # slip: a row pasted twice
    notes: tuple[str, ...] = field(default=())  # what the summary says about the plan


PLANS: tuple[Plan, ...] = (
    Plan(
        "we-build-denmark",
        2021,
        companies=43,
        smes=33,
        left_out=("Odsherred", "Lolland", "Guldborgsund", "Stevns", "Lejre", "Solrød", "Sorø"),
        green=6,
        rows=58,
        results={"PROJ": 2, "ARR": 5, "MIDLER": 350_000},
        comments={
            "MIDLER": "Ansøgning til REACT-EU afventer svar; forventes hjemtaget i 2022.",
            "KOM": "Kontoret åbnede i maj 2021; de sidste kommuner besøges i 2022.",
        },
        contact="Mette Kjærgaard",
        email="mette.kjaergaard@webuilddenmark.example",
        submitted=dt.date(2022, 1, 28),
        first_day=dt.date(2021, 5, 3),
        activity_weights=(45, 10, 10, 5, 30),
    ),
    Plan(
        "we-build-denmark",
        2022,
        companies=112,
        smes=86,
        left_out=(),
        green=23,
        rows=184,
        results={"PROJ": 7, "ARR": 9, "MIDLER": "2.150.000"},
        comments={
            "MIDLER": "Bevilling til 'Bæredygtigt byggeri i Sydsjælland' (Danmarks "
            "Erhvervsfremmebestyrelse)."
        },
        contact="Mette Kjærgaard",
        email="mette.kjaergaard@webuilddenmark.example",
        submitted=dt.date(2023, 1, 27),
        activity_weights=(40, 15, 10, 5, 30),
        outside=("Greve",),
    ),
    Plan(
        "we-build-denmark",
        2023,
        companies=127,
        smes=95,
        left_out=(),
        green=31,
        rows=196,
        results={"PROJ": 8, "ARR": 11, "MIDLER": 2_730_000},
        comments={},
        contact="Jonas Vestergaard",
        email="jonas.vestergaard@webuilddenmark.example",
        submitted=dt.date(2024, 1, 26),
        activity_weights=(40, 15, 10, 5, 30),
    ),
    Plan(
        "bio-solutions",
        2022,
        companies=52,
        smes=34,
        left_out=("Odsherred", "Lolland", "Stevns"),
        green=4,
        rows=88,
        results={"PROJ": 3, "VIDEN": 7, "MIDLER": 1_240_000},
        comments={
            "VIRK": "Kontoret åbnede 1. februar 2022; rekruttering tog det første halvår.",
            "PROJ": "Et fjerde projekt blev udskudt til 2023 (afventer Innobooster).",
            "MIDLER": "Heraf 900.000 kr. fra Region Sjællands sundhedsinnovationspulje.",
        },
        contact="Anders Bjerregaard",
        email="anders.bjerregaard@lifesciencecluster.example",
        submitted=dt.date(2023, 1, 30),
        first_day=dt.date(2022, 2, 1),
        activity_weights=(30, 20, 25, 10, 15),
    ),
    Plan(
        "bio-solutions",
        2023,
        companies=78,
        smes=59,
        left_out=("Lolland",),
        green=6,
        rows=121,
        results={"PROJ": 6, "VIDEN": 9, "MIDLER": 2_350_000},
        comments={
            "VIRK": "Tæt på målet; samarbejdet med RUC's innovationsenhed giver flere "
            "virksomheder i 2024."
        },
        contact="Anders Bjerregaard",
        email="anders.bjerregaard@lifesciencecluster.example",
        submitted=dt.date(2024, 1, 29),
        activity_weights=(30, 20, 25, 10, 15),
        duplicate_rows=1,
    ),
    Plan(
        "foedevarer",
        2022,
        companies=84,
        smes=69,
        left_out=("Stevns",),
        green=17,
        rows=141,
        results={"ARR": 7, "INT": 11},
        comments={"KOM": "Stevns: to virksomheder har tilmeldt sig forløb i foråret 2023."},
        contact="Louise Brandt",
        email="louise.brandt@foodbiocluster.example",
        submitted=dt.date(2023, 1, 25),
        national={"VIRK": 1_240, "SMV": 880, "PROJ": 52},
        activity_weights=(35, 10, 10, 20, 25),
        dates_as_text=1,
    ),
    Plan(
        "foedevarer",
        2023,
        companies=96,
        smes=78,
        left_out=("Stevns",),
        green=24,
        rows=163,
        results={"ARR": 9, "INT": 14},
        comments={},
        contact="Louise Brandt",
        email="louise.brandt@foodbiocluster.example",
        submitted=dt.date(2024, 1, 24),
        national={"VIRK": 1_310, "SMV": 990, "PROJ": 49},
        activity_weights=(35, 10, 10, 20, 25),
    ),
    Plan(
        "miljoeteknologi",
        2022,
        companies=61,
        smes=44,
        left_out=("Lolland", "Guldborgsund", "Odsherred", "Stevns", "Lejre"),
        green=18,
        rows=97,
        results={"PROJ": 4, "VIDEN": 5},
        comments={
            "GROEN": "Forløbene om grøn omstilling startede først i 3. kvartal.",
            "KOM": "Lolland og Guldborgsund dækkes fra 2023 via Erhvervshus Sjælland.",
        },
        contact="Rasmus Friis",
        email="rasmus.friis@cleancluster.example",
        submitted=dt.date(2023, 1, 31),
        first_day=dt.date(2022, 1, 10),
        activity_weights=(30, 15, 20, 5, 30),
    ),
    Plan(
        "miljoeteknologi",
        2023,
        companies=74,
        smes=56,
        left_out=("Lolland", "Stevns"),
        green=33,
        rows=128,
        results={"PROJ": 5, "VIDEN": 4},
        comments={"VIDEN": "To videnssamarbejder med DTU blev forsinket til 2024."},
        contact="Rasmus Friis",
        email="rasmus.friis@cleancluster.example",
        submitted=dt.date(2024, 1, 30),
        activity_weights=(30, 15, 20, 5, 30),
        outside=("Greve",),
    ),
    # 2024: the status for KKR's November meeting (generate 2024 --as-of 2024-11-15). The
    # offices report the year so far, activities up to 8 November; the targets are the year's.
    Plan(
        "we-build-denmark",
        2024,
        companies=118,
        smes=90,
        left_out=("Lolland",),
        green=26,
        rows=170,
        results={"PROJ": 7, "ARR": 9, "MIDLER": 2_400_000},
        comments={"KOM": "Lolland: første netværksmøde i Nakskov er planlagt til december."},
        contact="Jonas Vestergaard",
        email="jonas.vestergaard@webuilddenmark.example",
        submitted=dt.date(2024, 11, 11),
        last_day=dt.date(2024, 11, 8),
        activity_weights=(40, 15, 10, 5, 30),
    ),
    Plan(
        "bio-solutions",
        2024,
        companies=81,
        smes=60,
        left_out=("Lolland", "Stevns"),
        green=5,
        rows=125,
        results={"PROJ": 5, "VIDEN": 8, "MIDLER": 1_900_000},
        comments={},
        contact="Anders Bjerregaard",
        email="anders.bjerregaard@lifesciencecluster.example",
        submitted=dt.date(2024, 11, 12),
        last_day=dt.date(2024, 11, 8),
        activity_weights=(30, 20, 25, 10, 15),
    ),
    Plan(
        "foedevarer",
        2024,
        companies=92,
        smes=75,
        left_out=(),
        green=24,
        rows=150,
        results={"ARR": 8, "INT": 12},
        comments={"INT": "Tre virksomheder deltager i eksportfremstød til Tyskland i december."},
        contact="Louise Brandt",
        email="louise.brandt@foodbiocluster.example",
        submitted=dt.date(2024, 11, 11),
        last_day=dt.date(2024, 11, 8),
        activity_weights=(35, 10, 10, 20, 25),
        national={"VIRK": 1_150, "SMV": 840, "PROJ": 47},
    ),
    Plan(
        "miljoeteknologi",
        2024,
        companies=70,
        smes=52,
        left_out=("Lolland", "Stevns", "Odsherred"),
        green=29,
        rows=112,
        results={"PROJ": 4, "VIDEN": 6},
        comments={},
        contact="Rasmus Friis",
        email="rasmus.friis@cleancluster.example",
        submitted=dt.date(2024, 11, 13),
        last_day=dt.date(2024, 11, 8),
        activity_weights=(30, 15, 20, 5, 30),
    ),
)


@dataclass(frozen=True)
class Row:
    company: Company
    activity: str
    date: dt.date | str  # str: a date typed as text (a deliberate slip)


def weighted_sample(
    rng: random.Random, items: list[Company], weights: list[float], k: int
) -> list[Company]:
    """k items without replacement, chance in proportion to weight (Efraimidis–Spirakis)."""
    keyed = sorted(
        zip(items, weights, strict=True),
        key=lambda pair: rng.random() ** (1.0 / pair[1]),
        reverse=True,
    )
    return [item for item, _ in keyed[:k]]


def engagements(plan: Plan, config: Config, pool: list[Company]) -> list[Row]:
    """The rows of Virksomheder for one office-year, following the plan exactly."""
    rng = random.Random(f"rows:{plan.office}:{plan.year}")
    office = config.office(plan.office)
    assert office is not None
    participating = [m.name for m in config.participating(plan.year)]
    covered = [m for m in participating if m not in plan.left_out]
    weight = {m: LEAD_WEIGHT if m == office.lead.name else 1.0 for m in covered}

    chosen: list[Company] = []
    for municipality in covered:  # at least one company in every covered municipality
        chosen.append(rng.choice([c for c in pool if c.municipality == municipality]))
    for want_sme, total in ((True, plan.smes), (False, plan.companies - plan.smes)):
        have = sum(1 for c in chosen if c.sme == want_sme)
        rest = [
            c for c in pool if c.municipality in weight and c.sme == want_sme and c not in chosen
        ]
        if total - have < 0 or total - have > len(rest):
            raise SystemExit(
                f"{plan.office} {plan.year}: cannot pick {total} "
                f"{'SMEs' if want_sme else 'large companies'}"
            )
        chosen += weighted_sample(rng, rest, [weight[c.municipality] for c in rest], total - have)
    rng.shuffle(chosen)

    outside = [rng.choice([c for c in pool if c.municipality == m]) for m in plan.outside]
    green = set(rng.sample(range(len(chosen)), plan.green))
    others = (NETWORK, INNOVATION, KNOWLEDGE, INTERNATIONAL, SPARRING)
    start = plan.first_day or dt.date(plan.year, 1, 3)
    end = plan.last_day or dt.date(plan.year, 12, 16)  # nothing happens in the Christmas weeks
    days = [start + dt.timedelta(d) for d in range((end - start).days + 1)]
    workdays = [d for d in days if d.weekday() < 5]

    firsts = [
        GREEN if i in green else rng.choices(others, plan.activity_weights)[0]
        for i in range(len(chosen))
    ]
    counts = [1] * len(chosen)
    extra = plan.rows - len(chosen) - len(outside) - plan.duplicate_rows
    for i in rng.choices(range(len(chosen)), k=extra):
        counts[i] += 1
    rows: list[Row] = []
    for company, first, count in zip(chosen, firsts, counts, strict=True):
        seen: set[tuple[str, dt.date]] = set()
        for n in range(count):
            # A green engagement only for the companies counted as green, so GROEN is exact.
            activity = first if n == 0 else rng.choices(others, plan.activity_weights)[0]
            while True:
                day = rng.choice(workdays)
                if (activity, day) not in seen:
                    seen.add((activity, day))
                    break
            rows.append(Row(company, activity, day))
    rows += [Row(c, NETWORK, rng.choice(workdays)) for c in outside]
    rows.sort(key=lambda r: (str(r.date), r.company.name, r.activity))  # ISO dates sort by text
    for _ in range(plan.duplicate_rows):  # pasted twice, right below itself
        at = rng.randrange(len(rows))
        rows.insert(at + 1, rows[at])
    for at in rng.sample(range(len(rows)), plan.dates_as_text):
        when = rows[at].date
        assert isinstance(when, dt.date)
        rows[at] = replace(rows[at], date=when.strftime("%d-%m-%Y"))
    return rows


# --- filling in the template ------------------------------------------------------------------


def label_rows(ws: Any) -> dict[str, int]:
    return {str(ws.cell(r, 1).value): r for r in range(1, 40) if ws.cell(r, 1).value}


def header_columns(ws: Any) -> dict[str, int]:
    return {str(c.value): c.column for c in ws[HEADER_ROW] if c.value is not None}


def fill(template: Path, plan: Plan, rows: list[Row]) -> Any:
    wb = load_workbook(template)
    info = wb[SHEET_INFO]
    where = label_rows(info)
    assert all(label in where for label in INFO_LABELS)
    info.cell(where["Kontaktperson"], 2, plan.contact)
    info.cell(where["E-mail"], 2, plan.email)
    info.cell(where["Dato"], 2, plan.submitted)

    ws = wb[SHEET_INDICATORS]
    cols = header_columns(ws)
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        ident = ws.cell(r, cols["ID"]).value
        if ident in plan.results:
            ws.cell(r, cols["Resultat"], plan.results[ident])
        if ident in plan.comments:
            ws.cell(r, cols["Bemærkning"], plan.comments[ident])

    if plan.national:
        ws = wb[SHEET_NATIONAL]
        cols = header_columns(ws)
        for r in range(HEADER_ROW + 1, ws.max_row + 1):
            ident = ws.cell(r, cols["ID"]).value
            ws.cell(r, cols["Resultat"], plan.national[str(ident)])

    ws = wb[SHEET_COMPANIES]
    cols = header_columns(ws)
    assert tuple(cols) == COMPANY_HEADERS
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        company = row.company
        ws.cell(r, cols["CVR-nummer"], company.cvr)
        ws.cell(r, cols["Virksomhedsnavn"], company.name)
        ws.cell(r, cols["Kommune"], company.municipality)
        ws.cell(r, cols["SMV"], "Ja" if company.sme else "Nej")
        ws.cell(r, cols["Aktivitet"], row.activity)
        ws.cell(r, cols["Dato"], row.date)
    return wb


def set_result(wb: Any, indicator: str, value: Any) -> None:
    ws = wb[SHEET_INDICATORS]
    cols = header_columns(ws)
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        if ws.cell(r, cols["ID"]).value == indicator:
            ws.cell(r, cols["Resultat"], value)
            return
    raise KeyError(indicator)


def company_cell(wb: Any, index: int, header: str) -> Any:
    """The cell of the index-th company row (0-based) under `header`."""
    ws = wb[SHEET_COMPANIES]
    return ws.cell(HEADER_ROW + 1 + index, header_columns(ws)[header])


def xlsx_bytes(wb: Any) -> bytes:
    props = wb.properties
    props.created = props.modified = FIXED_TIME
    buffer = io.BytesIO()
    # ExcelWriter directly: Workbook.save() would stamp the current time as "modified".
    ExcelWriter(wb, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    return normalise_zip(buffer.getvalue())


def normalise_zip(data: bytes, rewrite: dict[str, bytes] | None = None) -> bytes:
    """The same archive with fixed entry times (and optionally some entries replaced)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = info.compress_type  # an .ods needs 'mimetype' stored first
            entry.external_attr = 0o644 << 16
            content = (rewrite or {}).get(info.filename, src.read(info.filename))
            dst.writestr(entry, content)
    return out.getvalue()


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    print(f"  {path.relative_to(HERE.parent)}")


# --- flawed files for the README ---------------------------------------------------------------


def clean(plan: Plan) -> Plan:
    """The plan without its deliberate slips, so a flawed copy shows only its own faults."""
    results: dict[str, float | str] = {
        k: v if not isinstance(v, str) else float(v.replace(".", ""))
        for k, v in plan.results.items()
    }
    return replace(plan, results=results, outside=(), dates_as_text=0, duplicate_rows=0)


def flawed_files(
    config: Config,
    pools: dict[str, list[Company]],
    templates: Path,
    plans: dict[tuple[str, int], Plan],
) -> None:
    # Typos and guesses a busy office makes: a mistyped CVR, a misspelled municipality, an
    # estimate instead of a number, a row from last year.
    plan = clean(plans["foedevarer", 2022])
    rows = engagements(plan, config, pools[plan.office])
    wb = fill(templates / template_filename(plan.office, 2022), plan, rows)
    cvr = company_cell(wb, 4, "CVR-nummer")
    cvr.value = cvr.value + (1 if cvr.value % 10 < 9 else -1)  # wrong check digit
    company_cell(wb, 8, "Kommune").value = "Næstvde"
    set_result(wb, "INT", "ca. 12")
    company_cell(wb, 11, "Dato").value = dt.date(2021, 11, 23)
    write(FLAWED / "fejl-cvr-og-kommune.xlsx", xlsx_bytes(wb))

    # A sum typed as a formula and saved by a program that does not calculate (no cached value).
    plan = clean(plans["bio-solutions", 2022])
    rows = engagements(plan, config, pools[plan.office])
    wb = fill(templates / template_filename(plan.office, 2022), plan, rows)
    set_result(wb, "MIDLER", "=900000+340000")
    write(FLAWED / "fejl-formel-uden-vaerdi.xlsx", xlsx_bytes(wb))

    # The office id overwritten with a typo (the cell is locked, but copy-paste gets around it).
    plan = clean(plans["we-build-denmark", 2022])
    rows = engagements(plan, config, pools[plan.office])
    wb = fill(templates / template_filename(plan.office, 2022), plan, rows)
    wb[SHEET_INFO].cell(label_rows(wb[SHEET_INFO])["Klyngekontor"], 2, "we-build-denmak")
    write(FLAWED / "fejl-ukendt-kontor.xlsx", xlsx_bytes(wb))

    # Notes sent as CSV instead of the workbook: not a supported submission.
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(["CVR-nummer", "Virksomhedsnavn", "Kommune", "Bemærkning"])
    for row in rows[:5]:
        writer.writerow(
            [row.company.cvr, row.company.name, row.company.municipality, "Deltog i netværksmøde"]
        )
    write(FLAWED / "noter.csv", text.getvalue().encode("utf-8-sig"))

    # A clean submission saved in LibreOffice's own format: valid input.
    ods_copy(
        SUBMISSIONS / "2022" / template_filename("miljoeteknologi", 2022),
        FLAWED / "miljoeteknologi-2022.ods",
    )


def ods_copy(source: Path, target: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print(f"  (springer {target.name} over: LibreOffice er ikke installeret)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        # A private profile, so a LibreOffice that is already running does not swallow the job.
        profile = (work / "profile").as_uri()
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                "ods",
                "--outdir",
                str(work),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        converted = work / source.with_suffix(".ods").name
        data = converted.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        meta = archive.read("meta.xml").decode("utf-8")
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%S")
    meta = re.sub(r"(<meta:creation-date>)[^<]*", rf"\g<1>{stamp}", meta)
    meta = re.sub(r"(<dc:date>)[^<]*", rf"\g<1>{stamp}", meta)
    meta = re.sub(r"(<meta:editing-duration>)[^<]*", r"\g<1>PT0S", meta)
    data = normalise_zip(data, {"meta.xml": meta.encode("utf-8")})
    # LibreOffice orders some XML elements differently from run to run; keep the committed file
    # when its cells are the same, so a re-run changes no bytes.
    if target.exists() and cell_values(target.read_bytes()) == cell_values(data):
        print(f"  {target.relative_to(HERE.parent)} (uændret)")
        return
    write(target, data)


def cell_values(data: bytes) -> list[tuple[str, list[list[Any]]]]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return [(name, workbook.get_sheet_by_name(name).to_python()) for name in workbook.sheet_names]


# --- main ---------------------------------------------------------------------------------------


def summary(plan: Plan, config: Config, rows: list[Row]) -> str:
    participating = {m.name for m in config.participating(plan.year)}
    counted = {r.company.cvr: r.company for r in rows if r.company.municipality in participating}
    reached = {c.municipality for c in counted.values()}
    green = {
        r.company.cvr
        for r in rows
        if r.activity == GREEN and r.company.municipality in participating
    }
    derived = {
        "VIRK": len(counted),
        "SMV": sum(c.sme for c in counted.values()),
        "KOM": len(reached),
        "GROEN": len(green),
    }
    parts = []
    for indicator, target in config.contract(plan.office, plan.year):
        raw = plan.results.get(indicator.id, derived.get(indicator.id))
        value = float(str(raw).replace(".", "")) if isinstance(raw, str) else float(raw or 0)
        ratio = value / target if target else 1.0
        mark = "" if ratio >= 1 else (" (delvist)" if ratio >= config.partial else " (IKKE)")
        parts.append(f"{indicator.id} {value:,.0f}/{target:,.0f}{mark}")
    missing = sorted(participating - reached)
    slips = [
        f"{len(plan.outside)} uden for" if plan.outside else "",
        f"{plan.dates_as_text} dato som tekst" if plan.dates_as_text else "",
        f"{plan.duplicate_rows} dubletrække" if plan.duplicate_rows else "",
        ", ".join(f"{k} som tekst" for k, v in plan.results.items() if isinstance(v, str)),
    ]
    return (
        f"    {len(rows)} rækker; "
        + "; ".join(parts)
        + (f"; uden virksomheder: {', '.join(missing)}" if missing else "")
        + (f"; slip: {', '.join(s for s in slips if s)}" if any(slips) else "")
    )


def main() -> int:
    config = parse_file(HERE / "klyngerapport.toml")
    taken: set[int] = set()
    pools = {o.id: build_pool(o.id, o.lead.name, taken) for o in config.offices}
    plans = {(p.office, p.year): p for p in PLANS}
    for year in sorted({p.year for p in PLANS}):
        expected = {o.id for o in config.active_offices(year)}
        planned = {p.office for p in PLANS if p.year == year}
        if expected != planned:
            raise SystemExit(f"{year}: plans for {sorted(planned)}, active {sorted(expected)}")

    with tempfile.TemporaryDirectory() as tmp:
        templates = Path(tmp)
        for plan in PLANS:
            office = config.office(plan.office)
            assert office is not None
            name = template_filename(plan.office, plan.year)
            write_template(config, office, plan.year, templates / name)
            rows = engagements(plan, config, pools[plan.office])
            wb = fill(templates / name, plan, rows)
            write(SUBMISSIONS / str(plan.year) / name, xlsx_bytes(wb))
            print(summary(plan, config, rows))
        flawed_files(config, pools, templates, plans)
    return 0


if __name__ == "__main__":
    sys.exit(main())
