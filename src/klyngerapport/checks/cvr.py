"""CVR numbers: the eight-digit identifier of a Danish company.

Written here rather than taken from python-stdnum because it runs once per company row and
`stdnum.dk.cvr.is_valid` costs more than parsing the row; the tests use stdnum as the oracle.
"""

from __future__ import annotations

from klyngerapport.reading.sheet import without_invisible

# Modulus-11 weights of the eight digits: the weighted sum of a valid number divides by 11.
WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)

_SMALLEST = 10_000_000  # eight digits without a leading zero
_LARGEST = 99_999_999
_CODE_OFFSET = ord("0") * sum(WEIGHTS)  # what the character codes add beyond the digit values


def normalize_cvr(value: object) -> str | None:
    """The eight digits of a CVR number as typed or read from a spreadsheet, or None.

    Accepts an int, a whole float (spreadsheets store numbers as floats: 29189625.0) and text
    with spaces anywhere and an optional "DK" prefix in any case ("DK 2918 9625", "dk-29189625"),
    also with the ".0" a number gets when another program writes it out as text.
    None when the result is not eight ASCII digits or starts with 0 (no CVR number does).
    """
    if isinstance(value, float):  # first: the type an .xlsx number arrives as
        # NaN and infinities fail is_integer() or the range test.
        if value.is_integer() and _SMALLEST <= value <= _LARGEST:
            return str(int(value))
        return None
    if isinstance(value, bool):  # bool is an int subclass; True is not a CVR number
        return None
    if isinstance(value, int):
        return str(value) if _SMALLEST <= value <= _LARGEST else None
    if not isinstance(value, str):
        return None
    text = value
    if not (len(text) == 8 and text.isascii() and text.isdigit()):  # the common case first
        text = "".join(without_invisible(value).split()).upper()
        text = text.removeprefix("DK").removeprefix("-")
        # A number cell exported to text by another program: "29189625.0".
        text = text.removesuffix(".0").removesuffix(",0")
        if not (len(text) == 8 and text.isascii() and text.isdigit()):
            return None
    return text if text[0] != "0" else None


def cvr_checksum_ok(digits: str) -> bool:
    """True when eight ASCII digits pass the modulus-11 check (weights 2,7,6,5,4,3,2,1)."""
    if len(digits) != 8 or not digits.isascii():
        return False
    d = digits.encode("ascii")  # indexing bytes yields the character codes, no ord() calls
    if not d.isdigit():
        return False
    total = 2 * d[0] + 7 * d[1] + 6 * d[2] + 5 * d[3] + 4 * d[4] + 3 * d[5] + 2 * d[6] + d[7]
    return (total - _CODE_OFFSET) % 11 == 0
