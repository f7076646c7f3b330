"""The follow-up model: derived counts over unique CVR numbers, target attainment as shown,
office statuses, coverage, ratios and totals that say when they are incomplete."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from klyngerapport import config, funding
from klyngerapport.followup import follow_up, per_thousand, status_of, whole_kroner
from klyngerapport.model import (
    CompanyRow,
    Finding,
    Followup,
    IndicatorRow,
    OfficeOutcome,
    SourceFile,
    Submission,
    Validation,
)
from klyngerapport.population import for_year
from klyngerapport.reference import municipalities
from klyngerapport.render.json import followup_json, plain
from klyngerapport.schema import ACTIVITIES
from klyngerapport.status import IndicatorStatus as S
from klyngerapport.status import SubmissionStatus as Sub

MET, PARTIAL, NOT_MET, NOT_REPORTED = S.MET, S.PARTIAL, S.NOT_MET, S.NOT_REPORTED

YEAR = 2022
NETWORK, INNOVATION, GREEN = ACTIVITIES[0], ACTIVITIES[1], ACTIVITIES[5]

CONFIG = """
[region]
name = "Region Sjælland"
council = "KKR Sjælland"

[population]
reference = "2023K1"

[cofinancing]
non_participating = ["Greve"]

[thresholds]
partial = 0.8

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

[[office]]
id = "gamma"
cluster = "Gamma Cluster"
lead = "Holbæk"
years = [2023, 2024]

[[indicator]]
id = "VIRK"
name = "Virksomheder"
derive = "companies"

[[indicator]]
id = "SMV"
name = "SMV'er"
derive = "smes"

[[indicator]]
id = "KOM"
name = "Kommuner"
derive = "municipalities"

[[indicator]]
id = "GROEN"
name = "Grøn omstilling"
derive = "activity:Grøn omstilling"

[[indicator]]
id = "PROJ"
name = "Projekter"

[[indicator]]
id = "NUL"
name = "Et mål på nul"

# Every active office-year has targets (an active office without targets is a config error).
[targets.alfa]
2021 = { VIRK = 1 }
2022 = { VIRK = 4, SMV = 2, KOM = 3, GROEN = 1, PROJ = 10, NUL = 0 }
2023 = { VIRK = 1 }
2024 = { VIRK = 1 }

[targets.beta]
2022 = { VIRK = 10, PROJ = 5 }
2023 = { VIRK = 1 }
2024 = { VIRK = 1 }

[targets.gamma]
2023 = { VIRK = 1 }
2024 = { VIRK = 1 }

[national_targets.beta]
2022 = { VIRK = 900, PROJ = 40 }
"""


@pytest.fixture(scope="module")
def cfg(tmp_path_factory: pytest.TempPathFactory) -> config.Config:
    path = tmp_path_factory.mktemp("cfg") / "klyngerapport.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return config.parse_file(path)


def kommune(name: str) -> object:
    return municipalities().match(name)


def company(
    row: int,
    cvr: str,
    where: str,
    sme: bool = True,
    activity: str = NETWORK,
    name: str = "Firma ApS",
) -> CompanyRow:
    m = municipalities().match(where)
    assert m is not None
    return CompanyRow(row, cvr, name, m, sme, activity, dt.date(YEAR, 3, row % 28 + 1))


def submission(
    office: str,
    companies: tuple[CompanyRow, ...] = (),
    indicators: tuple[IndicatorRow, ...] = (),
    findings: tuple[Finding, ...] = (),
    year: int | None = YEAR,
    name: str | None = None,
) -> Submission:
    return Submission(
        Path("indberetninger") / (name or f"{office}-{YEAR}.xlsx"),
        office,
        year,
        indicators=indicators,
        companies=companies,
        findings=findings,
    )


def result(ident: str, value: float | None, row: int = 5) -> IndicatorRow:
    return IndicatorRow(ident, row, None, value, "", f"E{row}")


def run(cfg: config.Config, *subs: Submission, set_findings: tuple[Finding, ...] = ()) -> Followup:
    population = for_year(cfg, YEAR)
    source = SourceFile("klyngerapport.toml", "0" * 64, 10, dt.datetime(2023, 1, 2))
    return follow_up(
        cfg,
        YEAR,
        Validation(tuple(subs), set_findings, YEAR),
        funding.compute(cfg, YEAR, population),
        (),
        source,
        "9.9.9",
        dt.datetime(2023, 2, 1, 12, 0),
    )


def office(f: Followup, office_id: str) -> OfficeOutcome:
    return next(o for o in f.offices if o.office.id == office_id)


def indicator(o: OfficeOutcome, ident: str) -> tuple[float | None, int | None, S]:
    i = next(i for i in o.indicators if i.indicator.id == ident)
    return i.result, i.attainment, i.status


# Alfa's year: 3 companies in participating municipalities, one of them in two municipalities
# and listed four times, plus one company in Greve, which does not take part.
ALFA_COMPANIES = (
    company(2, "11111111", "Næstved", sme=True, activity=NETWORK),
    company(3, "11111111", "Næstved", sme=False, activity=GREEN),
    company(4, "11111111", "Slagelse", sme=False, activity=NETWORK),
    company(5, "11111111", "Næstved", sme=False, activity=INNOVATION),
    company(6, "22222222", "Køge", sme=False, activity=NETWORK),
    company(7, "33333333", "Køge", sme=True, activity=INNOVATION),
    company(8, "44444444", "Greve", sme=True, activity=GREEN),
)
ALFA_RESULTS = (result("PROJ", 9, 8), result("NUL", 0, 9))


@pytest.fixture
def alfa(cfg: config.Config) -> Followup:
    return run(
        cfg,
        submission("alfa", ALFA_COMPANIES, ALFA_RESULTS),
        submission("beta", (company(2, "55555555", "Roskilde"),), (result("PROJ", 5),)),
    )


def test_companies_are_unique_cvr_numbers_in_participating_municipalities(alfa: Followup) -> None:
    """Four rows of one CVR number are one company; the company in Greve is not counted."""
    o = office(alfa, "alfa")
    assert o.companies == 3
    assert indicator(o, "VIRK") == (3.0, 75, NOT_MET)


def test_a_company_is_an_sme_when_any_of_its_rows_says_ja(alfa: Followup) -> None:
    """11111111 says Ja once and Nej three times: it counts; 22222222 (Nej) does not."""
    o = office(alfa, "alfa")
    assert o.smes == 2
    assert indicator(o, "SMV")[2] == MET


def test_a_company_reaches_every_municipality_it_is_listed_in(alfa: Followup) -> None:
    """11111111 is listed in Næstved and Slagelse: both are reached, Greve is not."""
    o = office(alfa, "alfa")
    assert o.municipalities_reached is not None
    assert [m.name for m in o.municipalities_reached] == ["Køge", "Næstved", "Slagelse"]
    assert o.companies_by_municipality == {259: 2, 330: 1, 370: 1}
    assert indicator(o, "KOM") == (3.0, 100, MET)


def test_activity_counts_companies_with_that_activity(alfa: Followup) -> None:
    """Grøn omstilling: 11111111 in Næstved; the Greve company with the same activity is out."""
    assert indicator(office(alfa, "alfa"), "GROEN") == (1.0, 100, MET)


def test_companies_outside_are_listed_but_not_counted(alfa: Followup) -> None:
    rows = [(e.company.cvr, e.counted) for e in alfa.engagements if e.office_id == "alfa"]
    assert len(rows) == len(ALFA_COMPANIES)
    assert ("44444444", False) in rows
    assert all(counted for cvr, counted in rows if cvr != "44444444")


def test_reach_across_offices_counts_each_company_once(cfg: config.Config) -> None:
    f = run(
        cfg,
        submission("alfa", (company(2, "11111111", "Køge"),), ALFA_RESULTS),
        submission(
            "beta",
            (company(2, "11111111", "Køge"), company(3, "22222222", "Køge")),
            (result("PROJ", 5),),
        ),
    )
    assert office(f, "alfa").companies_by_municipality == {259: 1}
    assert office(f, "beta").companies_by_municipality == {259: 2}
    koege = next(m for m in f.municipalities if m.municipality.name == "Køge")
    assert koege.companies_by_office == {"alfa": 1, "beta": 2}
    assert koege.companies == 2
    assert f.totals.companies == 2


def test_reported_results_come_from_the_indicator_rows(alfa: Followup) -> None:
    """PROJ 9 of 10 is 90 %: partly met; its source is the Resultat cell."""
    o = office(alfa, "alfa")
    assert indicator(o, "PROJ") == (9.0, 90, PARTIAL)
    proj = next(i for i in o.indicators if i.indicator.id == "PROJ")
    assert proj.source == "Indikatorer!E8"
    assert proj.target == 10


@pytest.mark.parametrize(
    ("target", "result", "partial", "expected"),
    [
        (100, 100, 0.8, MET),
        (100, 150, 0.8, MET),
        (100, 99.99, 0.8, PARTIAL),
        (100, 80, 0.8, PARTIAL),  # exactly the threshold
        (1.5, 1.2, 0.8, PARTIAL),  # 1.2 / 1.5 is 0.7999999999999999 in floating point
        (9, 8.1, 0.9, PARTIAL),  # 8.1 / 9 is 0.8999999999999999
        (100, 79.99, 0.8, NOT_MET),
        (100, 0, 0.8, NOT_MET),
        (0, 0, 0.8, MET),
        (0, 5, 0.8, MET),
    ],
)
def test_status_thresholds(target: float, result: float, partial: float, expected: S) -> None:
    assert status_of(target, result, partial)[1] == expected


def test_target_zero_is_met_without_a_percentage(alfa: Followup) -> None:
    assert indicator(office(alfa, "alfa"), "NUL") == (0.0, None, MET)
    assert status_of(0, 0, 0.8) == (None, MET)


def test_no_result_is_not_reported() -> None:
    assert status_of(10, None, 0.8) == (None, NOT_REPORTED)


def test_a_reported_indicator_without_a_row_is_not_reported(cfg: config.Config) -> None:
    f = run(
        cfg,
        submission("alfa", ALFA_COMPANIES, (result("NUL", 0),)),
        submission("beta", (), (result("PROJ", 5),)),
    )
    assert indicator(office(f, "alfa"), "PROJ") == (None, None, NOT_REPORTED)


def test_warnings_are_counted_beside_an_accepted_status(cfg: config.Config) -> None:
    """PRODUCT.md §7: "Godkendt" whether or not there are warnings; they are counted beside."""
    warning = Finding("name-missing", "warning", "beta-2022.xlsx", "Navnet mangler.")
    f = run(
        cfg,
        submission("alfa", ALFA_COMPANIES, ALFA_RESULTS),
        submission("beta", (), (result("PROJ", 5),), (warning,)),
    )
    assert (office(f, "alfa").status, office(f, "alfa").warnings) == (Sub.ACCEPTED, 0)
    assert (office(f, "beta").status, office(f, "beta").warnings) == (Sub.ACCEPTED, 1)
    assert Sub.ACCEPTED.label == "Godkendt" and Sub.ERRORS.label == "Fejl"
    assert Sub.MISSING.label == "Mangler"


def test_missing_office_lists_its_targets_as_not_reported(cfg: config.Config) -> None:
    """No file from beta: 'Mangler', every contract indicator listed with its target, and its
    figures unknown (None), not 0."""
    f = run(cfg, submission("alfa", ALFA_COMPANIES, ALFA_RESULTS))
    beta = office(f, "beta")
    assert beta.status == Sub.MISSING and beta.files == ()
    assert [(i.indicator.id, i.target, i.status) for i in beta.indicators] == [
        ("VIRK", 10, NOT_REPORTED),
        ("PROJ", 5, NOT_REPORTED),
    ]
    assert (beta.companies, beta.smes, beta.municipalities_reached, beta.kr_per_company) == (
        None,
        None,
        None,
        None,
    )
    assert beta.municipalities_not_reached is None


def test_the_follow_up_adds_no_findings(cfg: config.Config) -> None:
    """Validation is the only producer of findings: a missing submission, two files for one
    office or a derived number that differs are found there, never again here."""
    known = Finding("submission-missing", "error", "indberetninger", "Beta mangler.", value="beta")
    f = run(
        cfg,
        submission("alfa", ALFA_COMPANIES, (*ALFA_RESULTS, result("VIRK", 95, 4))),
        set_findings=(known,),
    )
    assert [x.code for x in f.findings] == ["submission-missing"]
    f = run(cfg, submission("alfa", ALFA_COMPANIES, ALFA_RESULTS))
    assert f.findings == []


def test_office_with_errors_reports_nothing(cfg: config.Config) -> None:
    """An error in beta's file: 'Fejl i indberetningen', NOT_REPORTED, rows listed uncounted."""
    error = Finding(
        "cvr-checksum",
        "error",
        "beta-2022.xlsx",
        "Forkert CVR.",
        "Virksomheder",
        "A3",
        "12345679",
        3,
    )
    f = run(
        cfg,
        submission("alfa", ALFA_COMPANIES, ALFA_RESULTS),
        submission("beta", (company(2, "55555555", "Roskilde"),), (result("PROJ", 5),), (error,)),
    )
    beta = office(f, "beta")
    assert beta.status == Sub.ERRORS and beta.errors == 1
    assert {i.status for i in beta.indicators} == {NOT_REPORTED}
    assert [i.target for i in beta.indicators] == [10, 5]
    assert beta.companies is None
    assert [(e.company.cvr, e.counted) for e in f.engagements if e.office_id == "beta"] == [
        ("55555555", False)
    ]
    assert f.errors == 1


def test_two_files_for_one_office_are_errors(cfg: config.Config) -> None:
    """Which of two files counts is unknown: the office has errors (validation names both)."""
    f = run(
        cfg,
        submission("alfa", ALFA_COMPANIES, ALFA_RESULTS),
        submission("beta", (), (result("PROJ", 5),), name="beta-a.xlsx"),
        submission("beta", (), (result("PROJ", 6),), name="beta-b.xlsx"),
    )
    beta = office(f, "beta")
    assert beta.status == Sub.ERRORS and beta.companies is None
    assert beta.files == ("beta-a.xlsx", "beta-b.xlsx")


def test_files_of_other_years_and_inactive_offices_are_not_followed_up(cfg: config.Config) -> None:
    f = run(
        cfg,
        submission("alfa", ALFA_COMPANIES, ALFA_RESULTS),
        submission("beta", (company(2, "55555555", "Roskilde"),), (result("PROJ", 5),), year=2021),
        submission("gamma", (company(2, "66666666", "Holbæk"),)),
    )
    assert [o.office.id for o in f.offices] == ["alfa", "beta"]
    assert office(f, "beta").status == Sub.MISSING
    assert {e.office_id for e in f.engagements} == {"alfa"}


def test_a_derived_result_typed_differently_is_kept_beside_the_count(cfg: config.Config) -> None:
    """Alfa typed 95 companies; the sheet gives 3. The result is 3, and 95 is kept for the note."""
    f = run(
        cfg,
        submission("alfa", ALFA_COMPANIES, (*ALFA_RESULTS, result("VIRK", 95, 4))),
        submission("beta", (), (result("PROJ", 5),)),
    )
    virk = next(i for i in office(f, "alfa").indicators if i.indicator.id == "VIRK")
    assert (virk.result, virk.reported, virk.source) == (3, 95, "Virksomheder (optalt)")
    f = run(cfg, submission("alfa", ALFA_COMPANIES, (*ALFA_RESULTS, result("VIRK", 3, 4))))
    virk = next(i for i in office(f, "alfa").indicators if i.indicator.id == "VIRK")
    assert virk.reported is None


@pytest.mark.parametrize(
    ("target", "result", "shown", "status"),
    [
        (8, 9, 112, MET),  # 112.5 %
        (1000, 997, 99, PARTIAL),  # 99.7 % is never shown as 100 %
        (1000, 799, 79, NOT_MET),  # 79.9 % is never shown as 80 %
        (100, 80, 80, PARTIAL),
        (3, 1, 33, NOT_MET),
        (1.5, 1.2, 80, PARTIAL),  # 1.2 / 1.5 is 0.7999999999999999 in floating point
        (10, 1e308, 10**309, MET),  # no overflow, however large
    ],
)
def test_attainment_is_whole_percent_rounded_down(
    target: float, result: float, shown: int, status: S
) -> None:
    """PRODUCT.md §7: the shown percent never contradicts its status."""
    assert status_of(target, result, 0.8) == (shown, status)


def test_coverage_names_the_municipalities_not_reached_in_danish_order(alfa: Followup) -> None:
    o = office(alfa, "alfa")
    assert o.municipalities_not_reached is not None
    assert [m.name for m in o.municipalities_not_reached] == [
        "Faxe",
        "Guldborgsund",
        "Holbæk",
        "Kalundborg",
        "Lejre",
        "Lolland",
        "Odsherred",
        "Ringsted",
        "Roskilde",
        "Solrød",
        "Sorø",
        "Stevns",
        "Vordingborg",
    ]


def test_kr_per_company_is_the_offices_cofinancing_per_unique_company(alfa: Followup) -> None:
    """1.000.000 kr. over 3 companies is 333.333 kr. (whole kroner, half up)."""
    o = office(alfa, "alfa")
    assert (o.cofinancing, o.companies, o.kr_per_company) == (1_000_000, 3, 333_333)
    assert whole_kroner(1_000_000, 0) is None
    assert whole_kroner(5, 2) == 3


def test_each_municipality_shows_its_payment_and_reach(alfa: Followup) -> None:
    names = [m.municipality.name for m in alfa.municipalities]
    assert names[0] == "Faxe" and "Greve" not in names and len(names) == 16
    naestved = next(m for m in alfa.municipalities if m.municipality.name == "Næstved")
    assert naestved.as_lead == 500_000 and naestved.as_cofinancer > 0
    assert naestved.total == naestved.as_lead + naestved.as_cofinancer
    assert naestved.companies_by_office == {"alfa": 1, "beta": 0}
    assert naestved.companies == 1 and naestved.complete
    assert naestved.companies_per_1000 == per_thousand(1, naestved.population)
    # No kr. per company per municipality: it would divide the lead's own share by its
    # municipality's companies (PRODUCT.md §7: kr. per company is the office's figure).
    assert not hasattr(naestved, "kr_per_company")
    assert per_thousand(5, 1000) == 5.0 and per_thousand(1, 84_574) == 0.0
    assert per_thousand(1, 0) is None


def test_totals_say_when_an_office_is_missing(cfg: config.Config) -> None:
    """Beta has no file: the totals count alfa's companies, say they are incomplete, and give
    no kr. per company that would divide both offices' money by alfa's companies."""
    f = run(cfg, submission("alfa", ALFA_COMPANIES, ALFA_RESULTS))
    totals = f.totals
    assert not totals.complete and [o.id for o in totals.not_reported] == ["beta"]
    assert (totals.accepted, totals.companies, totals.smes) == (1, 3, 2)
    assert totals.cofinancing == 2_000_000 and totals.kr_per_company is None
    koege = next(m for m in f.municipalities if m.municipality.name == "Køge")
    assert koege.companies_by_office == {"alfa": 2, "beta": None}
    assert not koege.complete
    complete = run(
        cfg,
        submission("alfa", ALFA_COMPANIES, ALFA_RESULTS),
        submission("beta", (company(2, "55555555", "Roskilde"),), (result("PROJ", 5),)),
    ).totals
    assert complete.complete and complete.companies == 4
    assert complete.kr_per_company == 500_000
    assert [o.id for o in complete.full_coverage] == []
    assert complete.indicators[MET] + complete.indicators[NOT_MET] > 0


def test_the_model_serialises_whole(alfa: Followup) -> None:
    """Every part of the follow-up is plain data a JSON document can hold (for the PDF)."""
    data = json.loads(json.dumps(plain(alfa)))
    assert data["offices"][0]["status"] == "accepted"
    assert data["offices"][0]["indicators"][0]["status"] == "not-met"
    assert data["totals"]["indicators"]["met"] >= 1


def test_followup_json_has_the_documented_shape(cfg: config.Config) -> None:
    """PRODUCT.md §7: year, outputs, report, population basis, offices with statuses as codes,
    attainment as shown, coverage and kr. per company; errors and warnings."""
    f = run(cfg, submission("alfa", ALFA_COMPANIES, ALFA_RESULTS))
    report = "rapporter/klyngerapport-2022.xlsx"
    doc = json.loads(json.dumps(followup_json(f, {"xlsx": report})))
    assert set(doc) == {
        "year",
        "as_of",
        "outputs",
        "report",
        "population_reference",
        "offices",
        "errors",
        "warnings",
    }
    assert (doc["year"], doc["report"], doc["outputs"], doc["errors"], doc["warnings"]) == (
        2022,
        report,
        {"xlsx": report},
        0,
        0,
    )
    assert doc["population_reference"] == "2023K1"
    alfa, beta = doc["offices"]
    assert set(alfa) == {
        "id",
        "cluster",
        "status",
        "indicators",
        "national_indicators",
        "companies",
        "smes",
        "municipalities_reached",
        "municipalities_not_reached",
        "kr_per_company",
        "history",
        "period",
    }
    assert alfa["national_indicators"] == []
    assert (alfa["id"], alfa["cluster"], alfa["status"]) == ("alfa", "Alfa Cluster", "accepted")
    assert (alfa["companies"], alfa["smes"], alfa["kr_per_company"]) == (3, 2, 333_333)
    assert alfa["municipalities_reached"] == ["Køge", "Næstved", "Slagelse"]
    assert alfa["municipalities_not_reached"][:2] == ["Faxe", "Guldborgsund"]
    assert alfa["indicators"][0] == {
        "id": "VIRK",
        "target": 4,
        "result": 3,
        "attainment": 75,
        "status": "not-met",
    }
    assert {i["id"]: i["status"] for i in alfa["indicators"]}["PROJ"] == "partial"
    assert {i["id"]: i["attainment"] for i in alfa["indicators"]}["NUL"] is None
    assert beta["status"] == "missing"
    assert [beta[k] for k in ("companies", "smes", "municipalities_reached")] == [None] * 3
    assert [beta[k] for k in ("municipalities_not_reached", "kr_per_company")] == [None] * 2
    assert {i["status"] for i in beta["indicators"]} == {"not-reported"}


def test_full_coverage_names_the_offices_that_reached_every_participating_municipality(
    cfg: config.Config,
) -> None:
    """The source asks that each office reaches all participating municipalities: an office
    counts only when it reached every one of them itself, not because another office did."""
    names = [m.name for m in cfg.participating(YEAR)]
    everywhere = tuple(company(row, f"{row:08d}", name) for row, name in enumerate(names, start=10))
    f = run(
        cfg,
        submission("alfa", everywhere, ALFA_RESULTS),
        submission("beta", (company(2, "55555555", "Roskilde"),), (result("PROJ", 5),)),
    )
    assert [o.id for o in f.totals.full_coverage] == ["alfa"]
    assert f.totals.municipalities_not_reached == ()
    assert office(f, "beta").municipalities_not_reached
    missing = run(cfg, submission("alfa", everywhere, ALFA_RESULTS))
    assert [o.id for o in missing.totals.full_coverage] == ["alfa"]
    assert [o.id for o in missing.totals.not_reported] == ["beta"]


def test_national_results_are_assessed_apart_from_the_regional_contract(
    cfg: config.Config,
) -> None:
    """PRODUCT.md §10: the national (UFS) results are reported numbers from Nationale mål, never
    counted from Virksomheder, and never part of the regional status counts."""
    beta = submission("beta", (company(2, "55555555", "Roskilde"),), (result("PROJ", 5),))
    beta = dataclasses.replace(beta, national=(IndicatorRow("VIRK", 2, 900, 1000, "", "E2"),))
    f = run(cfg, submission("alfa", ALFA_COMPANIES, ALFA_RESULTS), beta)
    national = office(f, "beta").national_indicators
    assert [(i.indicator.id, i.result, i.attainment, i.status, i.source) for i in national] == [
        ("VIRK", 1000, 111, MET, "Nationale mål!E2"),
        ("PROJ", None, None, NOT_REPORTED, ""),
    ]
    regional = office(f, "beta").indicators
    assert [(i.indicator.id, i.status) for i in regional] == [("VIRK", NOT_MET), ("PROJ", MET)]
    assert f.totals.indicators[MET] == sum(o.count(MET) for o in f.offices)
    missing = run(cfg, submission("alfa", ALFA_COMPANIES, ALFA_RESULTS))
    assert {i.status for i in office(missing, "beta").national_indicators} == {NOT_REPORTED}
