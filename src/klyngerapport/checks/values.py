"""Reading one cell's value the way a Danish spreadsheet user meant it.

Cells arrive as the reader found them: None or "" (empty), str, int, float, bool, date, datetime,
time or timedelta. The parsers here say what a value means (a number, a date, a piece of text) and
whether it had to be read from text, which the checks report as a warning. They never raise.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

from klyngerapport.reading.sheet import without_invisible

# Excel's 1900 date system counts days from 1899-12-30 (the off-by-one is Lotus' 1900 leap-year
# bug, which Excel kept); only serials between 1950 and 2100 are taken for dates, so a small
# number such as 12 is not silently read as 12 January 1900.
EXCEL_EPOCH = dt.date(1899, 12, 30)
SERIAL_MIN = (dt.date(1950, 1, 1) - EXCEL_EPOCH).days
SERIAL_MAX = (dt.date(2100, 12, 31) - EXCEL_EPOCH).days
# A workbook in the 1904 date system (old Mac Excel, some exports) counts from 1 January 1904.
EXCEL_EPOCH_1904 = dt.date(1904, 1, 1)

_DMY = re.compile(
    r"(\d{1,2})\s*([-./])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})"
    r"(?:[ t]+\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?)?"
)
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_NAMED = re.compile(r"(\d{1,2})\.?\s*([a-zæøå]+)\.?\s*(\d{4})")
_DIGITS = re.compile(r"\d+(?:[.,]0+)?")
_NUMBER = re.compile(r"\d+(?:[ .,]\d+)*")
_MONTHS = {
    "januar": 1,
    "jan": 1,
    "februar": 2,
    "feb": 2,
    "marts": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "maj": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
# Spaces a spreadsheet puts into numbers: ordinary, no-break and narrow no-break.
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})
_UNITS = ("kr.", "kr", "dkk")


def is_blank(value: object) -> bool:
    """True for an empty cell: None, "" or only whitespace."""
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


def clean_text(value: object) -> str:
    """Text as the office meant it: NFC, invisible characters (zero-width space, soft hyphen,
    ...) and surrounding and repeated whitespace removed."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else display(value)
    return " ".join(without_invisible(unicodedata.normalize("NFC", text)).split())


def display(value: object) -> str:
    """A cell value as text, as the user would see it ("12345678", not "12345678.0")."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "SAND" if value else "FALSK"  # Excel's Danish names for TRUE/FALSE
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def format_number(number: float) -> str:
    """1234.0 -> '1234', 12.5 -> '12,5' (Danish decimal comma, no thousands separator)."""
    if math.isfinite(number) and number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number).replace(".", ",")


def format_date(date: dt.date) -> str:
    """The Danish way: 01-03-2022."""
    return f"{date.day:02d}-{date.month:02d}-{date.year}"


# --- numbers -----------------------------------------------------------------------------------


def parse_number(value: object) -> tuple[float, bool] | None:
    """(number, read_from_text) or None when `value` is not a number.

    Numbers typed as Danish text are read: "1.234", "12,5", "1 234 kr.", "2.000.000 kr",
    "1.234,50", "-5". Text with words in it ("ca. 40", "N/A"), booleans, dates and NaN are not
    numbers. Check `is_blank` first: an empty cell is not a number either.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        return (number, False) if math.isfinite(number) else None
    if isinstance(value, str):
        parsed = parse_number_text(value)
        return None if parsed is None else (parsed, True)
    return None


def parse_number_text(text: str) -> float | None:
    """A number written as Danish (or plain English) text, or None."""
    t = without_invisible(text).translate(_SPACES).strip().casefold().replace("\u2212", "-")
    for unit in _UNITS:
        if t.endswith(unit):
            t = t[: -len(unit)].rstrip()
            break
    for unit in _UNITS:
        if t.startswith(unit):
            t = t[len(unit) :].lstrip()
            break
    if t.endswith((",-", ".-")):  # "2.000,-" is how Danes write whole kroner
        t = t[:-2].rstrip()
    sign = 1.0
    if t[:1] in ("-", "+"):
        sign = -1.0 if t[0] == "-" else 1.0
        t = t[1:].lstrip()
    if not _NUMBER.fullmatch(t):
        return None
    groups = re.split(r"[ .,]", t)
    seps = [c for c in t if c in " .,"]
    if not seps:
        digits = t
    elif _grouped(groups) and len(set(seps)) == 1 and seps != [","]:
        # "1.234", "1 234", "2.000.000", "1,234,567": thousands separators only. A single comma
        # is the Danish decimal comma: "1,234" is 1.234.
        digits = "".join(groups)
    else:
        decimal, grouping = seps[-1], set(seps[:-1])
        if decimal == " " or decimal in grouping or len(grouping) > 1:
            return None
        if grouping and not _grouped(groups[:-1]):
            return None
        digits = "".join(groups[:-1]) + "." + groups[-1]
    number = sign * float(digits)
    return number if math.isfinite(number) else None


def _grouped(groups: list[str]) -> bool:
    """True when the digit groups are a 1-3 digit lead followed by groups of exactly three."""
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


# --- dates -------------------------------------------------------------------------------------


def parse_date(value: object, date1904: bool = False) -> tuple[dt.date, bool] | None:
    """(date, read_from_text_or_serial) or None when `value` is not a date.

    Real dates and datetimes are dates. Text in the usual Danish forms ("01-03-2022",
    "1.3.2022", "1/3/22", "1. marts 2022"), ISO text ("2022-03-01") and bare Excel serial numbers
    (44621, as a number or as text) are read as dates, flagged so the caller can warn. Serial
    numbers follow the workbook's date system (`date1904`).
    """
    if isinstance(value, dt.datetime):
        return value.date(), False
    if isinstance(value, dt.date):
        return value, False
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        date = serial_date(float(value), date1904)
        return None if date is None else (date, True)
    if isinstance(value, str):
        date = parse_date_text(value, date1904)
        return None if date is None else (date, True)
    return None


def serial_date(serial: float, date1904: bool = False) -> dt.date | None:
    """The date of an Excel serial number (the day; a time of day is dropped), if plausible."""
    if date1904:
        # The same day is 1462 lower in the 1904 system: bring it to the 1900 count.
        serial += (EXCEL_EPOCH_1904 - EXCEL_EPOCH).days
    if not math.isfinite(serial) or not SERIAL_MIN <= serial < SERIAL_MAX + 1:
        return None
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def parse_date_text(text: str, date1904: bool = False) -> dt.date | None:
    t = " ".join(without_invisible(text).split()).casefold()
    if not t:
        return None
    day = month = year = 0
    if m := _DMY.fullmatch(t):
        day, month, year = int(m[1]), int(m[3]), int(m[4])
        if len(m[4]) == 2:
            year += 2000
    elif m := _ISO.fullmatch(t):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _NAMED.fullmatch(t):
        month = _MONTHS.get(m[2], 0)
        day, year = int(m[1]), int(m[3])
    elif _DIGITS.fullmatch(t):
        return serial_date(float(t.replace(",", ".")), date1904)
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# --- years -------------------------------------------------------------------------------------


def parse_year(value: object) -> int | None:
    """A four-digit year from a number (2022, 2022.0) or text ("2022", " 2022 "), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        if number.is_integer() and 1900 <= number <= 2999:
            return int(number)
        return None
    if isinstance(value, str):
        text = without_invisible(value).strip()
        if len(text) == 4 and text.isascii() and text.isdigit():
            return parse_year(int(text))
        parsed = parse_number_text(text)
        return None if parsed is None else parse_year(parsed)
    return None
