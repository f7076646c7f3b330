"""The file-level problems of the reading layer, each with a Danish message that says how to fix it.

One place for the wording, so the safety checks and the calamine error mapping say the same thing
about the same condition.
"""

from __future__ import annotations

from klyngerapport import danish
from klyngerapport.reading.sheet import FileProblem

ALLOWED_TEXT = (
    "Excel-projektmappe (.xlsx, .xlsm, .xlsb eller .xls) eller OpenDocument-regneark (.ods)"
)
RESAVE = (
    "Åbn filen i Excel eller LibreOffice, gem den som Excel-projektmappe (.xlsx) og send den igen."
)


def megabytes(size: int) -> str:
    """12_345_678 -> '12,3 MB' (Danish decimal comma)."""
    return f"{size / 1_000_000:.1f}".replace(".", ",") + " MB"


def count_text(n: int) -> str:
    """1234567 -> '1.234.567' (Danish thousands separator)."""
    return danish.number(n)


def unsupported(suffix: str) -> FileProblem:
    """A file type the tool does not read, with the way to turn it into one it does."""
    kind = suffix or "uden filtype"
    hints = {
        ".csv": "Gem filen som Excel-projektmappe (.xlsx) og send den igen.",
        ".txt": "Gem filen som Excel-projektmappe (.xlsx) og send den igen.",
        ".tsv": "Gem filen som Excel-projektmappe (.xlsx) og send den igen.",
        ".numbers": "Eksportér den fra Numbers som Excel (Arkiv → Eksporter til → Excel) og send "
        "den igen.",
        ".pdf": "Send selve regnearket, ikke en PDF-udskrift af det.",
    }
    hint = hints.get(suffix, "Gem filen som Excel-projektmappe (.xlsx) og send den igen.")
    return FileProblem(
        "file-unsupported",
        f"Filtypen {kind} kan ikke læses; indberetningen skal være en {ALLOWED_TEXT}. {hint}",
    )


def unreadable(what: str, hint: str = RESAVE) -> FileProblem:
    """The file is not a readable spreadsheet; `what` says what it is instead."""
    return FileProblem("file-unreadable", f"{what} {hint}")


def encrypted(legacy_xls: bool = False) -> FileProblem:
    message = (
        "Filen er beskyttet med adgangskode. Fjern adgangskoden (Filer → Oplysninger → Beskyt "
        "projektmappe → Krypter med adgangskode, slet adgangskoden) og send filen igen."
    )
    if legacy_xls:
        # Old .xls files are sometimes encrypted with Excel's built-in default password although
        # they open without asking; saving them as .xlsx removes that.
        message += " Åbner filen uden adgangskode, så gem den som Excel-projektmappe (.xlsx)."
    return FileProblem("file-encrypted", message)


def too_large(message: str) -> FileProblem:
    return FileProblem("file-too-large", message)


def file_too_large(size: int, limit: int) -> FileProblem:
    return too_large(
        f"Filen fylder {megabytes(size)}; grænsen er {megabytes(limit)}. Fjern billeder og "
        "ark, der ikke hører til indberetningen, gem filen og send den igen."
    )


def unpacks_too_large(reason: str) -> FileProblem:
    return too_large(
        f"Filen afvises, fordi {reason} (en mulig zip-bombe). Er det en almindelig "
        "indberetning, så fjern billeder og ark, der ikke hører til, gem den igen i Excel og "
        "send den igen."
    )


def xml_constructs() -> FileProblem:
    return too_large(
        "Filen indeholder XML-konstruktioner (DOCTYPE/ENTITY), som ikke er tilladt i et "
        f"regneark, og afvises af sikkerhedshensyn. {RESAVE}"
    )


def too_many_cells(sheet: str, extent: str, limit: int, whole_file: bool = False) -> FileProblem:
    if whole_file:
        # .xls and .ods: the reader loads every sheet when it opens the file.
        where = f'"{sheet}", {extent}' if extent else f'"{sheet}"'
        return too_large(
            f"Projektmappens ark spænder tilsammen over mere end grænsen på {count_text(limit)} "
            f"celler (sidst arket {where}). Slet de ark, der ikke hører til "
            "indberetningen, og rækker og kolonner efter dine data, gem filen som "
            "Excel-projektmappe (.xlsx) og send den igen."
        )
    return too_large(
        f'Arket "{sheet}" spænder over mindst {extent}: mere end grænsen på {count_text(limit)} '
        "celler. Det skyldes som regel en enkelt udfyldt celle langt til højre eller langt nede. "
        "Slet rækkerne og kolonnerne efter dine data, gem filen og send den igen."
    )
