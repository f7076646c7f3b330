"""history.py: the contract period from the follow-ups of its years (PRODUCT.md §10)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from klyngerapport import config, funding
from klyngerapport.followup import follow_up
from klyngerapport.history import histories
from klyngerapport.model import (
    CompanyRow,
    Followup,
    SourceFile,
    Submission,
    Validation,
)
from klyngerapport.population import load_population
from klyngerapport.reference import municipalities
from klyngerapport.status import IndicatorStatus, SubmissionStatus

CONFIG = """
[population]
reference = "2023K1"

[cofinancing]
non_participating = ["Greve"]

[[office]]
id = "alfa"
cluster = "Alfa Cluster"
lead = "Næstved"
years = [2021, 2024]

[[office]]
id = "beta"
cluster = "Beta Cluster"
lead = "Roskilde"
years = [2022, 2024]

[[indicator]]
id = "VIRK"
name = "Virksomheder"
derive = "companies"

[targets.alfa]
2021 = { VIRK = 2 }
2022 = { VIRK = 3 }
2023 = { VIRK = 4 }
2024 = { VIRK = 4 }

[targets.beta]
2022 = { VIRK = 1 }
2023 = { VIRK = 1 }
2024 = { VIRK = 1 }
"""


@pytest.fixture(scope="module")
def cfg(tmp_path_factory: pytest.TempPathFactory) -> config.Config:
    path = tmp_path_factory.mktemp("cfg") / "klyngerapport.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return config.parse_file(path)


def row(n: int, cvr: str, where: str, year: int) -> CompanyRow:
    m = municipalities().match(where)
    assert m is not None
    return CompanyRow(n, cvr, "Firma ApS", m, True, "Innovationsprojekt", dt.date(year, 3, 1))


def year_of(cfg: config.Config, year: int, **offices: list[tuple[str, str]] | None) -> Followup:
    """The follow-up of `year`; an office given None has no submission."""
    subs = tuple(
        Submission(
            Path(f"{office}-{year}.xlsx"),
            office,
            year,
            companies=tuple(row(i + 2, c, m, year) for i, (c, m) in enumerate(rows)),
        )
        for office, rows in offices.items()
        if rows is not None
    )
    population = load_population(cfg.population_sources, "2023K1", cfg.base)
    return follow_up(
        cfg,
        year,
        Validation(subs, (), year),
        funding.compute(cfg, year, population),
        (),
        SourceFile("klyngerapport.toml", "0" * 64, 1, dt.datetime(2024, 1, 1)),
        "9.9.9",
        dt.datetime(2024, 1, 2),
    )


def test_new_and_returning_companies_and_the_period(cfg: config.Config) -> None:
    """A company taking part in two years is one company in the period and returns in the
    second; a company in Greve (not participating) is never counted."""
    years = [
        year_of(cfg, 2021, alfa=[("11111111", "Næstved"), ("22222222", "Køge")]),
        year_of(
            cfg,
            2022,
            alfa=[("11111111", "Næstved"), ("33333333", "Slagelse"), ("99999999", "Greve")],
            beta=[("55555555", "Roskilde")],
        ),
        year_of(
            cfg,
            2023,
            alfa=[("22222222", "Køge"), ("33333333", "Slagelse"), ("44444444", "Faxe")],
            beta=[("55555555", "Roskilde")],
        ),
    ]
    alfa, beta = histories(years)
    assert alfa.office.id == "alfa" and beta.office.id == "beta"
    assert [
        (y.year, y.status, y.companies, y.new_companies, y.returning_companies) for y in alfa.years
    ] == [
        (2021, SubmissionStatus.ACCEPTED, 2, 2, 0),
        (2022, SubmissionStatus.ACCEPTED, 2, 1, 1),
        (2023, SubmissionStatus.ACCEPTED, 3, 1, 2),
    ]
    assert [(i.indicator.id, i.target, i.result) for y in alfa.years for i in y.indicators] == [
        ("VIRK", 2, 2),
        ("VIRK", 3, 2),
        ("VIRK", 4, 3),
    ]
    assert (alfa.period.first, alfa.period.last, alfa.period.unique_companies) == (2021, 2023, 4)
    assert [m.name for m in alfa.period.municipalities_reached] == [
        "Faxe",
        "Køge",
        "Næstved",
        "Slagelse",
    ]
    assert alfa.period.complete
    # Beta starts in 2022: its history begins there.
    assert [(y.year, y.new_companies, y.returning_companies) for y in beta.years] == [
        (2022, 1, 0),
        (2023, 0, 1),
    ]
    assert (beta.period.first, beta.period.unique_companies) == (2022, 1)


def test_a_missing_earlier_year_is_shown_without_figures(cfg: config.Config) -> None:
    """No zeros for a year without an accepted submission; the period says it is incomplete,
    and a company seen before the gap still returns."""
    years = [
        year_of(cfg, 2021, alfa=[("11111111", "Næstved")]),
        year_of(cfg, 2022, alfa=None, beta=[("55555555", "Roskilde")]),
        year_of(cfg, 2023, alfa=[("11111111", "Næstved")], beta=[("55555555", "Roskilde")]),
    ]
    alfa = histories(years)[0]
    gap = alfa.years[1]
    assert (gap.year, gap.status, gap.companies, gap.new_companies) == (
        2022,
        SubmissionStatus.MISSING,
        None,
        None,
    )
    assert [i.status for i in gap.indicators] == [IndicatorStatus.NOT_REPORTED]
    assert (alfa.years[2].new_companies, alfa.years[2].returning_companies) == (0, 1)
    assert not alfa.period.complete
    assert alfa.period.unique_companies == 1


def test_order_of_the_followups_does_not_matter(cfg: config.Config) -> None:
    years = [
        year_of(cfg, 2022, alfa=[("11111111", "Næstved")], beta=[]),
        year_of(cfg, 2023, alfa=[("11111111", "Næstved")], beta=[]),
        year_of(cfg, 2021, alfa=[("22222222", "Køge")]),
    ]
    assert histories(years) == histories(sorted(years, key=lambda f: f.year))
    assert [y.year for y in histories(years)[0].years] == [2021, 2022, 2023]
