"""The follow-up: derived counts over unique CVR numbers, target attainment, office statuses."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from klyngerapport import config, funding
from klyngerapport.followup import follow_up, reach_by_municipality, status_of
from klyngerapport.model import (
    ACTIVITIES,
    MET,
    NOT_MET,
    NOT_REPORTED,
    PARTIAL,
    SUBMISSION_ERRORS,
    SUBMISSION_MISSING,
    SUBMISSION_OK,
    SUBMISSION_WARNINGS,
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
from klyngerapport.render.followup_json import followup_json

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


def indicator(o: OfficeOutcome, ident: str) -> tuple[float | None, float | None, str]:
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
    assert indicator(o, "VIRK") == (3.0, 0.75, NOT_MET)


def test_a_company_is_an_sme_when_any_of_its_rows_says_ja(alfa: Followup) -> None:
    """11111111 says Ja once and Nej three times: it counts; 22222222 (Nej) does not."""
    o = office(alfa, "alfa")
    assert o.smes == 2
    assert indicator(o, "SMV")[2] == MET


def test_a_company_reaches_every_municipality_it_is_listed_in(alfa: Followup) -> None:
    """11111111 is listed in Næstved and Slagelse: both are reached, Greve is not."""
    o = office(alfa, "alfa")
    assert [m.name for m in o.municipalities_reached] == ["Køge", "Slagelse", "Næstved"]
    assert o.companies_by_municipality == {259: 2, 330: 1, 370: 1}
    assert indicator(o, "KOM") == (3.0, 1.0, MET)


def test_activity_counts_companies_with_that_activity(alfa: Followup) -> None:
    """Grøn omstilling: 11111111 in Næstved; the Greve company with the same activity is out."""
    assert indicator(office(alfa, "alfa"), "GROEN") == (1.0, 1.0, MET)


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
    assert reach_by_municipality(f) == {259: 2}


def test_reported_results_come_from_the_indicator_rows(alfa: Followup) -> None:
    """PROJ 9 of 10 is 90 %: partly met; its source is the Resultat cell."""
    o = office(alfa, "alfa")
    assert indicator(o, "PROJ") == (9.0, 0.9, PARTIAL)
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
def test_status_thresholds(target: float, result: float, partial: float, expected: str) -> None:
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


def test_status_ok_and_with_warnings(cfg: config.Config) -> None:
    warning = Finding("name-missing", "warning", "beta-2022.xlsx", "Navnet mangler.")
    f = run(
        cfg,
        submission("alfa", ALFA_COMPANIES, ALFA_RESULTS),
        submission("beta", (), (result("PROJ", 5),), (warning,)),
    )
    assert office(f, "alfa").status == SUBMISSION_OK
    assert office(f, "beta").status == SUBMISSION_WARNINGS


def test_missing_office_lists_its_targets_as_not_reported(cfg: config.Config) -> None:
    """No file from beta: 'Mangler', every contract indicator listed with target, counts 0."""
    f = run(cfg, submission("alfa", ALFA_COMPANIES, ALFA_RESULTS))
    beta = office(f, "beta")
    assert beta.status == SUBMISSION_MISSING and beta.submission is None
    assert [(i.indicator.id, i.target, i.status) for i in beta.indicators] == [
        ("VIRK", 10, NOT_REPORTED),
        ("PROJ", 5, NOT_REPORTED),
    ]
    assert (beta.companies, beta.smes, beta.municipalities_reached) == (0, 0, ())
    missing = [x for x in f.validation.findings if x.code == "submission-missing"]
    assert [x.value for x in missing] == ["beta"] and f.errors == 1


def test_a_reported_missing_submission_is_not_reported_twice(cfg: config.Config) -> None:
    known = Finding("submission-missing", "error", "indberetninger", "Beta mangler.", value="beta")
    f = run(cfg, submission("alfa", ALFA_COMPANIES, ALFA_RESULTS), set_findings=(known,))
    assert [x.code for x in f.validation.all_findings()] == ["submission-missing"]


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
    assert beta.status == SUBMISSION_ERRORS
    assert {i.status for i in beta.indicators} == {NOT_REPORTED}
    assert [i.target for i in beta.indicators] == [10, 5]
    assert beta.companies == 0
    assert [(e.company.cvr, e.counted) for e in f.engagements if e.office_id == "beta"] == [
        ("55555555", False)
    ]
    assert f.errors == 1


def test_two_files_for_one_office_are_an_error(cfg: config.Config) -> None:
    f = run(
        cfg,
        submission("alfa", ALFA_COMPANIES, ALFA_RESULTS),
        submission("beta", (), (result("PROJ", 5),), name="beta-a.xlsx"),
        submission("beta", (), (result("PROJ", 6),), name="beta-b.xlsx"),
    )
    assert office(f, "beta").status == SUBMISSION_ERRORS
    duplicate = [x for x in f.validation.all_findings() if x.code == "submission-duplicate"]
    assert len(duplicate) == 1 and "beta-a.xlsx" in duplicate[0].message
    assert "beta-b.xlsx" in duplicate[0].message


def test_files_of_other_years_and_inactive_offices_are_not_followed_up(cfg: config.Config) -> None:
    f = run(
        cfg,
        submission("alfa", ALFA_COMPANIES, ALFA_RESULTS),
        submission("beta", (company(2, "55555555", "Roskilde"),), (result("PROJ", 5),), year=2021),
        submission("gamma", (company(2, "66666666", "Holbæk"),)),
    )
    assert [o.office.id for o in f.offices] == ["alfa", "beta"]
    assert office(f, "beta").status == SUBMISSION_MISSING
    assert {e.office_id for e in f.engagements} == {"alfa"}


def test_derived_differs_is_a_warning_naming_the_cell(cfg: config.Config) -> None:
    """Alfa reports 95 companies; the sheet gives 3. The report uses 3 and says so."""
    f = run(
        cfg,
        submission("alfa", ALFA_COMPANIES, (*ALFA_RESULTS, result("VIRK", 95, 4))),
        submission("beta", (), (result("PROJ", 5),)),
    )
    alfa = office(f, "alfa")
    assert indicator(alfa, "VIRK")[0] == 3
    assert alfa.status == SUBMISSION_WARNINGS
    found = [x for x in f.validation.all_findings() if x.code == "derived-differs"]
    assert len(found) == 1
    finding = found[0]
    assert (finding.severity, finding.sheet, finding.cell, finding.value, finding.row) == (
        "warning",
        "Indikatorer",
        "E4",
        "95",
        4,
    )
    assert finding.message.startswith("Indikatorer!E4: ")
    assert "95" in finding.message and "3 unikke CVR-numre" in finding.message
    assert alfa.submission is not None and finding in alfa.submission.findings
    assert f.warnings == 1


def test_derived_result_equal_to_the_count_is_fine(cfg: config.Config) -> None:
    f = run(
        cfg,
        submission("alfa", ALFA_COMPANIES, (*ALFA_RESULTS, result("VIRK", 3, 4))),
        submission("beta", (), (result("PROJ", 5),)),
    )
    assert office(f, "alfa").status == SUBMISSION_OK
    assert f.warnings == 0


def test_derived_differs_already_found_is_not_repeated(cfg: config.Config) -> None:
    known = Finding(
        "derived-differs", "warning", "alfa-2022.xlsx", "Afviger.", "Indikatorer", "E4", "95", 4
    )
    f = run(
        cfg,
        submission("alfa", ALFA_COMPANIES, (*ALFA_RESULTS, result("VIRK", 95, 4)), (known,)),
        submission("beta", (), (result("PROJ", 5),)),
    )
    assert [x.code for x in f.validation.all_findings()] == ["derived-differs"]


def test_followup_json_has_the_documented_shape(cfg: config.Config) -> None:
    """PRODUCT.md §7: year, report, offices (id, status, indicators, counts), errors, warnings."""
    f = run(cfg, submission("alfa", ALFA_COMPANIES, ALFA_RESULTS))
    doc = json.loads(json.dumps(followup_json(f, "rapporter/klyngerapport-2022.xlsx")))
    assert set(doc) == {"year", "report", "offices", "errors", "warnings"}
    assert (doc["year"], doc["report"], doc["errors"], doc["warnings"]) == (
        2022,
        "rapporter/klyngerapport-2022.xlsx",
        1,
        0,
    )
    alfa, beta = doc["offices"]
    assert set(alfa) == {
        "id",
        "status",
        "indicators",
        "companies",
        "smes",
        "municipalities_reached",
    }
    assert (
        alfa["id"],
        alfa["status"],
        alfa["companies"],
        alfa["smes"],
        alfa["municipalities_reached"],
    ) == ("alfa", "ok", 3, 2, 3)
    assert alfa["indicators"][0] == {
        "id": "VIRK",
        "target": 4,
        "result": 3,
        "attainment": 0.75,
        "status": "not-met",
    }
    assert {i["id"]: i["status"] for i in alfa["indicators"]}["PROJ"] == "partial"
    assert {i["id"]: i["attainment"] for i in alfa["indicators"]}["NUL"] is None
    assert beta["status"] == "missing"
    assert (beta["companies"], beta["smes"], beta["municipalities_reached"]) == (None, None, None)
    assert {i["status"] for i in beta["indicators"]} == {"not-reported"}
