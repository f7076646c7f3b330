"""The Virksomheder sheet: one row per company engagement."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import (
    CHECKSUM_BAD_CVR,
    COMPANIES,
    COMPANY_HEADERS,
    KOEGE_CVR,
    NAESTVED_CVR,
    ROSKILDE_CVR,
    VALID_CVR,
    Book,
    company,
    contract_rows,
    sample_config,
)
from klyngerapport.checks.companies import check_companies
from klyngerapport.model import CompanyRow, Finding
from klyngerapport.reading.sheet import RawSheet
from klyngerapport.validation.workbook import validate_file

CONFIG = sample_config()  # Greve does not participate
PARTICIPATING = CONFIG.participating(2022)


def check(
    rows: list[dict[str, object]] | RawSheet, year: int | None = 2022, **book: object
) -> tuple[list[CompanyRow], list[Finding]]:
    sheet = rows if isinstance(rows, RawSheet) else Book(companies=rows, **book).sheet(COMPANIES)
    kept, findings = check_companies(sheet, "fil.xlsx", year, PARTICIPATING)
    return list(kept), list(findings)


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


def test_clean_rows_are_kept() -> None:
    kept, findings = check(
        [
            company(),
            company(
                KOEGE_CVR,
                "Køge Fødevarer A/S",
                "Køge",
                "Nej",
                "Grøn omstilling",
                dt.datetime(2022, 6, 30),
            ),
        ]
    )
    assert findings == []
    assert [
        (c.row, c.cvr, c.name, c.municipality and c.municipality.name, c.sme, c.activity, c.date)
        for c in kept
    ] == [
        (
            2,
            "29189625",
            "Næstved Byg ApS",
            "Næstved",
            True,
            "Innovationsprojekt",
            dt.date(2022, 3, 1),
        ),
        (
            3,
            "29189374",
            "Køge Fødevarer A/S",
            "Køge",
            False,
            "Grøn omstilling",
            dt.date(2022, 6, 30),
        ),
    ]


@pytest.mark.parametrize(
    "cvr", [29189625, 29189625.0, "29189625", " 2918 9625 ", "DK29189625", "DK 29 18 96 25"]
)
def test_cvr_spellings_accepted(cvr: object) -> None:
    """A CVR number read as 29189625.0, or typed with spaces or a DK prefix, is fine."""
    kept, findings = check([company(cvr=cvr)])
    assert findings == [] and kept[0].cvr == "29189625"


def test_cvr_invalid() -> None:
    kept, findings = check([company(cvr="1234567")])
    f = only(findings)
    assert (f.code, f.severity, f.cell, f.value, f.row) == (
        "cvr-invalid",
        "error",
        "A2",
        "1234567",
        2,
    )
    assert f.message.startswith(
        'Virksomheder!A2: CVR-nummeret "1234567" er ugyldigt (7 cifre, ikke 8)'
    )
    assert kept == []


@pytest.mark.parametrize(
    ("cvr", "reason"),
    [
        ("01234567", "begynder aldrig med 0"),
        ("2918962X", "kun indeholde cifre"),
        (2918962.5, "ikke et helt tal"),
        (True, "ikke et tal"),
        ("123456789", "9 cifre"),
    ],
)
def test_cvr_invalid_reasons(cvr: object, reason: str) -> None:
    f = only(check([company(cvr=cvr)])[1])
    assert f.code == "cvr-invalid" and reason in f.message


def test_cvr_missing() -> None:
    f = only(check([company(cvr=None)])[1])
    assert (f.code, f.cell) == ("cvr-invalid", "A2")
    assert "CVR-nummeret mangler" in f.message


def test_cvr_checksum() -> None:
    kept, findings = check([company(cvr=CHECKSUM_BAD_CVR)])
    f = only(findings)
    assert (f.code, f.severity, f.cell, f.value) == ("cvr-checksum", "error", "A2", "13585627")
    assert f.message == (
        "Virksomheder!A2: CVR-nummeret 13585627 er ugyldigt (kontrolcifferet "
        "passer ikke). Tjek nummeret på virk.dk."
    )
    assert kept == []


def test_municipality_unknown() -> None:
    kept, findings = check([company(municipality="Næstvd")])
    f = only(findings)
    assert (f.code, f.severity, f.cell, f.value) == (
        "municipality-unknown",
        "error",
        "C2",
        "Næstvd",
    )
    assert 'Mente du "Næstved"?' in f.message
    assert kept[0].municipality is None  # the row is kept: its CVR number is valid


def test_municipality_missing() -> None:
    f = only(check([company(municipality="")])[1])
    assert (f.code, f.cell) == ("municipality-unknown", "C2")
    assert "Kommunen mangler" in f.message


@pytest.mark.parametrize(
    "given_", ["Næstved", "næstved kommune", "Naestved", 370, 370.0, "370", "0370"]
)
def test_municipality_by_name_or_code(given_: object) -> None:
    kept, findings = check([company(municipality=given_)])
    assert findings == [] and kept[0].municipality and kept[0].municipality.code == 370


def test_municipality_outside() -> None:
    """Greve does not take part: a warning, and the row is kept with its municipality."""
    kept, findings = check([company(municipality="Greve")])
    f = only(findings)
    assert (f.code, f.severity, f.cell, f.value) == (
        "municipality-outside",
        "warning",
        "C2",
        "Greve",
    )
    assert "Greve Kommune deltager ikke" in f.message
    assert kept[0].municipality and kept[0].municipality.name == "Greve"


@pytest.mark.parametrize(
    ("given_", "name"),
    [
        ("Aarhus", "Aarhus"),
        ("København", "København"),
        ("Århus Kommune", "Aarhus"),
        (101, "København"),
    ],
)
def test_municipality_outside_the_region_is_a_warning(given_: object, name: str) -> None:
    """A company registered in another part of Denmark is real: listed, not counted."""
    kept, findings = check([company(municipality=given_)])
    f = only(findings)
    assert (f.code, f.severity) == ("municipality-outside", "warning")
    assert kept[0].municipality and kept[0].municipality.name == name


def test_sme_invalid() -> None:
    kept, findings = check([company(sme="Måske")])
    f = only(findings)
    assert (f.code, f.severity, f.cell, f.value) == ("sme-invalid", "error", "D2", "Måske")
    assert 'SMV skal være "Ja" eller "Nej", ikke "Måske"' in f.message
    assert kept[0].sme is None


@pytest.mark.parametrize(
    ("given_", "sme"), [("Ja", True), ("NEJ", False), (" ja ", True), ("J", True), ("n", False)]
)
def test_sme_spellings(given_: str, sme: bool) -> None:
    kept, findings = check([company(sme=given_)])
    assert findings == [] and kept[0].sme is sme


@pytest.mark.parametrize("given_", [True, 1, "x", "Yes", None])
def test_sme_rejected(given_: object) -> None:
    assert only(check([company(sme=given_)])[1]).code == "sme-invalid"


def test_activity_unknown() -> None:
    kept, findings = check([company(activity="Innovationsprojekter")])
    f = only(findings)
    assert (f.code, f.severity, f.cell) == ("activity-unknown", "error", "E2")
    assert 'Mente du "Innovationsprojekt"?' in f.message
    assert kept[0].activity is None


def test_activity_case_and_spaces_accepted() -> None:
    kept, findings = check([company(activity="  grøn   OMSTILLING ")])
    assert findings == [] and kept[0].activity == "Grøn omstilling"


def test_date_invalid() -> None:
    kept, findings = check([company(date="snart")])
    f = only(findings)
    assert (f.code, f.severity, f.cell, f.value) == ("date-invalid", "error", "F2", "snart")
    assert '"snart" er ikke en dato' in f.message
    assert kept[0].date is None


def test_date_missing() -> None:
    f = only(check([company(date=None)])[1])
    assert (f.code, f.cell) == ("date-invalid", "F2") and "Datoen mangler" in f.message


def test_date_outside_year() -> None:
    f = only(check([company(date=dt.date(2021, 12, 31))])[1])
    assert (f.code, f.severity, f.cell) == ("date-outside-year", "error", "F2")
    assert "Datoen 31-12-2021 ligger ikke i 2022" in f.message


def test_date_not_checked_without_year() -> None:
    assert check([company(date=dt.date(2021, 12, 31))], year=None)[1] == []


def test_date_as_text() -> None:
    kept, findings = check([company(date="01-03-2022")])
    f = only(findings)
    assert (f.code, f.severity, f.cell, f.value) == ("date-as-text", "warning", "F2", "01-03-2022")
    assert "læst som 01-03-2022" in f.message
    assert kept[0].date == dt.date(2022, 3, 1)


def test_date_as_serial_number() -> None:
    kept, findings = check([company(date=44621.0)])
    f = only(findings)
    assert (f.code, f.value) == ("date-as-text", "44621")
    assert "skrevet som tallet 44621" in f.message
    assert kept[0].date == dt.date(2022, 3, 1)


def test_row_duplicate() -> None:
    """The same CVR, activity and date twice: a warning on the whole second row."""
    kept, findings = check(
        [company(), company(name="Andet navn"), company(activity="Videnssamarbejde")]
    )
    f = only(findings)
    assert (f.code, f.severity, f.cell, f.row) == ("row-duplicate", "warning", "3:3", 3)
    assert f.message.startswith("Virksomheder, række 3: Rækken gentager række 2")
    assert len(kept) == 3


def test_name_missing() -> None:
    kept, findings = check([company(name="  ")])
    f = only(findings)
    assert (f.code, f.severity, f.cell) == ("name-missing", "warning", "B2")
    assert "CVR-nummer 29189625" in f.message
    assert kept[0].name == ""


def test_formula_no_value() -> None:
    sheet = Book(companies=[company(cvr=None)]).sheet(COMPANIES)
    sheet.formula_probe = lambda: frozenset({(2, 0)})
    f = only(check(sheet)[1])
    assert (f.code, f.severity, f.cell) == ("formula-no-value", "error", "A2")


@pytest.mark.parametrize(
    ("field", "error", "code", "cell", "text"),
    [
        (
            "cvr",
            "#N/A",
            "cvr-invalid",
            "A2",
            "Virksomheder!A2: Cellen viser fejlen #N/A i stedet for et CVR-nummer. Skriv "
            "CVR-nummeret (8 cifre).",
        ),
        (
            "municipality",
            "#REF!",
            "municipality-unknown",
            "C2",
            "Virksomheder!C2: Cellen viser fejlen #REF! i stedet for en kommune.",
        ),
        (
            "date",
            "#VALUE!",
            "date-invalid",
            "F2",
            "Virksomheder!F2: Cellen viser fejlen #VALUE! i stedet for en dato. Skriv datoen som "
            "dd-mm-åååå, fx 01-03-2022.",
        ),
    ],
)
def test_cell_showing_an_excel_error(
    tmp_path: Path, field: str, error: str, code: str, cell: str, text: str
) -> None:
    """An error cell reads as empty; it is reported with its error, not as a missing value."""
    book = Book(
        companies=[company(**{field: error})],
        indicators=contract_rows(CONFIG, "we-build-denmark", 2022),
    )
    path = book.save(tmp_path / "fejl.xlsx")
    sub = validate_file(path, CONFIG, 2022, path.name)
    f = only([f for f in sub.findings if f.sheet == COMPANIES and f.code != "derived-differs"])
    assert (f.code, f.severity, f.cell, f.value) == (code, "error", cell, error)
    assert f.message.startswith(text)


def test_a_row_of_only_error_cells_is_not_empty() -> None:
    empty = dict.fromkeys(COMPANY_HEADERS, None)
    sheet = Book(companies=[empty]).sheet(COMPANIES)
    sheet.error_probe = lambda: {(2, 5): "#NAME?"}
    findings = check(sheet)[1]
    assert ("date-invalid", "F2", "#NAME?") in [(f.code, f.cell, f.value) for f in findings]
    assert "cvr-invalid" in [f.code for f in findings]  # the row is checked, not skipped


def test_empty_rows_are_skipped() -> None:
    empty = dict.fromkeys(COMPANY_HEADERS, None)
    blank = dict.fromkeys(COMPANY_HEADERS, "")
    kept, findings = check(
        [
            company(),
            empty,
            blank,
            {**empty, "Ekstra": "note"},
            company(ROSKILDE_CVR, municipality="Roskilde"),
        ],
        company_headers=(*COMPANY_HEADERS, "Ekstra"),
    )
    assert findings == []
    assert [c.row for c in kept] == [2, 6]


def test_title_rows_and_column_order() -> None:
    """The header can be below a title; columns in any order; header names loosely matched."""
    headers = ("Note", "dato", "AKTIVITET", "smv", "Kommune ", "Virksomhedsnavn", "CVR nummer")
    rows = [
        {
            "Note": "x",
            "dato": dt.date(2022, 5, 1),
            "AKTIVITET": "Videnssamarbejde",
            "smv": "Nej",
            "Kommune ": "Slagelse",
            "Virksomhedsnavn": "Firma",
            "CVR nummer": VALID_CVR,
        }
    ]
    kept, findings = check(rows, company_headers=headers, title_rows=3)
    assert findings == []
    assert [(c.row, c.cvr, c.municipality and c.municipality.name, c.sme) for c in kept] == [
        (5, "13585628", "Slagelse", False)
    ]


def test_error_cells_follow_column_order() -> None:
    headers = ("Dato", "CVR-nummer", "Virksomhedsnavn", "Kommune", "SMV", "Aktivitet")
    f = only(check([company(cvr="123")], company_headers=headers)[1])
    assert f.cell == "B2"


def test_column_missing() -> None:
    headers = tuple(h for h in COMPANY_HEADERS if h != "Kommune")
    kept, findings = check([company()], company_headers=headers)
    f = only(findings)
    assert (f.code, f.severity, f.cell) == ("column-missing", "error", "1:1")
    assert '"Kommune"' in f.message
    assert kept == []


def test_findings_name_the_file_and_sheet_as_found() -> None:
    sheet = RawSheet("virksomheder", Book(companies=[company(cvr="1")]).sheet(COMPANIES).data)
    f = only(check(sheet)[1])
    assert (f.file, f.sheet) == ("fil.xlsx", "virksomheder")
    assert f.message.startswith("virksomheder!A2:")


def test_sheet_with_offset_data() -> None:
    """A reader may hand over data that starts below row 1 and right of column A."""
    grid = [
        list(COMPANY_HEADERS),
        [1, "Firma", "Næstved", "Ja", "Innovationsprojekt", dt.date(2022, 1, 5)],
    ]
    f = only(check(RawSheet("Virksomheder", grid, first_row=3, first_col=2))[1])
    assert (f.cell, f.row) == ("C4", 4)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=10_000_000, max_value=99_999_999), min_size=1, max_size=20))
def test_kept_rows_agree_with_stdnum(numbers: list[int]) -> None:
    """A row is kept exactly when python-stdnum says its CVR number is valid."""
    from stdnum.dk import cvr

    kept, _ = check(
        [company(cvr=n, date=dt.date(2022, 1, 1 + i % 28)) for i, n in enumerate(numbers)]
    )
    assert [c.cvr for c in kept] == [str(n) for n in numbers if cvr.is_valid(str(n))]


CELL = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
    st.sampled_from(
        [
            NAESTVED_CVR,
            "DK29189625",
            "Greve",
            "Næstved",
            "370",
            "Ja",
            "nej",
            "Innovationsprojekt",
            "01-03-2022",
            44621.0,
            "",
            " ",
        ]
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(CELL, max_size=9), max_size=15),
    st.booleans(),
    st.one_of(st.none(), st.integers(min_value=1900, max_value=2100)),
)
def test_random_cells_never_raise(
    grid: list[list[object]], with_header: bool, year: int | None
) -> None:
    """Whatever is in the sheet, the check returns rows and findings instead of raising."""
    if with_header:
        grid = [list(COMPANY_HEADERS), *grid]
    kept, findings = check_companies(RawSheet("Virksomheder", grid), "f.xlsx", year, PARTICIPATING)
    assert all(isinstance(f, Finding) and f.message for f in findings)
    assert all(len(c.cvr) == 8 and c.cvr.isdigit() for c in kept)


def test_fast_row_builder_builds_equal_frozen_rows() -> None:
    """The rows are built without the dataclass __init__ (speed); they must be the same rows."""
    import dataclasses

    from klyngerapport.checks.companies import _new_company_row
    from klyngerapport.reference import municipalities

    args = (
        5,
        "29189625",
        "Firma",
        municipalities().by_code(370),
        True,
        "Innovationsprojekt",
        dt.date(2022, 1, 1),
    )
    built = _new_company_row(*args)
    assert built == CompanyRow(*args) and hash(built) == hash(CompanyRow(*args))
    assert repr(built) == repr(CompanyRow(*args))
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.cvr = "1"  # type: ignore[misc]


def test_checking_without_keeping_rows_finds_the_same() -> None:
    """keep_rows=False (validate) reports exactly the same findings and builds no rows."""
    sheet = Book(
        companies=[
            company(),
            company(cvr="1"),
            company(),
            company(municipality="Greve"),
            company(sme="?", date="01-02-2022"),
        ]
    ).sheet(COMPANIES)
    kept, findings = check_companies(sheet, "fil.xlsx", 2022, PARTICIPATING)
    none_kept, same = check_companies(sheet, "fil.xlsx", 2022, PARTICIPATING, keep_rows=False)
    assert len(kept) == 4 and none_kept == ()
    assert same == findings
    assert {f.code for f in findings} == {
        "cvr-invalid",
        "row-duplicate",
        "municipality-outside",
        "sme-invalid",
        "date-as-text",
    }
