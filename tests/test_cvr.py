"""CVR numbers: spelling variants, and the modulus-11 check against python-stdnum."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.dk import cvr as stdnum_cvr

from klyngerapport.checks.cvr import WEIGHTS, cvr_checksum_ok, normalize_cvr

VALID = ["29189625", "29189404", "29189595", "29189374", "13585628"]


@pytest.mark.parametrize("digits", VALID)
def test_known_valid_numbers_pass(digits: str) -> None:
    assert cvr_checksum_ok(digits)


def test_a_wrong_check_digit_fails() -> None:
    assert not cvr_checksum_ok("13585627")


@pytest.mark.parametrize("text", ["", "1358562", "135856288", "1358562x", "１３５８５６２８"])
def test_checksum_needs_eight_ascii_digits(text: str) -> None:
    assert not cvr_checksum_ok(text)


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_agrees_with_stdnum(digits: str) -> None:
    """normalize + checksum accepts exactly what stdnum's is_valid accepts."""
    ours = normalize_cvr(digits) is not None and cvr_checksum_ok(digits)
    assert ours == stdnum_cvr.is_valid(digits)


@given(st.integers(min_value=10_000_000, max_value=99_999_999))
def test_numbers_read_as_floats_agree_with_stdnum(number: int) -> None:
    """A spreadsheet number 29189625.0 is the CVR number 29189625."""
    digits = normalize_cvr(float(number))
    assert digits == str(number)
    assert cvr_checksum_ok(digits) == stdnum_cvr.is_valid(digits)


def test_weights_are_the_official_ones() -> None:
    assert WEIGHTS == (2, 7, 6, 5, 4, 3, 2, 1)
    assert all(sum(int(d) * w for d, w in zip(n, WEIGHTS, strict=True)) % 11 == 0 for n in VALID)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (29189625, "29189625"),
        (29189625.0, "29189625"),
        ("29189625", "29189625"),
        (" 2918 9625 ", "29189625"),
        ("29\u00a018\u00a096\u00a025", "29189625"),  # non-breaking spaces from copy-paste
        ("DK29189625", "29189625"),
        ("dk 29 18 96 25", "29189625"),
        ("DK-29189625", "29189625"),
    ],
)
def test_spellings_of_one_number(value: object, expected: str) -> None:
    assert normalize_cvr(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "1234567",
        "123456789",
        "01234567",
        1234567,
        123456789,
        -29189625,
        29189625.5,
        float("nan"),
        float("inf"),
        True,
        "2918962X",
        "DK",
        "SE29189625",
        "２９１８９６２５",  # full-width digits are digits to str.isdigit, not to a CVR register
    ],
)
def test_not_a_cvr_number(value: object) -> None:
    assert normalize_cvr(value) is None
