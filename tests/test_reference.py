"""Municipality matching and the FOLK1A loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from klyngerapport.errors import PopulationError
from klyngerapport.reference import (
    BUILTIN_POPULATION,
    load_population,
    municipalities,
    parse_folk1a,
)

SHARED_FOLK1A = (
    Path(__file__).resolve().parents[1]
    / "src"
    / "klyngerapport"
    / "data"
    / "folk1a-region-sjaelland-2023K1.csv"
)


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


def test_builtin_population_adds_up_to_published_total() -> None:
    population = load_population(BUILTIN_POPULATION, "2023K1")
    assert sum(population.by_code.values()) == 849_857
    assert population.by_code[370] == 84_574
    assert population.basis_text() == "Fordelingsnøgle: folketal 1. januar 2023, FOLK1A 2023K1"


def test_builtin_population_lacks_other_quarters() -> None:
    with pytest.raises(PopulationError) as caught:
        load_population(BUILTIN_POPULATION, "2021K1")
    assert "2021K1" in caught.value.message
    assert "statistikbanken.dk/FOLK1A" in caught.value.hint


def _download(rows: list[str], bom: bool = False) -> str:
    return ("\ufeff" if bom else "") + "\n".join(["OMRÅDE;TID;INDHOLD", *rows]) + "\n"


def test_folk1a_download_with_codes_bom_and_other_areas(tmp_path: Path) -> None:
    """A Statistikbanken download: '370 Næstved' names, a BOM, region rows ignored."""
    text = SHARED_FOLK1A.read_text("utf-8")
    rows = []
    for line in text.splitlines()[1:]:
        name, _, value = line.split(";")
        code = municipalities().match(name).code  # type: ignore[union-attr]
        rows.append(f"{code} {name};2024K1;{int(value) + 1}")
    rows.append("Region Sjælland;2024K1;849874")
    path = tmp_path / "folk1a.csv"
    path.write_text(_download(rows, bom=True), encoding="utf-8")
    population = load_population(str(path.name), "2024K1", tmp_path)
    assert population.by_code[370] == 84_575
    assert len(population.by_code) == 17
    assert "folk1a.csv" in population.source


def test_folk1a_missing_municipality(tmp_path: Path) -> None:
    text = "\n".join(
        line
        for line in SHARED_FOLK1A.read_text("utf-8").splitlines()
        if not line.startswith("Stevns")
    )
    with pytest.raises(PopulationError) as caught:
        parse_folk1a(text, "2023K1", "fil.csv")
    assert "Stevns" in caught.value.message


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("NAVN,ANTAL\nNæstved,1\n", "OMRÅDE;TID;INDHOLD"),
        (_download(["Næstved;2023K1;mange"]), "ikke et helt tal"),
        (_download(["Næstved;2023K1"]), "for få felter"),
        (_download(["Næstved;2022K4;84000"]), "kvartaler i filen: 2022K4"),
        ("", "OMRÅDE;TID;INDHOLD"),
    ],
)
def test_folk1a_malformed(text: str, needle: str) -> None:
    with pytest.raises(PopulationError) as caught:
        parse_folk1a(text, "2023K1", "fil.csv")
    assert needle in caught.value.message


def test_folk1a_file_missing(tmp_path: Path) -> None:
    with pytest.raises(PopulationError) as caught:
        load_population("findes-ikke.csv", "2024K1", tmp_path)
    assert "findes ikke" in caught.value.message


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
