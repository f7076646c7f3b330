"""The submission workbook's layout (PRODUCT.md §5): sheet names, labels, headers and texts.

One place for what the template writes, the checks read and the test builders build, so the
three can never drift apart. Other spellings the checks accept live beside the checks.
"""

from __future__ import annotations

# Sheets of a submission, in the template's order.
SHEET_INFO = "Indberetning"
SHEET_INDICATORS = "Indikatorer"
SHEET_COMPANIES = "Virksomheder"
SHEET_NATIONAL = "Nationale mål"  # only where national targets exist (PRODUCT.md §10)
SHEET_LISTS = "Lister"  # the template's hidden sheet with the drop-down lists; never read

# Indberetning: a label in column A, its value in column B.
INFO_OFFICE = "Klyngekontor"
INFO_YEAR = "År"
INFO_CONTACT = "Kontaktperson"
INFO_EMAIL = "E-mail"
INFO_DATE = "Dato"
INFO_LABELS = (INFO_OFFICE, INFO_YEAR, INFO_CONTACT, INFO_EMAIL, INFO_DATE)

# Indikatorer: one row per contract indicator.
IND_ID = "ID"
IND_NAME = "Indikator"
IND_UNIT = "Enhed"
IND_TARGET = "Mål"
IND_RESULT = "Resultat"
IND_COMMENT = "Bemærkning"
INDICATOR_HEADERS = (IND_ID, IND_NAME, IND_UNIT, IND_TARGET, IND_RESULT, IND_COMMENT)

# Virksomheder: one row per company engagement.
CVR = "CVR-nummer"
NAME = "Virksomhedsnavn"
MUNICIPALITY = "Kommune"
SME = "SMV"
ACTIVITY = "Aktivitet"
DATE = "Dato"
COMPANY_HEADERS = (CVR, NAME, MUNICIPALITY, SME, ACTIVITY, DATE)

# What the template writes in Resultat of an indicator counted from Virksomheder.
DERIVED_TEXT = "Beregnes ud fra fanen Virksomheder"

YES, NO = "Ja", "Nej"

ACTIVITIES: tuple[str, ...] = (
    "Netværk og arrangementer",
    "Innovationsprojekt",
    "Videnssamarbejde",
    "Internationalisering",
    "Sparring og matchmaking",
    "Grøn omstilling",
)

# Indicator.derive kinds besides "activity:<Aktivitet>".
DERIVED_KINDS: tuple[str, ...] = ("companies", "smes", "municipalities")


def result_source(cell: str, row: int, sheet: str = SHEET_INDICATORS) -> str:
    """Where a reported result was read, as the report shows it: "Indikatorer!E5"."""
    return f"{sheet}!{cell}" if cell else f"{sheet}, række {row}"


DERIVED_SOURCE = f"{SHEET_COMPANIES} (optalt)"
