"""The co-financing split: whole kroner, exact sums, largest remainder, ties to the lower code."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from klyngerapport import config
from klyngerapport.cli import app
from klyngerapport.funding import split
from klyngerapport.reference import municipalities

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
FOLK1A = {
    "Faxe": 37344,
    "Greve": 51507,
    "Guldborgsund": 60231,
    "Holbæk": 73440,
    "Kalundborg": 48602,
    "Køge": 62458,
    "Lejre": 28930,
    "Lolland": 39921,
    "Næstved": 84574,
    "Odsherred": 32977,
    "Ringsted": 35906,
    "Roskilde": 90446,
    "Slagelse": 79728,
    "Solrød": 24216,
    "Sorø": 30444,
    "Stevns": 23692,
    "Vordingborg": 45441,
}  # Statistikbanken FOLK1A 2023K1, typed in from the source
runner = CliRunner()

weights_st = st.dictionaries(
    st.integers(100, 999), st.integers(0, 200_000), min_size=1, max_size=17
).filter(lambda w: sum(w.values()) > 0)


@given(amount=st.integers(0, 10_000_000), weights=weights_st)
def test_split_adds_up_exactly_and_never_negative(amount: int, weights: dict[int, int]) -> None:
    shares = split(amount, weights)
    assert sum(shares.values()) == amount
    assert all(v >= 0 for v in shares.values())
    assert set(shares) == set(weights)


@given(amount=st.integers(0, 10_000_000), weights=weights_st)
def test_split_within_one_krone_of_exact_proportion(amount: int, weights: dict[int, int]) -> None:
    total = sum(weights.values())
    for key, share in split(amount, weights).items():
        exact = Fraction(amount * weights[key], total)
        assert abs(share - exact) < 1


@given(amount=st.integers(0, 10_000_000), weights=weights_st, data=st.data())
def test_split_does_not_depend_on_input_order(
    amount: int, weights: dict[int, int], data: st.DataObject
) -> None:
    items = data.draw(st.permutations(list(weights.items())))
    assert split(amount, dict(items)) == split(amount, weights)


def test_ties_go_to_the_lower_code() -> None:
    """Three equal weights and 2 kr. left over: the two lowest codes get the extra krone."""
    assert split(5, {390: 1, 253: 1, 370: 1}) == {253: 2, 370: 2, 390: 1}


def test_split_rejects_impossible_input() -> None:
    with pytest.raises(ValueError):
        split(100, {1: 0, 2: 0})
    with pytest.raises(ValueError):
        split(-1, {1: 1})


def independent_shares(amount: int, weights: dict[str, int]) -> dict[str, int]:
    """The rule of PRODUCT.md §4 written again, differently: exact fractions, sort, hand out."""
    total = sum(weights.values())
    exact = {name: Fraction(amount * w, total) for name, w in weights.items()}
    shares = {name: math.floor(q) for name, q in exact.items()}
    code = {m.name: m.code for m in municipalities().municipalities}
    order = sorted(exact, key=lambda n: (-(exact[n] - shares[n]), code[n]))
    for name in order[: amount - sum(shares.values())]:
        shares[name] += 1
    return shares


@pytest.mark.parametrize("year", [2021, 2022, 2023, 2024])
def test_funding_json_equals_independent_computation(year: int) -> None:
    result = runner.invoke(
        app, ["--config", str(SAMPLES / "klyngerapport.toml"), "funding", str(year), "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    cfg = config.parse_file(SAMPLES / "klyngerapport.toml")
    excluded = {m.name for m in cfg.non_participating(year)}
    assert doc["year"] == year and doc["population_reference"] == "2023K1"
    assert [o["id"] for o in doc["offices"]] == [o.id for o in cfg.active_offices(year)]
    paid: dict[str, int] = dict.fromkeys(FOLK1A, 0)
    for office in doc["offices"]:
        lead = office["lead"]
        weights = {n: p for n, p in FOLK1A.items() if n not in excluded and n != lead}
        assert office["shares"] == independent_shares(500_000, weights)
        assert office["lead_amount"] == 500_000
        assert office["total"] == 1_000_000
        paid[lead] += 500_000
        for name, kr in office["shares"].items():
            paid[name] += kr
    assert {m["name"]: m["total"] for m in doc["municipalities"]} == paid
    assert doc["total_municipal"] == 1_000_000 * len(doc["offices"])
    greve = next(m for m in doc["municipalities"] if m["name"] == "Greve")
    assert greve == {
        "name": "Greve",
        "code": 253,
        "population": 51507,
        "as_lead": 0,
        "as_cofinancer": 0,
        "total": 0,
    }
    assert all(
        isinstance(m[k], int)
        for m in doc["municipalities"]
        for k in ("as_lead", "as_cofinancer", "total", "population")
    )


def test_grants_active_in_2021_and_2022() -> None:
    def grants(year: int) -> set[int]:
        result = runner.invoke(
            app, ["--config", str(SAMPLES / "klyngerapport.toml"), "funding", str(year), "--json"]
        )
        return {g["amount"] for g in json.loads(result.stdout)["grants"]}

    assert grants(2021) == {80_000_000, 2_500_000, 8_000_000, 20_000_000}
    assert grants(2022) == {80_000_000, 2_500_000}


def test_funding_human_output_states_basis_and_totals() -> None:
    result = runner.invoke(
        app, ["--config", str(SAMPLES / "klyngerapport.toml"), "funding", "2022"]
    )
    assert result.exit_code == 0
    out = result.stdout
    assert "Fordelingsnøgle: folketal 1. januar 2023, FOLK1A 2023K1" in out
    assert "We Build Denmark, leadkommune Næstved" in out  # by cluster name, never the id
    assert "we-build-denmark" not in out
    assert "Greve *" in out and "Deltager ikke i medfinansieringen: Greve" in out
    assert "Kommunal medfinansiering i alt 2022: 4.000.000 kr." in out


def test_year_without_offices_says_so() -> None:
    result = runner.invoke(
        app, ["--config", str(SAMPLES / "klyngerapport.toml"), "funding", "2019"]
    )
    assert result.exit_code == 0
    assert "Intet klyngekontor er aktivt i 2019" in result.stdout


def test_missing_population_quarter_is_exit_2_with_instructions(tmp_path: Path) -> None:
    text = (SAMPLES / "klyngerapport.toml").read_text("utf-8")
    path = tmp_path / "klyngerapport.toml"
    path.write_text(text.replace('reference = "2023K1"', 'reference = "previous-year"'), "utf-8")
    result = runner.invoke(app, ["--config", str(path), "funding", "2022"])
    assert result.exit_code == 2
    assert "2021K1" in result.output
    assert "klyngerapport population fetch 2021K1" in result.output
    assert "Traceback" not in result.output


def test_population_total_is_that_of_the_municipalities_the_split_covers() -> None:
    """Greve does not take part: the I alt row's population leaves it out."""
    result = runner.invoke(
        app, ["--config", str(SAMPLES / "klyngerapport.toml"), "funding", "2022"]
    )
    covered = sum(v for n, v in FOLK1A.items() if n != "Greve")
    total_line = next(
        line
        for line in result.stdout.splitlines()
        if line.startswith("I alt") and "4.000.000" in line
    )
    assert f"{covered:,}".replace(",", ".") in total_line
    assert "849.857" not in total_line


def test_basis_is_stated_once_with_the_rule_note() -> None:
    """ "Fordelingsnøgle: …" once, and the note that KKR's rule would use another quarter."""
    result = runner.invoke(
        app, ["--config", str(SAMPLES / "klyngerapport.toml"), "funding", "2022"]
    )
    out = result.stdout
    assert out.count("Fordelingsnøgle") == 1
    assert "KKR's sædvanlige regel bruger folketallet 1. januar året før, dvs. 2021K1." in (
        " ".join(out.split())
    )


def test_participation_is_that_of_the_year(tmp_path: Path) -> None:
    """Stevns leaving in 2024 changes nothing for 2023."""
    text = (SAMPLES / "klyngerapport.toml").read_text("utf-8")
    text = text.replace(
        'non_participating = ["Greve"]',
        'non_participating = { 2021 = ["Greve"], 2024 = ["Greve", "Stevns"] }',
    ).replace("KOM = 16,", "KOM = 15,")
    path = tmp_path / "klyngerapport.toml"
    path.write_text(text, "utf-8")

    def stevns(year: int) -> int:
        result = runner.invoke(app, ["--config", str(path), "funding", str(year), "--json"])
        doc = json.loads(result.stdout)
        return next(m["total"] for m in doc["municipalities"] if m["name"] == "Stevns")

    assert stevns(2023) > 0
    assert stevns(2024) == 0
