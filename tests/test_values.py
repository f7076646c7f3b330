"""Reading cell values the way a Danish spreadsheet user meant them."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from klyngerapport.checks.values import (
    clean_text,
    display,
    format_number,
    is_blank,
    parse_date,
    parse_number,
    parse_year,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, (12.0, False)),
        (12.5, (12.5, False)),
        (-3, (-3.0, False)),
        ("40", (40.0, True)),
        ("1.234", (1234.0, True)),
        ("12,5", (12.5, True)),
        ("1 234 kr.", (1234.0, True)),
        ("1\u00a0234", (1234.0, True)),
        ("2.000.000 kr", (2_000_000.0, True)),
        ("2.000.000 KR.", (2_000_000.0, True)),
        ("kr. 2.000", (2000.0, True)),
        ("DKK 1.500", (1500.0, True)),
        ("2.000,-", (2000.0, True)),
        ("1.234,50", (1234.5, True)),
        ("1 234,5", (1234.5, True)),
        ("1,234,567", (1_234_567.0, True)),
        ("1,234.5", (1234.5, True)),
        ("1,234", (1.234, True)),  # a single comma is the Danish decimal comma
        ("12.5", (12.5, True)),
        ("0,5", (0.5, True)),
        ("-5", (-5.0, True)),
        ("\u22125", (-5.0, True)),
        (" 7 ", (7.0, True)),
        ("ca. 40", None),
        ("N/A", None),
        ("40%", None),
        ("12 5", None),
        ("1.2.3", None),
        ("1.000.5", None),
        ("1.234,5.6", None),
        ("", None),
        ("kr.", None),
        ("-", None),
        ("1e5", None),
        ("9" * 400, None),
        (True, None),
        (False, None),
        (None, None),
        (float("nan"), None),
        (float("inf"), None),
        (dt.date(2022, 1, 1), None),
    ],
)
def test_parse_number(value: object, expected: tuple[float, bool] | None) -> None:
    """Numbers are read from Danish text and flagged as text; words are not numbers."""
    assert parse_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2022, 3, 1), (dt.date(2022, 3, 1), False)),
        (dt.datetime(2022, 3, 1, 14, 30), (dt.date(2022, 3, 1), False)),
        ("01-03-2022", (dt.date(2022, 3, 1), True)),
        ("1-3-2022", (dt.date(2022, 3, 1), True)),
        ("1.3.2022", (dt.date(2022, 3, 1), True)),
        ("01/03/2022", (dt.date(2022, 3, 1), True)),
        ("1/3/22", (dt.date(2022, 3, 1), True)),
        ("2022-03-01", (dt.date(2022, 3, 1), True)),
        ("2022-03-01 00:00:00", (dt.date(2022, 3, 1), True)),
        ("2022-03-01T10:15", (dt.date(2022, 3, 1), True)),
        ("01-03-2022 10:15", (dt.date(2022, 3, 1), True)),
        ("1. marts 2022", (dt.date(2022, 3, 1), True)),
        ("1 mar 2022", (dt.date(2022, 3, 1), True)),
        ("15. december 2022", (dt.date(2022, 12, 15), True)),
        (44621, (dt.date(2022, 3, 1), True)),
        (44621.75, (dt.date(2022, 3, 1), True)),
        ("44621", (dt.date(2022, 3, 1), True)),
        ("31-02-2022", None),
        ("2022-13-01", None),
        ("1. smarts 2022", None),
        ("i marts", None),
        ("2022", None),
        (12, None),  # too small to be a plausible serial date
        (1e9, None),
        ("", None),
        (None, None),
        (True, None),
        (dt.time(10, 0), None),
        (dt.timedelta(days=3), None),
    ],
)
def test_parse_date(value: object, expected: tuple[dt.date, bool] | None) -> None:
    """Real dates are dates; Danish date text and Excel serials are read but flagged."""
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2022, 2022),
        (2022.0, 2022),
        ("2022", 2022),
        (" 2022 ", 2022),
        ("2022,0", 2022),
        (2022.5, None),
        ("tyve", None),
        (22, None),
        (True, None),
        (None, None),
        ("", None),
        (dt.date(2022, 1, 1), None),
    ],
)
def test_parse_year(value: object, expected: int | None) -> None:
    assert parse_year(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("abc ", "abc "),
        (12345678.0, "12345678"),
        (12.5, "12,5"),
        (7, "7"),
        (True, "SAND"),
        (False, "FALSK"),
        (dt.datetime(2022, 3, 1), "2022-03-01"),
        (dt.datetime(2022, 3, 1, 8, 5), "2022-03-01 08:05:00"),
        (dt.date(2022, 3, 1), "2022-03-01"),
        (dt.time(8, 5), "08:05:00"),
    ],
)
def test_display(value: object, expected: str) -> None:
    """Values are shown as a user sees them: integer floats without '.0'."""
    assert display(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("  Næstved   Byg\tApS \n", "Næstved Byg ApS"),
        ("A\u030arhus", "Århus"),
        (12345678.0, "12345678"),
        ("", ""),
    ],
)
def test_clean_text(value: object, expected: str) -> None:
    """Text is NFC-normalised and its whitespace collapsed."""
    assert clean_text(value) == expected


@pytest.mark.parametrize(
    ("value", "blank"),
    [
        (None, True),
        ("", True),
        ("  \t", True),
        ("x", False),
        (0, False),
        (0.0, False),
        (False, False),
    ],
)
def test_is_blank(value: object, blank: bool) -> None:
    assert is_blank(value) is blank


@pytest.mark.parametrize(
    ("number", "text"), [(1234.0, "1234"), (12.5, "12,5"), (-3.0, "-3"), (1e20, "1e+20")]
)
def test_format_number(number: float, text: str) -> None:
    assert format_number(number) == text


@given(st.text(max_size=30))
def test_parsers_never_raise_on_text(text: str) -> None:
    """Any text is either read or rejected, never an exception."""
    parse_number(text)
    parse_date(text)
    parse_year(text)
    clean_text(text)


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_thousands_text_round_trips(number: int) -> None:
    """A whole number written with Danish thousands points reads back as itself."""
    text = f"{number:,}".replace(",", ".")
    assert parse_number(text) == (float(number), True)
