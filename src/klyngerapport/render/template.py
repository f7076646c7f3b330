"""The prefilled submission workbook an office fills in (PRODUCT.md §5), written with openpyxl.

Three visible sheets (Indberetning, Indikatorer, Virksomheder) and a hidden one (Lister) that feeds
the drop-downs. Everything the office must not change is locked by sheet protection without a
password (protection prevents accidents, it is not security); the cells to fill in are unlocked
and all marked the same way (yellow with a frame). How cells look: template_cells.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection

from klyngerapport import danish
from klyngerapport.atomic import atomic_write
from klyngerapport.config import Config
from klyngerapport.errors import ConfigError
from klyngerapport.model import Office
from klyngerapport.reference import municipalities
from klyngerapport.render.template_cells import (
    BOX,
    DATE_FORMAT,
    LOCKED_FILL,
    NOTE_FONT,
    NUMBER_FORMAT,
    PLAIN,
    WRAP_TOP,
    data_validation,
    excel_serial,
    font,
    header,
    mark_input,
    protect,
    sheet_line,
    wrapped_lines,
)
from klyngerapport.schema import (
    ACTIVITIES,
    COMPANY_HEADERS,
    DERIVED_TEXT,
    INDICATOR_HEADERS,
    INFO_CONTACT,
    INFO_DATE,
    INFO_EMAIL,
    INFO_LABELS,
    INFO_OFFICE,
    INFO_YEAR,
    NO,
    SHEET_COMPANIES,
    SHEET_INDICATORS,
    SHEET_INFO,
    SHEET_LISTS,
    SHEET_NATIONAL,
    YES,
)

DESCRIPTION_HEADER = "Hvad tæller med"  # an extra column: the reader ignores it
COMPANY_ROWS = 2000  # unlocked, formatted input rows below the header of Virksomheder

# Where things are, for code that fills a template in (the reader finds them by their labels).
INFO_FIRST_ROW = 5  # "Klyngekontor" in A5, its value in B5; the other labels follow
HEADER_ROW = 2  # header row of Indikatorer and Virksomheder; row 1 says what goes in the sheet

# Names of the list ranges on the hidden sheet, used by the drop-downs. Defined names keep the
# validation formulas valid in every Excel version (older ones refuse references to other sheets).
LIST_MUNICIPALITIES = "Kommuner"
LIST_YES_NO = "JaNej"
LIST_ACTIVITIES = "Aktiviteter"


def template_filename(office_id: str, year: int) -> str:
    """The file name of an office's template: '<office-id>-<YEAR>.xlsx'."""
    return f"{office_id}-{year}.xlsx"


def write_template(config: Config, office: Office, year: int, path: Path) -> None:
    """Write the prefilled submission workbook of `office` for `year` to `path`, atomically.

    The workbook is written to a temporary file in the same folder and renamed over `path`, so a
    failure never leaves a half-written file (and an existing file stays as it was).
    """
    workbook = build_template(config, office, year)
    with atomic_write(path) as handle:
        workbook.save(handle)


def build_template(config: Config, office: Office, year: int) -> Any:
    """The template as an openpyxl Workbook (not saved)."""
    if not config.contract(office.id, year):
        raise ConfigError(
            f"{office.cluster} ({office.id}) har ingen mål for {year}, så der laves ingen "
            "skabelon.",
            f"Tilføj {year} = {{ ... }} under [targets.{office.id}] i {config.path.name} med "
            "målene fra resultatkontrakten.",
        )
    wb = Workbook()
    _info_sheet(wb.active, config, office, year)
    _indicator_sheet(wb.create_sheet(SHEET_INDICATORS), config, office, year)
    if config.national_contract(office.id, year):
        _indicator_sheet(wb.create_sheet(SHEET_NATIONAL), config, office, year, national=True)
    _company_sheet(wb.create_sheet(SHEET_COMPANIES), config, year)
    _list_sheet(wb, wb.create_sheet(SHEET_LISTS))
    wb.active = 0
    # Renaming, deleting or unhiding sheets would break the submission; no password, by design.
    wb.security = WorkbookProtection(lockStructure=True)
    props = wb.properties
    props.title = f"Indberetning {year} – {office.cluster}"
    props.subject = f"Årlig opfølgning på de regionale klyngekontorer, {config.council}"
    props.creator = "klyngerapport"
    props.lastModifiedBy = "klyngerapport"
    props.keywords = f"klyngerapport; {office.id}; {year}"
    props.description = (
        f"Skabelon til {office.cluster}s indberetning for {year} til "
        f"{config.council}. Lavet med klyngerapport."
    )
    props.language = "da-DK"
    return wb


# --- sheets ------------------------------------------------------------------------------------


def _info_sheet(ws: Any, config: Config, office: Office, year: int) -> None:
    ws.title = SHEET_INFO
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 48
    ws.column_dimensions["C"].width = 40

    submission = config.submission
    recipient = submission.recipient or f"{config.council}-sekretariatet"
    due = submission.deadline_for(year)
    deadline = due.strftime("%d-%m-%Y") if due is not None else ""
    ws["A1"] = f"Indberetning til {config.council} for {year}"
    ws["A1"].font = font(bold=True, size=14)
    ws["A2"] = (
        f"{office.cluster} – regionalt klyngekontor for {office.strength.lower()}, "
        f"leadkommune {office.lead.name}"
    )
    ws["A2"].font = NOTE_FONT
    ws["A3"] = (
        "Her: hvem der indberetter. De gule felter med ramme udfyldes; de grå er udfyldt på "
        "forhånd."
    )
    ws["A3"].font = font(bold=True, color="1F4E78")

    first = INFO_FIRST_ROW
    values: dict[str, Any] = {INFO_OFFICE: office.id, INFO_YEAR: year}
    hints = {
        INFO_OFFICE: "Udfyldt på forhånd – må ikke ændres.",
        INFO_YEAR: "Udfyldt på forhånd – må ikke ændres.",
        INFO_CONTACT: "Navn på den, der har udfyldt indberetningen.",
        INFO_EMAIL: "Kontaktpersonens e-mailadresse.",
        INFO_DATE: f"Dato for indberetningen ({DATE_FORMAT.replace('yyyy', 'åååå')}).",
    }
    for offset, label in enumerate(INFO_LABELS):
        row = first + offset
        ws.cell(row, 1, label).font = font(bold=True)
        value = ws.cell(row, 2, values.get(label))
        value.font = PLAIN
        if label in values:
            value.border = BOX
            value.fill = LOCKED_FILL
            value.alignment = Alignment(horizontal="left")
        else:
            mark_input(value)
        if label == INFO_DATE:
            value.number_format = DATE_FORMAT
            value.alignment = Alignment(horizontal="left")
        ws.cell(row, 3, hints[label]).font = NOTE_FONT

    date_row = first + INFO_LABELS.index(INFO_DATE)
    submitted = data_validation(
        "date",
        operator="between",
        formula1=excel_serial(dt.date(year, 1, 1)),
        formula2=excel_serial(dt.date(year + 1, 12, 31)),
        promptTitle="Dato",
        prompt=f"Datoen for indberetningen, fx 15-01-{year + 1}.",
        errorTitle="Ugyldig dato",
        error=f"Skriv en dato mellem 01-01-{year} og 31-12-{year + 1} som dd-mm-åååå.",
    )
    submitted.add(f"B{date_row}")
    ws.add_data_validation(submitted)
    for label in (INFO_CONTACT, INFO_EMAIL):
        length = data_validation(
            "textLength",
            operator="lessThanOrEqual",
            formula1="200",
            promptTitle=label,
            prompt=hints[label],
            errorTitle="For lang tekst",
            error="Højst 200 tegn.",
        )
        length.add(f"B{first + INFO_LABELS.index(label)}")
        ws.add_data_validation(length)

    row = first + len(INFO_LABELS) + 1
    send_to = recipient + (f" ({submission.email})" if submission.email else "")
    delivery = [
        ("Frist", f"Senest {deadline}" if deadline else "Aftales med modtageren"),
        ("Sendes til", send_to),
        ("Kontakt", submission.contact or send_to),
    ]
    ws.cell(row, 1, "Aflevering").font = font(bold=True, size=12)
    for offset, (label, text) in enumerate(delivery, start=1):
        ws.cell(row + offset, 1, label).font = font(bold=True)
        ws.cell(row + offset, 2, text).font = PLAIN
    row += len(delivery) + 2
    participating = config.participating(year)
    outside = [m.name for m in config.non_participating(year)]
    about = [
        ("Klynge", office.cluster),
        ("Styrkeposition", office.strength),
        ("Leadkommune", office.lead.name),
        (
            "Deltagende kommuner",
            f"{len(participating)} af {len(municipalities().municipalities)}"
            + (f" (ikke {', '.join(outside)})" if outside else ""),
        ),
    ]
    ws.cell(row, 1, "Om klyngekontoret").font = font(bold=True, size=12)
    for offset, (label, text) in enumerate(about, start=1):
        ws.cell(row + offset, 1, label).font = font(color="595959")
        ws.cell(row + offset, 2, text).font = PLAIN

    row += len(about) + 2
    ws.cell(row, 1, "Sådan udfylder du skabelonen").font = font(bold=True, size=12)
    steps = [
        "1. Udfyld de gule felter ovenfor: kontaktperson, e-mail og dato.",
        "2. Fanen Indikatorer: skriv årets resultat i kolonnen Resultat (de gule felter). "
        "Målene kommer fra resultatkontrakten og kan ikke ændres. Kolonnen "
        f'"{DESCRIPTION_HEADER}" siger, hvad der tæller. Forklar gerne afvigelser i Bemærkning.',
        "3. Fanen Virksomheder: én række for hver aktivitet med en virksomhed – CVR-nummer "
        f"(8 cifre), navn, kommune, SMV (Ja/Nej), aktivitet og dato i {year}. "
        "Den samme virksomhed må gerne stå flere gange med forskellige aktiviteter.",
        f'4. Indikatorer med teksten "{DERIVED_TEXT}" tælles automatisk: unikke CVR-numre '
        "fra de deltagende kommuner. Virksomheder fra andre kommuner vises, men tælles ikke.",
        '5. Skriv tal uden tekst (fx 1250000, ikke "ca. 1,2 mio."), og brug ikke formler.',
        "6. Gem filen som Excel-fil (.xlsx) under samme navn, og send den til "
        f"{send_to}" + (f" senest {deadline}." if deadline else "."),
    ]
    # One merged, wrapped block reads (and prints) better than six overflowing lines.
    block = ws.cell(row + 1, 1, "\n".join(steps))
    block.alignment = WRAP_TOP
    block.font = PLAIN
    ws.merge_cells(start_row=row + 1, start_column=1, end_row=row + len(steps), end_column=3)
    for offset in range(1, len(steps) + 1):
        ws.row_dimensions[row + offset].height = 27

    ws.sheet_view.selection[0].activeCell = f"B{first + 2}"
    ws.sheet_view.selection[0].sqref = f"B{first + 2}"
    ws.print_options.gridLines = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToHeight = 0
    protect(ws)


def _indicator_sheet(
    ws: Any, config: Config, office: Office, year: int, national: bool = False
) -> None:
    """Indikatorer, or with `national` the Nationale mål sheet: the same table, the national
    contract's indicators, and every result reported (nothing national is counted from
    Virksomheder, which lists the regional office's companies)."""
    sheet_line(
        ws,
        f"Her: klyngens nationale resultat for {year} pr. indikator i kontrakten med UFS – skriv "
        "i de gule felter."
        if national
        else f"Her: årets resultat for {year} pr. indikator i resultatkontrakten – skriv i de "
        "gule felter.",
    )
    header(
        ws, HEADER_ROW, (*INDICATOR_HEADERS, DESCRIPTION_HEADER), widths=(9, 40, 8, 13, 20, 30, 52)
    )
    whose = "Klyngens nationale resultat (kontrakten med UFS)" if national else "Årets resultat"
    reported = data_validation(
        "decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        promptTitle="Resultat",
        prompt=f"{whose} for {year} som et tal, fx 12 eller 1250000. "
        "Forklaringer skrives i Bemærkning.",
        errorTitle="Ugyldigt resultat",
        error="Resultatet skal være et tal, der er 0 eller større (fx 1250000 – ikke "
        '"ca. 40" eller tekst).',
    )
    contract = (
        config.national_contract(office.id, year) if national else config.contract(office.id, year)
    )
    for row, (indicator, target) in enumerate(contract, start=HEADER_ROW + 1):
        ws.cell(row, 1, indicator.id)
        ws.cell(row, 2, indicator.name).alignment = WRAP_TOP
        ws.cell(row, 3, indicator.unit)
        goal = ws.cell(row, 4, int(target) if float(target).is_integer() else target)
        goal.number_format = NUMBER_FORMAT
        result = ws.cell(row, 5)
        result.number_format = NUMBER_FORMAT
        for col in range(1, len(INDICATOR_HEADERS) + 2):
            cell = ws.cell(row, col)
            cell.border = BOX
            cell.font = PLAIN
        if indicator.derived and not national:
            result.value = DERIVED_TEXT
            result.font = NOTE_FONT
            result.fill = LOCKED_FILL
            result.alignment = Alignment(wrap_text=True, vertical="top")
        else:
            mark_input(result)
            reported.add(result.coordinate)
        comment = ws.cell(row, 6)
        mark_input(comment)
        comment.alignment = WRAP_TOP
        about = ws.cell(row, 7, indicator.description or None)
        about.font = NOTE_FONT
        about.alignment = WRAP_TOP
        for col in range(1, len(INDICATOR_HEADERS) + 2):
            cell = ws.cell(row, col)
            if col not in (2, 7) and cell.alignment.vertical is None:
                cell.alignment = Alignment(vertical="top", wrap_text=cell.alignment.wrap_text)
        # Tall enough for the longer of name and description at these column widths.
        lines = max(
            wrapped_lines(indicator.name, 40),
            wrapped_lines(indicator.description, 52),
            wrapped_lines(DERIVED_TEXT, 20),
        )
        ws.row_dimensions[row].height = max(30, 15 * lines + 2)
    if reported.sqref:
        ws.add_data_validation(reported)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    protect(ws, formatColumns=False, formatRows=False)


def _company_sheet(ws: Any, config: Config, year: int) -> None:
    sheet_line(
        ws,
        f"Her: én række for hver aktivitet med en virksomhed i {year} – også samme virksomhed "
        "flere gange.",
    )
    header(ws, HEADER_ROW, COMPANY_HEADERS, widths=(14, 44, 18, 8, 28, 13))
    first, last = HEADER_ROW + 1, HEADER_ROW + COMPANY_ROWS
    formats = ("0", "@", "General", "General", "General", DATE_FORMAT)
    for row in range(first, last + 1):
        for col, number_format in enumerate(formats, start=1):
            cell = ws.cell(row, col)
            mark_input(cell)
            if number_format != "General":
                cell.number_format = number_format

    outside = ", ".join(m.name for m in config.non_participating(year))
    validations = {
        "A": data_validation(
            "whole",
            operator="between",
            formula1="10000000",
            formula2="99999999",
            promptTitle="CVR-nummer",
            prompt="Virksomhedens CVR-nummer: 8 cifre uden mellemrum, fx 25313763.",
            errorTitle="Ugyldigt CVR-nummer",
            error="Et CVR-nummer er 8 cifre og starter ikke med 0. Slå nummeret op på virk.dk.",
        ),
        "C": data_validation(
            "list",
            formula1=LIST_MUNICIPALITIES,
            promptTitle="Kommune",
            prompt="Vælg den kommune, virksomheden ligger i."
            + (
                f" Virksomheder i {outside} vises i rapporten, men tælles ikke med."
                if outside
                else ""
            ),
            # A warning, not a stop: a company registered elsewhere in Denmark is real and is
            # listed in the report (municipality-outside), so the office may type its name.
            error_style="warning",
            errorTitle="Kommune uden for listen",
            error="Kommunen står ikke på listen over kommuner i Region Sjælland. Er det en "
            "virksomhed fra en anden del af landet, så vælg Ja for at beholde navnet.",
        ),
        "D": data_validation(
            "list",
            formula1=LIST_YES_NO,
            promptTitle="SMV",
            prompt="Ja hvis virksomheden er en lille eller mellemstor virksomhed "
            "(under 250 ansatte), ellers Nej.",
            errorTitle="Ja eller Nej",
            error="Vælg Ja eller Nej på listen.",
        ),
        "E": data_validation(
            "list",
            formula1=LIST_ACTIVITIES,
            promptTitle="Aktivitet",
            prompt="Vælg aktiviteten på listen. Har virksomheden deltaget i flere aktiviteter, "
            "så brug en række til hver.",
            errorTitle="Ukendt aktivitet",
            error="Vælg en af aktiviteterne på listen.",
        ),
        "F": data_validation(
            "date",
            operator="between",
            formula1=excel_serial(dt.date(year, 1, 1)),
            formula2=excel_serial(dt.date(year, 12, 31)),
            promptTitle="Dato",
            prompt=f"Dato for aktiviteten i {year}, fx 15-03-{year}.",
            errorTitle="Dato uden for året",
            error=f"Datoen skal ligge i {year} (01-01-{year} til 31-12-{year}) og skrives "
            "som dd-mm-åååå.",
        ),
    }
    for column, validation in validations.items():
        validation.add(f"{column}{first}:{column}{last}")
        ws.add_data_validation(validation)

    ws.freeze_panes = f"A{first}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:F{last}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    protect(
        ws,
        formatColumns=False,
        formatRows=False,
        insertRows=False,
        deleteRows=False,
        sort=False,
        autoFilter=False,
    )


def _list_sheet(wb: Any, ws: Any) -> None:
    names = sorted(municipalities().names(), key=danish.sort_key)
    columns: list[tuple[str, str, tuple[str, ...]]] = [
        ("A", LIST_MUNICIPALITIES, tuple(names)),
        ("B", LIST_YES_NO, (YES, NO)),
        ("C", LIST_ACTIVITIES, ACTIVITIES),
    ]
    for col, (letter, name, items) in enumerate(columns, start=1):
        ws.cell(1, col, name).font = font(bold=True)
        for row, item in enumerate(items, start=2):
            ws.cell(row, col, item).font = PLAIN
        ws.column_dimensions[letter].width = 28
        ref = f"'{SHEET_LISTS}'!${letter}$2:${letter}${len(items) + 1}"
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    ws.sheet_state = "hidden"
    protect(ws)
