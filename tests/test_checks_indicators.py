"""The Indikatorer sheet: results against the office's contract."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from builders import (
    DERIVED_TEXT,
    INDICATOR_HEADERS,
    INDICATORS,
    Book,
    contract_rows,
    indicator,
    sample_config,
)
from klyngerapport.checks.indicators import check_indicators
from klyngerapport.config import Config
from klyngerapport.model import Finding, IndicatorRow
from klyngerapport.reading.sheet import RawSheet
from klyngerapport.validation.workbook import validate_file

CONFIG: Config = sample_config()
OFFICE, YEAR = "we-build-denmark", 2022  # VIRK SMV KOM GROEN derived; PROJ ARR MIDLER reported


def rows(result: float = 10) -> list[dict[str, object]]:
    return contract_rows(CONFIG, OFFICE, YEAR, result)


def with_row(ident: str, **changes: object) -> list[dict[str, object]]:
    """The contract rows with one row changed."""
    out = rows()
    for row in out:
        if row["ID"] == ident:
            row.update(changes)
    return out


def check(
    sheet: RawSheet | Book, office: str | None = OFFICE, year: int | None = YEAR
) -> tuple[dict[str, IndicatorRow], list[Finding]]:
    raw = sheet.sheet(INDICATORS) if isinstance(sheet, Book) else sheet
    found, findings = check_indicators(raw, "fil.xlsx", CONFIG, office, year)
    return {r.id: r for r in found}, list(findings)


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


def test_template_as_filled_in_is_clean() -> None:
    found, findings = check(Book(indicators=rows(7)))
    assert findings == []
    assert (found["PROJ"].result, found["PROJ"].row, found["PROJ"].result_cell) == (7, 6, "E6")
    assert found["VIRK"].result is None  # derived: counted from Virksomheder
    assert found["MIDLER"].target == 2_000_000


def test_title_rows_and_column_order() -> None:
    """The header may be below a title; columns in any order, extra ones ignored."""
    headers = ("Bemærkning", "RESULTAT", "Ekstra", " mål ", "ID", "Indikator", "Enhed")
    rows_ = [
        {"RESULTAT": r["Resultat"], " mål ": r["Mål"], "Ekstra": "x", **r}
        for r in with_row("PROJ", Resultat=3)
    ]
    found, findings = check(Book(indicators=rows_, indicator_headers=headers, title_rows=4))
    assert findings == []
    assert found["PROJ"].result == 3
    # four title rows, the header, then VIRK SMV KOM GROEN; Resultat is column B
    assert (found["PROJ"].row, found["PROJ"].result_cell) == (10, "B10")


def test_indicator_unknown() -> None:
    """A row for an indicator outside the contract is a warning and is not used."""
    book = Book(indicators=[*rows(), indicator("VIDEN", 4)])
    found, findings = check(book)
    f = only(findings)
    assert (f.code, f.severity, f.cell, f.value) == ("indicator-unknown", "warning", "A9", "VIDEN")
    assert "står ikke i resultatkontrakten for we-build-denmark 2022" in f.message
    assert "VIDEN" not in found


def test_indicator_unknown_suggests_nearest() -> None:
    f = only(check(Book(indicators=[*rows(), indicator("PROJJ", 4)]))[1])
    assert 'Mente du "PROJ"?' in f.message


def test_indicator_id_matched_case_insensitively() -> None:
    found, findings = check(Book(indicators=with_row("PROJ", ID=" proj ")))
    assert findings == [] and "PROJ" in found


def test_row_without_id() -> None:
    f = only(check(Book(indicators=[*rows(), indicator(None, 5)]))[1])
    assert (f.code, f.cell) == ("indicator-unknown", "A9")
    assert "intet ID" in f.message


def test_result_missing() -> None:
    f = only(check(Book(indicators=with_row("PROJ", Resultat=None)))[1])
    assert (f.code, f.severity, f.cell) == ("result-missing", "error", "E6")
    assert "Indikatorer!E6: Resultatet for PROJ mangler" in f.message


def test_result_missing_row() -> None:
    """A contract indicator without a row at all is missing too."""
    f = only(check(Book(indicators=[r for r in rows() if r["ID"] != "ARR"]))[1])
    assert (f.code, f.cell) == ("result-missing", None)
    assert "ARR" in f.message and "mangler i fanen" in f.message


def test_derived_indicator_needs_no_result() -> None:
    found, findings = check(Book(indicators=with_row("VIRK", Resultat=None)))
    assert findings == [] and found["VIRK"].result is None


def test_derived_indicator_row_may_be_absent() -> None:
    assert check(Book(indicators=[r for r in rows() if r["ID"] != "VIRK"]))[1] == []


def test_formula_no_value() -> None:
    """A formula without a cached value reads as empty; say so instead of result-missing."""
    sheet = Book(indicators=with_row("PROJ", Resultat=None)).sheet(INDICATORS)
    sheet.formula_probe = lambda: frozenset({(6, 4)})
    f = only(check(sheet)[1])
    assert (f.code, f.severity, f.cell) == ("formula-no-value", "error", "E6")
    assert "Åbn og gem filen i Excel" in f.message


def test_result_showing_an_excel_error(tmp_path: Path) -> None:
    """#DIV/0! reads as empty; it is reported as the error it is, not as a missing result."""
    path = Book(indicators=with_row("PROJ", Resultat="#DIV/0!")).save(tmp_path / "fejl.xlsx")
    sub = validate_file(path, CONFIG, YEAR, path.name)
    f = only([f for f in sub.findings if f.sheet == INDICATORS])
    assert (f.code, f.severity, f.cell, f.value) == ("result-not-number", "error", "E6", "#DIV/0!")
    assert f.message == (
        "Indikatorer!E6: Resultatet viser fejlen #DIV/0! fra en formel. Ret "
        "formlen, eller skriv resultatet som et tal."
    )


def test_a_clean_sheet_never_asks_for_errors() -> None:
    """Error cells are only looked for behind a value that reads as empty."""

    def fail() -> dict[tuple[int, int], str]:
        raise AssertionError("probed")

    sheet = Book(indicators=rows(7)).sheet(INDICATORS)
    sheet.error_probe = fail
    assert check(sheet)[1] == []


def test_result_not_number() -> None:
    f = only(check(Book(indicators=with_row("PROJ", Resultat="ca. 40")))[1])
    assert (f.code, f.severity, f.cell, f.value) == ("result-not-number", "error", "E6", "ca. 40")
    assert 'Resultatet "ca. 40" for PROJ er ikke et tal' in f.message


def test_result_not_number_na() -> None:
    assert (
        only(check(Book(indicators=with_row("PROJ", Resultat="N/A")))[1]).code
        == "result-not-number"
    )


def test_derived_text_is_not_a_result_problem() -> None:
    assert check(Book(indicators=with_row("SMV", Resultat=DERIVED_TEXT)))[1] == []


def test_result_negative() -> None:
    found, findings = check(Book(indicators=with_row("PROJ", Resultat=-2)))
    f = only(findings)
    assert (f.code, f.severity, f.cell) == ("result-negative", "error", "E6")
    assert found["PROJ"].result is None


def test_number_as_text() -> None:
    """Danish number text is read, with a warning that names the cell and the number."""
    found, findings = check(Book(indicators=with_row("MIDLER", Resultat="1.234")))
    f = only(findings)
    assert (f.code, f.severity, f.cell, f.value) == ("number-as-text", "warning", "E8", "1.234")
    assert f.message == (
        'Indikatorer!E8: Resultatet "1.234" er skrevet som tekst; læst som '
        "1234. Skriv tallet uden punktum og tekst."
    )
    assert found["MIDLER"].result == 1234


def test_target_differs() -> None:
    """A changed target is a warning; the contract wins."""
    found, findings = check(Book(indicators=with_row("PROJ", Mål=3)))
    f = only(findings)
    assert (f.code, f.severity, f.cell, f.value) == ("target-differs", "warning", "D6", "3")
    assert "resultatkontraktens mål (6)" in f.message
    assert found["PROJ"].target == 3  # as the workbook says; the follow-up uses the contract


def test_target_blank() -> None:
    f = only(check(Book(indicators=with_row("PROJ", Mål=None)))[1])
    assert (f.code, f.cell) == ("target-differs", "D6")


def test_target_column_is_optional() -> None:
    headers = tuple(h for h in INDICATOR_HEADERS if h != "Mål")
    found, findings = check(Book(indicators=rows(), indicator_headers=headers))
    assert findings == [] and found["PROJ"].target is None


def test_column_missing() -> None:
    headers = tuple(h for h in INDICATOR_HEADERS if h != "Resultat")
    found, findings = check(Book(indicators=rows(), indicator_headers=headers))
    f = only(findings)
    assert (f.code, f.severity, f.cell, f.row) == ("column-missing", "error", "1:1", 1)
    assert '"Resultat"' in f.message
    assert found == {}


def test_no_header_row() -> None:
    sheet = RawSheet("Indikatorer", [["noget"], [1, 2, 3]])
    f = only(check(sheet)[1])
    assert f.code == "column-missing" and "ingen overskriftsrække" in f.message


def test_header_below_row_ten_is_not_found() -> None:
    f = only(check(Book(indicators=rows(), title_rows=10))[1])
    assert f.code == "column-missing"


def test_without_contract_results_are_still_checked() -> None:
    """Unknown office: rows are not compared with a contract, but bad results are reported."""
    found, findings = check(
        Book(indicators=[*with_row("PROJ", Resultat="N/A"), indicator("XYZ", 1)]), office=None
    )
    assert [f.code for f in findings] == ["result-not-number"]
    assert "XYZ" in found


def test_duplicate_indicator_row() -> None:
    f = only(check(Book(indicators=[*rows(), indicator("PROJ", 99)]))[1])
    assert (f.code, f.severity, f.cell) == ("row-duplicate", "warning", "A9")
    assert "står også i række 6" in f.message


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
    st.sampled_from(["ID", "Resultat", "Mål", "VIRK", "PROJ", "1.234", "ca. 40", "", " "]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CELL, max_size=8), max_size=12), st.booleans())
def test_random_cells_never_raise(grid: list[list[object]], with_header: bool) -> None:
    """Whatever is in the sheet, the check returns findings instead of raising."""
    if with_header:
        grid = [list(INDICATOR_HEADERS), *grid]
    rows_, findings = check_indicators(
        RawSheet("Indikatorer", grid), "f.xlsx", CONFIG, OFFICE, YEAR
    )
    assert all(isinstance(f, Finding) and f.message for f in findings)
    assert all(isinstance(r, IndicatorRow) for r in rows_)


def test_dates_in_results_are_not_numbers() -> None:
    f = only(check(Book(indicators=with_row("PROJ", Resultat=dt.date(2022, 1, 1))))[1])
    assert f.code == "result-not-number"
