"""`--as-of DATE`: parsing the date and the date-after-cutoff finding (PRODUCT.md §10)."""

from __future__ import annotations

import datetime as dt

import pytest

from builders import COMPANIES, Book, company, sample_config
from klyngerapport.checks.companies import check_companies
from klyngerapport.cutoff import parse_as_of, status_title
from klyngerapport.errors import KlyngeError

PARTICIPATING = sample_config().participating(2022)


@pytest.mark.parametrize("text", ["2023-06-30", "30-06-2023", " 2023-6-30 ", "30-6-2023"])
def test_as_of_reads_iso_and_danish_dates(text: str) -> None:
    assert parse_as_of(text, 2023) == dt.date(2023, 6, 30)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("30/06/2023", "er ikke en dato"),
        ("juni", "er ikke en dato"),
        ("2023-02-30", "findes ikke i kalenderen"),
        ("2022-11-15", "ligger ikke i 2023"),
    ],
)
def test_as_of_refuses_what_is_not_a_date_of_the_year(text: str, message: str) -> None:
    with pytest.raises(KlyngeError, match=message):
        parse_as_of(text, 2023)


def test_status_title_is_danish_date() -> None:
    assert status_title(dt.date(2023, 6, 30)) == "Status pr. 30-06-2023"
    assert status_title(None) == ""


def test_activity_after_the_cutoff_is_an_error_at_its_date_cell() -> None:
    sheet = Book(
        companies=[company(date=dt.date(2022, 6, 30)), company(date=dt.date(2022, 7, 1))]
    ).sheet(COMPANIES)
    kept, findings = check_companies(
        sheet, "fil.xlsx", 2022, PARTICIPATING, cutoff=dt.date(2022, 6, 30)
    )
    assert [(f.code, f.severity, f.cell) for f in findings] == [
        ("date-after-cutoff", "error", "F3")
    ]
    assert findings[0].message.startswith("Virksomheder!F3: Aktiviteten er dateret 01-07-2022")
    assert "opgørelsesdatoen 30-06-2022" in findings[0].message
    assert len(kept) == 2


def test_a_date_outside_the_year_is_not_also_after_the_cutoff() -> None:
    sheet = Book(companies=[company(date=dt.date(2023, 1, 5))]).sheet(COMPANIES)
    _, findings = check_companies(
        sheet, "fil.xlsx", 2022, PARTICIPATING, cutoff=dt.date(2022, 6, 30)
    )
    assert [f.code for f in findings] == ["date-outside-year"]


def test_without_cutoff_late_dates_are_fine() -> None:
    sheet = Book(companies=[company(date=dt.date(2022, 12, 31))]).sheet(COMPANIES)
    assert check_companies(sheet, "fil.xlsx", 2022, PARTICIPATING)[1] == ()
