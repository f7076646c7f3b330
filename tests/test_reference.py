"""Municipality matching and the bundled reference lists (FOLK1A reading: test_population.py)."""

from __future__ import annotations

import pytest

from klyngerapport.reference import municipalities


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("Næstved", 370),
        ("næstved", 370),
        ("NÆSTVED", 370),
        ("Næstved Kommune", 370),
        ("  Næstved  kommune ", 370),
        ("Naestved", 370),
        ("Koege", 259),
        ("Holbaek", 316),
        ("Soroe", 340),
        ("Solroed", 269),
        ("370", 370),
        ("0370", 370),
        (370, 370),
        (370.0, 370),
        ("370.0", 370),
        ("Ne\u0301stved".replace("e\u0301", "æ"), 370),
        ("Sore\u0308", None),
        ("Sorø", 340),
        ("So\u0308ro", None),
        ("Greve", 253),
        ("253", 253),
        ("Kobenhavn", None),
        ("", None),
        (None, None),
        (True, None),
        (101, None),
        (370.5, None),
    ],
)
def test_municipality_matching(given: object, code: int | None) -> None:
    found = municipalities().match(given)
    assert (found.code if found else None) == code


def test_nfc_decomposed_name_matches() -> None:
    """A name typed with a combining ring (å as a + U+030A) is the same municipality."""
    assert municipalities().match("Holbæk") is not None
    decomposed = "Lolland"  # no special letters; check a real decomposed å instead
    assert municipalities().match(decomposed) is not None
    from klyngerapport.reference import fold

    assert fold("Aa\u030a") == fold("Aå")


def test_seventeen_municipalities_ordered_by_code() -> None:
    items = municipalities().municipalities
    assert len(items) == 17
    assert [m.code for m in items] == sorted(m.code for m in items)


def test_national_list_holds_the_region_with_the_same_codes() -> None:
    from klyngerapport.reference import danish_municipalities

    everyone = danish_municipalities().municipalities
    assert len(everyone) == 98
    assert len({m.code for m in everyone}) == 98 and len({m.name for m in everyone}) == 98
    region = set(municipalities().municipalities)
    assert region <= set(everyone)
    assert danish_municipalities().match("Aarhus") == danish_municipalities().match("Århus")
    assert municipalities().match("Aarhus") is None


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (1234567, None, "1.234.567"),
        (12.5, None, "12,5"),
        (1234.56, 1, "1.234,6"),
        (0, None, "0"),
        (2_000_000.0, 1, "2.000.000"),
    ],
)
def test_danish_numbers(value: float, decimals: int | None, text: str) -> None:
    from klyngerapport import danish

    assert danish.number(value, decimals) == text
