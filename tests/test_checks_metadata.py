"""The Indberetning sheet: office, year and contact."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import INFO, Book, sample_config
from klyngerapport.checks.metadata import check_metadata
from klyngerapport.config import Config
from klyngerapport.model import Finding
from klyngerapport.reading.sheet import RawSheet

CONFIG: Config = sample_config()


def check(book: Book, year: int | None = 2022) -> tuple[str | None, int | None, list[Finding]]:
    meta = check_metadata(book.sheet(INFO), "fil.xlsx", CONFIG, year)
    return meta.office_id, meta.year, list(meta.findings)


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


def test_template_layout_is_read() -> None:
    """Labels from row 4 (below the template's title), values in column B."""
    meta = check_metadata(
        Book(contact="  Hanne  Hansen ", email="hh@example.dk").sheet(INFO),
        "fil.xlsx",
        CONFIG,
        2022,
    )
    assert (meta.office_id, meta.year, meta.contact, meta.email) == (
        "we-build-denmark",
        2022,
        "Hanne Hansen",
        "hh@example.dk",
    )
    assert meta.findings == ()


@pytest.mark.parametrize("office", ["we-build-denmark", " WE-BUILD-DENMARK ", "We Build Denmark"])
def test_office_by_id_or_cluster_name(office: str) -> None:
    """The office id is matched case-insensitively; the cluster name is accepted too."""
    assert check(Book(office=office)) == ("we-build-denmark", 2022, [])


@pytest.mark.parametrize(("label", "year"), [("år:", 2022), ("AAR", "2022"), (" År ", 2022.0)])
def test_labels_matched_loosely(label: str, year: object) -> None:
    book = Book(info=[("Klyngekontor", "foedevarer"), (label, year)])
    assert check(book) == ("foedevarer", 2022, [])


def test_office_missing() -> None:
    """An empty Klyngekontor cell is office-missing at B4."""
    office, _, findings = check(Book(office=None))
    f = only(findings)
    assert office is None
    assert (f.code, f.severity, f.sheet, f.cell, f.row) == (
        "office-missing",
        "error",
        INFO,
        "B4",
        4,
    )
    assert f.message.startswith("Indberetning!B4: Klyngekontoret mangler.")


def test_office_missing_without_label() -> None:
    f = only(check(Book(info=[("År", 2022)]))[2])
    assert (f.code, f.cell) == ("office-missing", None)
    assert '"Klyngekontor" i kolonne A' in f.message


def test_office_unknown() -> None:
    """An unknown id suggests the nearest known one."""
    office, _, findings = check(Book(office="we-build-denmak"))
    f = only(findings)
    assert office is None
    assert (f.code, f.severity, f.cell, f.value) == (
        "office-unknown",
        "error",
        "B4",
        "we-build-denmak",
    )
    assert 'Mente du "we-build-denmark"?' in f.message


def test_office_unknown_suggests_id_for_cluster_name() -> None:
    f = only(check(Book(office="Food and Bio Cluster Denmark"))[2])
    assert f.code == "office-unknown"
    assert 'Mente du "foedevarer"?' in f.message


def test_office_unknown_when_not_active_in_year() -> None:
    """An office outside its active years has no contract for the year."""
    office, year, findings = check(Book(office="foedevarer", year=2021), year=2021)
    f = only(findings)
    assert (office, year) == ("foedevarer", 2021)
    assert (f.code, f.cell) == ("office-unknown", "B4")
    assert "ikke aktivt i 2021 (kun 2022–2024)" in f.message


def test_year_missing() -> None:
    _, year, findings = check(Book(year=None))
    f = only(findings)
    assert year is None
    assert (f.code, f.severity, f.cell) == ("year-missing", "error", "B5")
    assert "Året mangler" in f.message


def test_year_missing_when_not_a_year() -> None:
    f = only(check(Book(year="i år"))[2])
    assert (f.code, f.cell, f.value) == ("year-missing", "B5", "i år")
    assert '"i år" er ikke et årstal' in f.message


def test_year_mismatch() -> None:
    """A 2021 file checked for 2022 keeps its own year and is flagged."""
    _, year, findings = check(Book(year=2021), year=2022)
    f = only(findings)
    assert year == 2021
    assert (f.code, f.severity, f.cell, f.value) == ("year-mismatch", "error", "B5", "2021")
    assert "indberetningen for 2021, men der tjekkes for 2022" in f.message


def test_any_year_when_none_asked() -> None:
    assert check(Book(year=2023), year=None) == ("we-build-denmark", 2023, [])


def test_formula_no_value_in_year() -> None:
    """A formula without a cached value is not called missing."""
    sheet = Book().sheet(INFO)
    sheet.data[4][1] = None
    sheet = RawSheet(sheet.name, sheet.data, formula_probe=lambda: frozenset({(5, 1)}))
    meta = check_metadata(sheet, "fil.xlsx", CONFIG, 2022)
    f = only(list(meta.findings))
    assert (f.code, f.cell) == ("formula-no-value", "B5")
    assert "Åbn og gem filen i Excel" in f.message


CELL = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.sampled_from(["Klyngekontor", "År", "Dato", "we-build-denmark", 2022, "2022", ""]),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(CELL, max_size=4), max_size=10),
    st.one_of(st.none(), st.integers(min_value=2000, max_value=2100)),
)
def test_random_cells_never_raise(grid: list[list[object]], year: int | None) -> None:
    meta = check_metadata(RawSheet("Indberetning", grid), "f.xlsx", CONFIG, year)
    assert all(f.message for f in meta.findings)
    assert meta.office_id is None or CONFIG.office(meta.office_id) is not None
