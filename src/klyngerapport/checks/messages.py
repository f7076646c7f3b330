"""The finding catalogue: every code with its severity and its Danish message templates.

One place, so that codes (a contract, PRODUCT.md §6), severities and wording stay consistent.
A template key is a code, or "code/variant" when one code needs different words for different
situations (a CVR number that is missing vs. one that is malformed). Templates are `str.format`
strings; `{value}` is the offending value as text, shortened for the message. The message is
prefixed with where the problem is: "Virksomheder!A7: ", "Virksomheder, række 7: ",
"Indikatorer: " or nothing for a file-level finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from klyngerapport.checks.values import display
from klyngerapport.model import Finding
from klyngerapport.reading.sheet import RawSheet, cell_ref, invisible_shown
from klyngerapport.status import Severity

SEVERITY: Final[dict[str, Severity]] = {
    "file-unreadable": "error",
    "file-encrypted": "error",
    "file-too-large": "error",
    "file-unsupported": "error",
    "sheet-missing": "error",
    "sheet-ambiguous": "error",
    "cell-merged": "warning",
    "column-missing": "error",
    "office-missing": "error",
    "office-unknown": "error",
    "year-missing": "error",
    "year-mismatch": "error",
    "submission-duplicate": "error",
    "submission-missing": "error",
    "indicator-unknown": "warning",
    "result-missing": "error",
    "result-not-number": "error",
    "result-negative": "error",
    "formula-no-value": "error",
    "target-differs": "warning",
    "derived-differs": "warning",
    "cvr-invalid": "error",
    "cvr-checksum": "error",
    "municipality-unknown": "error",
    "municipality-outside": "warning",
    "sme-invalid": "error",
    "activity-unknown": "error",
    "date-invalid": "error",
    "date-outside-year": "error",
    "date-as-text": "warning",
    "date-after-cutoff": "error",
    "row-duplicate": "warning",
    "name-missing": "warning",
    "number-as-text": "warning",
}

_TEMPLATES: Final[dict[str, str]] = {
    # --- files (the reader words its FileProblems itself: reading/problems.py) ------------------
    "file-unreadable": "{detail}",
    "file-unreadable/crash": (
        "Filen kunne ikke kontrolleres på grund af en uventet fejl i klyngerapport ({detail}). "
        "Filen er ikke godkendt. Prøv at åbne og gemme den i Excel igen, og giv besked til den, "
        "der vedligeholder klyngerapport, hvis fejlen bliver ved."
    ),
    "file-encrypted": "{detail}",
    "file-too-large": "{detail}",
    "file-unsupported": "{detail}",
    # --- sheets and columns ---------------------------------------------------------------------
    "sheet-missing": (
        'Fanen "{name}" mangler (filen har: {found}). Brug skabelonen fra "klyngerapport '
        'template", og omdøb eller slet ikke fanerne.'
    ),
    "sheet-ambiguous": (
        'Flere faner hedder "{name}": {names} (navnene adskiller sig kun ved mellemrum, store '
        "og små bogstaver eller usynlige tegn). Det er uklart, hvilken der gælder. Slet eller "
        "omdøb den forkerte, så kun én hedder {name}."
    ),
    "sheet-missing/national": (
        'Fanen "{name}" mangler (filen har: {found}). {cluster} har en national resultatkontrakt '
        'med mål for {year}; skriv klyngens nationale resultater i fanen "{name}" fra skabelonen '
        '("klyngerapport template {year} --office {office}"). De regionale tal bruges som '
        "indberettet."
    ),
    "column-missing": (
        'Kolonnen "{column}" mangler i overskriftsrækken (række {header_row}). Tilføj kolonnen '
        'med overskriften "{column}", eller kopiér rækkerne over i skabelonen.'
    ),
    "column-missing/no-header": (
        "Fandt ingen overskriftsrække i de første 10 rækker. Fanen skal have en række med "
        "overskrifterne {columns}. Kopiér rækkerne over i skabelonen."
    ),
    # --- Indberetning -----------------------------------------------------------------------------
    "office-missing": (
        'Klyngekontoret mangler. Skriv klyngekontorets id ud for "Klyngekontor", fx "{example}".'
    ),
    "office-missing/no-label": (
        'Fanen har ingen række med "Klyngekontor" i kolonne A. Skriv "Klyngekontor" i kolonne A '
        'og klyngekontorets id i kolonne B, fx "{example}".'
    ),
    "office-unknown": (
        'Klyngekontoret "{value}" kendes ikke.{suggest} Kendte klyngekontorer: {known}.'
    ),
    "office-unknown/inactive": (
        "Klyngekontoret {value} er ikke aktivt i {year} (kun {first}–{last}) og har ingen "
        "resultatkontrakt for året. Tjek året, eller brug skabelonen for det rigtige år."
    ),
    "year-missing": (
        'Året mangler. Skriv indberetningsåret med fire cifre ud for "År", fx {example}.'
    ),
    "year-missing/not-a-year": (
        '"{value}" er ikke et årstal. Skriv indberetningsåret med fire cifre, fx {example}.'
    ),
    "year-missing/no-label": (
        'Fanen har ingen række med "År" i kolonne A. Skriv "År" i kolonne A og '
        "indberetningsåret i kolonne B, fx {example}."
    ),
    "year-mismatch": (
        "Filen er indberetningen for {found}, men der tjekkes for {year}. Læg filen i mappen "
        "for {found}, eller få en indberetning for {year} fra klyngekontoret."
    ),
    # --- the set of files -----------------------------------------------------------------------
    "submission-duplicate": (
        "Der er flere filer for {office} {year}: {files}. Behold kun den gældende indberetning "
        "i mappen."
    ),
    "submission-missing": (
        "Der mangler en indberetning fra {cluster} ({office}) for {year}. Send skabelonen "
        "(klyngerapport template {year} --office {office}) til klyngekontoret, og læg den "
        "udfyldte fil i mappen."
    ),
    "submission-missing/nearby": (
        "Der mangler en indberetning fra {cluster} ({office}) for {year} i mappen {folder}. "
        "En fil, der ligner den, ligger her: {found}. Er det den rigtige, så flyt den til "
        "{folder}, og tjek året i fanen Indberetning."
    ),
    # --- Indikatorer ----------------------------------------------------------------------------
    "indicator-unknown": (
        'Indikatoren "{value}" står ikke i resultatkontrakten for {office} {year} og indgår '
        "ikke i opfølgningen.{suggest} Kontraktens indikatorer: {known}."
    ),
    "indicator-unknown/national": (
        'Indikatoren "{value}" står ikke i den nationale resultatkontrakt (UFS) for {office} '
        "{year} og indgår ikke i opfølgningen.{suggest} De nationale indikatorer: {known}."
    ),
    "indicator-unknown/no-id": (
        "Rækken har intet ID og indgår ikke i opfølgningen. Skriv indikatorens ID i kolonnen "
        '"ID", eller slet rækken.'
    ),
    "row-duplicate/indicator": (
        "Indikatoren {indicator} står også i række {first}. Kun række {first} bruges; slet den "
        "ene række."
    ),
    "result-missing": (
        "Resultatet for {indicator} mangler. Skriv årets resultat som et tal (0, hvis der intet "
        "er)."
    ),
    "result-missing/no-row": (
        "Indikatoren {indicator} ({name}) står i resultatkontrakten, men mangler i fanen. Tilføj "
        "en række med ID {indicator} og årets resultat."
    ),
    "result-missing/no-row/national": (
        "Indikatoren {indicator} ({name}) står i den nationale resultatkontrakt (UFS), men mangler "
        "i fanen. Tilføj en række med ID {indicator} og klyngens nationale resultat for året."
    ),
    "result-not-number": (
        'Resultatet "{value}" for {indicator} er ikke et tal. Skriv kun tallet, fx 40 – ikke '
        '"ca. 40" eller "N/A" (skriv 0, hvis der intet er).'
    ),
    "result-not-number/error": (
        "Resultatet viser fejlen {value} fra en formel. Ret formlen, eller skriv resultatet som "
        "et tal."
    ),
    "result-negative": (
        "Resultatet {value} for {indicator} er negativt. Et resultat skal være 0 eller derover."
    ),
    "formula-no-value": (
        "Cellen indeholder en formel uden en gemt værdi. Åbn og gem filen i Excel (eller "
        "LibreOffice), så værdien bliver beregnet og gemt, og send den igen."
    ),
    "target-differs": (
        "Målet {value} for {indicator} er ikke resultatkontraktens mål ({target}). Kontraktens "
        "mål bruges; Mål-kolonnen skal ikke ændres."
    ),
    "target-differs/national": (
        "Målet {value} for {indicator} er ikke den nationale resultatkontrakts mål ({target}). "
        "Kontraktens mål bruges; Mål-kolonnen skal ikke ændres."
    ),
    "target-differs/blank": (
        "Målet for {indicator} er tomt i filen. Resultatkontraktens mål ({target}) bruges."
    ),
    "derived-differs": (
        "Resultatet {value} for {indicator} afviger fra optællingen i fanen Virksomheder "
        "({count}). Optællingen bruges."
    ),
    "number-as-text": (
        '{what} "{value}" er skrevet som tekst; læst som {number}. Skriv tallet uden punktum '
        "og tekst."
    ),
    # --- Virksomheder -----------------------------------------------------------------------------
    "cvr-invalid": (
        'CVR-nummeret "{value}" er ugyldigt ({reason}). Skriv de 8 cifre uden mellemrum, fx '
        "29189625, og tjek nummeret på virk.dk."
    ),
    "cvr-invalid/missing": (
        "CVR-nummeret mangler. Skriv virksomhedens 8-cifrede CVR-nummer (find det på virk.dk), "
        "eller slet rækken."
    ),
    "cvr-invalid/error": (
        "Cellen viser fejlen {value} i stedet for et CVR-nummer. Skriv CVR-nummeret (8 cifre)."
    ),
    "cvr-checksum": (
        "CVR-nummeret {cvr} er ugyldigt (kontrolcifferet passer ikke). Tjek nummeret på virk.dk."
    ),
    "municipality-unknown": (
        '"{value}" er ikke en kendt kommune.{suggest} Vælg virksomhedens kommune på listen '
        "(navn eller kommunekode, fx Næstved eller 370)."
    ),
    "municipality-unknown/missing": ("Kommunen mangler. Vælg virksomhedens kommune på listen."),
    "municipality-unknown/error": (
        "Cellen viser fejlen {value} i stedet for en kommune. Vælg virksomhedens kommune på listen."
    ),
    "municipality-outside": (
        "{municipality} Kommune deltager ikke i medfinansieringen af klyngekontorerne. "
        "Virksomheden står i rapporten, men tæller ikke med i indikatorerne."
    ),
    "sme-invalid": ('SMV skal være "Ja" eller "Nej", ikke "{value}". Vælg på listen.'),
    "sme-invalid/missing": (
        'SMV mangler. Skriv "Ja", hvis virksomheden er en lille eller mellemstor virksomhed, '
        'ellers "Nej".'
    ),
    "sme-invalid/error": (
        'Cellen viser fejlen {value} i stedet for "Ja" eller "Nej". Vælg på listen.'
    ),
    "activity-unknown": ('Aktiviteten "{value}" kendes ikke.{suggest} Vælg en af: {known}.'),
    "activity-unknown/missing": ("Aktiviteten mangler. Vælg en af: {known}."),
    "activity-unknown/error": (
        "Cellen viser fejlen {value} i stedet for en aktivitet. Vælg en af: {known}."
    ),
    "date-invalid": ('"{value}" er ikke en dato. Skriv datoen som dd-mm-åååå, fx 01-03-{year}.'),
    "date-invalid/missing": (
        "Datoen mangler. Skriv datoen for aktiviteten som dd-mm-åååå, fx 01-03-{year}."
    ),
    "date-invalid/error": (
        "Cellen viser fejlen {value} i stedet for en dato. Skriv datoen som dd-mm-åååå, fx "
        "01-03-{year}."
    ),
    "date-outside-year": (
        "Datoen {date} ligger ikke i {year}. Indberetningen for {year} må kun have aktiviteter "
        "fra 01-01-{year} til 31-12-{year}."
    ),
    "date-after-cutoff": (
        "Aktiviteten er dateret {date}, efter opgørelsesdatoen {cutoff} (generate --as-of). "
        "Status pr. {cutoff} kan kun have aktiviteter til og med {cutoff}: ret datoen, hvis den "
        "er forkert, eller lav opgørelsen pr. en senere dato."
    ),
    "date-as-text": (
        'Datoen "{value}" er skrevet som tekst; læst som {date}. Skriv den som en rigtig dato '
        "(dd-mm-åååå)."
    ),
    "date-as-text/serial": (
        "Datoen er skrevet som tallet {value}; læst som {date}. Formatér cellen som dato."
    ),
    "row-duplicate": (
        "Rækken gentager række {first}: samme CVR-nummer ({cvr}), aktivitet og dato. Slet den "
        "ene, hvis det er den samme aktivitet."
    ),
    "cell-merged": (
        "Cellerne {cells} er flettet; værdien {value} er brugt i hver række, fletningen dækker. "
        "Ophæv fletningen (Start → Flet og centrer) og skriv værdien i hver række."
    ),
    "cell-merged/empty": (
        "Cellerne {cells} er flettet, og fletningen er tom. Ophæv fletningen (Start → Flet og "
        "centrer) og udfyld hver række."
    ),
    "name-missing": ("Virksomhedsnavnet mangler for CVR-nummer {cvr}. Skriv virksomhedens navn."),
}

_SHOWN_MAX = 60  # characters of a value quoted in a message; the finding keeps all of it


UNSEEN_ERROR = (
    " Cellen kan også indeholde en fejlværdi fra en formel (fx #DIV/0! eller #N/A), som ikke kan "
    "ses i denne fil; ret i så fald formlen."
)


def unseen(sheet: RawSheet) -> dict[str, object]:
    """Parameters that make an empty-cell message add that the cell may hold an error value,
    for a sheet whose format hides error values from the reader."""
    return {"unseen_error": True} if sheet.errors_unseen else {}


def template_keys() -> tuple[str, ...]:
    return tuple(_TEMPLATES)


def quote(value: object) -> str:
    """A value for a message: as text, shortened, on one line."""
    text = " ".join(display(value).split()) if value is not None else ""
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 1] + "…"


def where(sheet: str | None, row: int, col: int | None, whole_row: bool) -> tuple[str | None, str]:
    """(cell, message prefix) of a place."""
    if sheet is None:
        return None, ""
    if col is not None and row:
        cell = cell_ref(row, col)
        return cell, f"{sheet}!{cell}: "
    if whole_row and row:
        return f"{row}:{row}", f"{sheet}, række {row}: "
    return None, f"{sheet}: "


def finding(
    key: str,
    file: str,
    *,
    sheet: str | None = None,
    row: int = 0,
    col: int | None = None,
    value: object = None,
    **params: object,
) -> Finding:
    """A finding from the catalogue. `col` is 0-based (0 = A), `row` 1-based."""
    return build(key, file, sheet, row, col, False, value, params)


def build(
    key: str,
    file: str,
    sheet: str | None,
    row: int,
    col: int | None,
    whole_row: bool,
    value: object,
    params: Mapping[str, object],
) -> Finding:
    code = key.partition("/")[0]
    cell, prefix = where(sheet, row, col, whole_row)
    text = _TEMPLATES[key].format(value=quote(value), **params)
    if params.get("unseen_error"):
        text += UNSEEN_ERROR
    if isinstance(value, str) and (hidden := invisible_shown(value)):
        # Two values that look the same but differ in characters no one can see.
        text += (
            f" Cellen indeholder usynlige tegn ({hidden}), fx fra kopiering; skriv værdien igen."
        )
    shown = None if value is None else display(value)
    return Finding(code, SEVERITY[code], file, prefix + text, sheet, cell, shown, row)


class SheetFindings:
    """Collects the findings of one sheet of one file."""

    __slots__ = ("file", "items", "sheet")

    def __init__(self, file: str, sheet: str) -> None:
        self.file = file
        self.sheet = sheet
        self.items: list[Finding] = []

    def add(
        self,
        key: str,
        row: int = 0,
        col: int | None = None,
        *,
        value: object = None,
        **params: object,
    ) -> None:
        """A finding about one cell (`row` and `col`) or, without them, the whole sheet."""
        self.items.append(build(key, self.file, self.sheet, row, col, False, value, params))

    def add_row(self, key: str, row: int, *, value: object = None, **params: object) -> None:
        """A finding about a whole row."""
        self.items.append(build(key, self.file, self.sheet, row, None, True, value, params))
