"""Validating files and folders: file-level findings, duplicates, missing submissions."""

from __future__ import annotations

import datetime as dt
import gc
import threading
from pathlib import Path
from typing import cast

import pytest

import klyngerapport.validation as checking
from builders import (
    COMPANIES,
    INDICATORS,
    KOEGE_CVR,
    Book,
    company,
    contract_rows,
    sample_config,
)
from klyngerapport.errors import KlyngeError
from klyngerapport.model import Finding, Submission
from klyngerapport.reading.sheet import FileProblem, RawSheet
from klyngerapport.validation import validate_paths
from klyngerapport.validation import workbook as one_workbook
from klyngerapport.validation.files import collect_files
from klyngerapport.validation.workbook import validate_file

CONFIG = sample_config()
YEAR = 2022


def book(office: str = "we-build-denmark", **changes: object) -> Book:
    """A clean submission of `office` for 2022."""
    base = Book(
        office=office,
        year=YEAR,
        indicators=contract_rows(CONFIG, office, YEAR),
        companies=[
            company(),
            company(KOEGE_CVR, "Køge A/S", "Køge", "Nej", "Videnssamarbejde", dt.date(2022, 9, 1)),
        ],
    )
    return base.with_(**changes)


class FakeWorkbook:
    """A Workbook over a Book's RawSheets, so orchestration is tested without a reader."""

    def __init__(self, path: Path, sheets: dict[str, RawSheet]) -> None:
        self.path = path
        self._sheets = {s.name: s for s in sheets.values()}
        self.sheet_names = list(self._sheets)
        self.closed = False

    def sheet(self, name: str) -> RawSheet | None:
        return next(
            (s for n, s in self._sheets.items() if n.strip().casefold() == name.casefold()), None
        )

    def matching(self, name: str) -> list[str]:
        return [n for n in self._sheets if n.strip().casefold() == name.casefold()]

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def books(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Book | Exception]:
    """Files named here are 'opened' from their Book (or raise the given exception)."""
    registry: dict[str, Book | Exception] = {}

    def fake_open(path: Path, wanted: object = None) -> FakeWorkbook:
        item = registry[path.name]
        if isinstance(item, Exception):
            raise item
        return FakeWorkbook(path, item.sheets())

    monkeypatch.setattr(one_workbook, "open_workbook", fake_open)
    monkeypatch.chdir(tmp_path)
    return registry


def place(
    folder: Path, registry: dict[str, Book | Exception], name: str, item: Book | Exception
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"")
    registry[name] = item
    return path


def codes(sub: Submission) -> list[str]:
    return [f.code for f in sub.findings]


def test_clean_submission(books: dict[str, Book | Exception], tmp_path: Path) -> None:
    path = place(tmp_path, books, "a.xlsx", book())
    sub = validate_file(path, CONFIG, YEAR, "a.xlsx")
    assert sub.findings == ()
    assert (sub.office_id, sub.year, sub.contact) == ("we-build-denmark", YEAR, "Test Testesen")
    assert len(sub.companies) == 2
    assert {r.id for r in sub.indicators} == {
        i.id for i, _ in CONFIG.contract("we-build-denmark", YEAR)
    }


def test_sheet_missing(books: dict[str, Book | Exception], tmp_path: Path) -> None:
    """A missing sheet is named by its canonical name; the other sheets are still checked."""
    path = place(tmp_path, books, "a.xlsx", book(names={COMPANIES: None}, indicators=[]))
    sub = validate_file(path, CONFIG, YEAR, "a.xlsx")
    missing = [f for f in sub.findings if f.code == "sheet-missing"]
    assert len(missing) == 1
    f = missing[0]
    assert (f.severity, f.sheet, f.cell, f.file) == ("error", "Virksomheder", None, "a.xlsx")
    assert f.message.startswith(
        'Virksomheder: Fanen "Virksomheder" mangler (filen har: "Indberetning", "Indikatorer")'
    )
    assert "result-missing" in codes(sub)  # Indikatorer was checked: its rows are gone


def test_sheet_names_as_in_file(books: dict[str, Book | Exception], tmp_path: Path) -> None:
    path = place(tmp_path, books, "a.xlsx", book(names={INDICATORS: "indikatorer "}, indicators=[]))
    f = next(
        f
        for f in validate_file(path, CONFIG, YEAR, "a.xlsx").findings
        if f.code == "result-missing"
    )
    assert f.sheet == "indikatorer "


@pytest.mark.parametrize("code", ["file-encrypted", "file-too-large", "file-unreadable"])
def test_file_problem_becomes_finding(
    books: dict[str, Book | Exception], tmp_path: Path, code: str
) -> None:
    path = place(tmp_path, books, "a.xlsx", FileProblem(code, "Filen er beskyttet."))
    sub = validate_file(path, CONFIG, YEAR, "a.xlsx")
    assert [(f.code, f.severity, f.file, f.message, f.sheet) for f in sub.findings] == [
        (code, "error", "a.xlsx", "Filen er beskyttet.", None)
    ]
    assert not sub.valid


def test_unexpected_error_becomes_file_unreadable(
    books: dict[str, Book | Exception], tmp_path: Path
) -> None:
    """A bug met in one file is a finding about it, and the next file is checked as usual."""
    place(tmp_path / "mappe", books, "a.xlsx", RuntimeError("boom"))
    place(tmp_path / "mappe", books, "b.xlsx", book("foedevarer"))
    result = validate_paths([tmp_path / "mappe"], CONFIG, YEAR)
    first, second = result.submissions
    f = first.findings[0]
    assert (f.code, f.severity) == ("file-unreadable", "error")
    assert "uventet fejl" in f.message and "RuntimeError: boom" in f.message
    assert second.valid and second.office_id == "foedevarer"


def test_workbook_closed_after_crash(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    opened: list[FakeWorkbook] = []

    def fake_open(path: Path, wanted: object = None) -> FakeWorkbook:
        wb = FakeWorkbook(path, book().sheets())
        wb.sheet = lambda name: 1 / 0  # type: ignore[method-assign,assignment,misc]
        opened.append(wb)
        return wb

    monkeypatch.setattr(one_workbook, "open_workbook", fake_open)
    sub = validate_file(tmp_path / "a.xlsx", CONFIG, YEAR, "a.xlsx")
    assert codes(sub) == ["file-unreadable"] and opened[0].closed


def test_broken_sheet_keeps_what_the_others_said(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A sheet that cannot be read is a finding; the file is still the office's submission."""

    def fake_open(path: Path, wanted: object = None) -> FakeWorkbook:
        wb = FakeWorkbook(path, book().sheets())
        read = wb.sheet

        def sheet(name: str) -> RawSheet | None:
            if name == COMPANIES:
                raise FileProblem("file-too-large", "Arket er for stort.")
            return read(name)

        wb.sheet = sheet  # type: ignore[method-assign]
        return wb

    monkeypatch.setattr(one_workbook, "open_workbook", fake_open)
    sub = validate_file(tmp_path / "a.xlsx", CONFIG, YEAR, "a.xlsx")
    assert (sub.office_id, sub.year, codes(sub)) == ("we-build-denmark", YEAR, ["file-too-large"])
    assert sub.indicators and not sub.valid


def test_file_year_used_for_contract_and_dates(
    books: dict[str, Book | Exception], tmp_path: Path
) -> None:
    """A 2023 file checked for 2022: year-mismatch, but rows are checked against 2023."""
    path = place(
        tmp_path,
        books,
        "a.xlsx",
        book(
            year=2023,
            indicators=contract_rows(CONFIG, "we-build-denmark", 2023),
            companies=[company(date=dt.date(2023, 5, 1))],
        ),
    )
    sub = validate_file(path, CONFIG, YEAR, "a.xlsx")
    assert codes(sub) == ["year-mismatch"]
    assert sub.year == 2023


def test_findings_sorted(books: dict[str, Book | Exception], tmp_path: Path) -> None:
    path = place(
        tmp_path,
        books,
        "a.xlsx",
        book(year=None, companies=[company(cvr="1"), company(sme="?", municipality="Greve")]),
    )
    findings = list(validate_file(path, CONFIG, YEAR, "a.xlsx").findings)
    assert findings == sorted(findings, key=Finding.sort_key)
    assert [f.code for f in findings][:1] == ["year-missing"]


def test_submission_duplicate(books: dict[str, Book | Exception], tmp_path: Path) -> None:
    """Two files for one office and year: each gets an error naming both files."""
    folder = tmp_path / "2022"
    place(folder, books, "wbd-1.xlsx", book())
    place(folder, books, "wbd-2.xlsx", book())
    place(folder, books, "foedevarer.xlsx", book("foedevarer"))
    result = validate_paths([folder], CONFIG, YEAR)
    by_name = {s.path.name: s for s in result.submissions}
    for name in ("wbd-1.xlsx", "wbd-2.xlsx"):
        f = only([f for f in by_name[name].findings if f.code == "submission-duplicate"])
        assert (f.severity, f.file, f.value) == (
            "error",
            str(Path("2022") / name),
            "we-build-denmark",
        )
        assert "wbd-1.xlsx" in f.message and "wbd-2.xlsx" in f.message
    assert by_name["foedevarer.xlsx"].valid
    assert result.findings == ()  # not a year folder: nothing is reported missing


def test_submission_missing(books: dict[str, Book | Exception], tmp_path: Path) -> None:
    """A year folder: every office active in the year without a file is reported."""
    folder = tmp_path / "indberetninger" / "2022"
    place(folder, books, "wbd.xlsx", book())
    place(folder, books, "clean.xlsx", book("miljoeteknologi"))
    result = validate_paths([folder], CONFIG, YEAR, whole_year=True)
    missing = sorted(result.findings, key=lambda f: f.value or "")
    assert [(f.code, f.severity, f.value) for f in missing] == [
        ("submission-missing", "error", "bio-solutions"),
        ("submission-missing", "error", "foedevarer"),
    ]
    assert missing[0].file == str(Path("indberetninger") / "2022")
    assert "Danish Life Science Cluster (bio-solutions) for 2022" in missing[0].message
    assert result.errors == 2


def test_file_for_other_year_does_not_count_as_present(
    books: dict[str, Book | Exception], tmp_path: Path
) -> None:
    folder = tmp_path / "2022"
    place(
        folder,
        books,
        "wbd.xlsx",
        book(year=2021, indicators=contract_rows(CONFIG, "we-build-denmark", 2021)),
    )
    result = validate_paths([folder], CONFIG, YEAR, whole_year=True)
    assert "we-build-denmark" in {f.value for f in result.findings}


def test_progress_reports_each_file(books: dict[str, Book | Exception], tmp_path: Path) -> None:
    place(tmp_path / "m", books, "a.xlsx", book())
    place(tmp_path / "m", books, "b.xlsx", book("foedevarer"))
    calls: list[tuple[int, int, str]] = []

    def progress(done: int, total: int, name: str) -> None:
        calls.append((done, total, name))

    validate_paths([tmp_path / "m"], CONFIG, YEAR, progress=progress)
    assert calls == [(0, 2, "a.xlsx"), (1, 2, "b.xlsx"), (2, 2, "")]


def test_validate_checks_two_files_at_a_time_and_reports_them_in_order(
    books: dict[str, Book | Exception], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """validate (no rows kept) reads a second file while the first is checked; findings,
    progress and submissions still come in the files' order, and the cycle collector, paused
    while workbooks are checked, runs again afterwards."""
    monkeypatch.setattr(checking, "_cores", lambda: 2)
    names = ["a.xlsx", "b.xlsx", "c.xlsx"]
    for name, office in zip(
        names, ["we-build-denmark", "foedevarer", "bio-solutions"], strict=True
    ):
        place(tmp_path / "m", books, name, book(office, companies=[company(cvr="1234")]))
    both = threading.Barrier(2, timeout=10)
    collector: list[bool] = []
    plain_open = one_workbook.open_workbook

    def open_two_together(path: Path, wanted: object = None) -> FakeWorkbook:
        collector.append(gc.isenabled())
        if path.name in ("a.xlsx", "b.xlsx"):
            both.wait()  # a and b are open at the same time, or this breaks
        return cast(FakeWorkbook, plain_open(path, wanted))

    monkeypatch.setattr(one_workbook, "open_workbook", open_two_together)
    calls: list[tuple[int, int, str]] = []
    result = validate_paths(
        [tmp_path / "m"],
        CONFIG,
        YEAR,
        progress=lambda done, total, name: calls.append((done, total, name)),
        keep_rows=False,
    )
    assert calls == [(0, 3, "a.xlsx"), (1, 3, "b.xlsx"), (2, 3, "c.xlsx"), (3, 3, "")]
    assert [s.path.name for s in result.submissions] == names
    assert [s.office_id for s in result.submissions] == [
        "we-build-denmark",
        "foedevarer",
        "bio-solutions",
    ]
    assert all("cvr-invalid" in codes(s) for s in result.submissions)
    assert collector == [False, False, False]
    assert gc.isenabled()


@pytest.mark.parametrize(
    ("keep_rows", "size"),
    [(True, 10), (False, checking.PARALLEL_MAX_BYTES + 1)],
    ids=["rows kept (generate)", "a large file"],
)
def test_files_are_checked_one_at_a_time_where_memory_counts(
    books: dict[str, Book | Exception],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    keep_rows: bool,
    size: int,
) -> None:
    """generate keeps every company row, and a large file holds a large sheet: one file at a
    time then, in the calling thread, so that two sheets are never held at once."""
    monkeypatch.setattr(checking, "_cores", lambda: 2)

    class NoThreads:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise AssertionError("files checked in threads")

    monkeypatch.setattr(checking, "ThreadPoolExecutor", NoThreads)
    for name in ("a.xlsx", "b.xlsx"):
        place(tmp_path / "m", books, name, book()).write_bytes(b"x" * size)
    result = validate_paths([tmp_path / "m"], CONFIG, YEAR, keep_rows=keep_rows)
    assert [s.path.name for s in result.submissions] == ["a.xlsx", "b.xlsx"]
    assert all("file-unreadable" not in codes(s) for s in result.submissions)


def test_folder_with_csv_lock_and_hidden_files(
    books: dict[str, Book | Exception], tmp_path: Path
) -> None:
    """Other formats are reported, lock and hidden files skipped, sub-folders walked."""
    folder = tmp_path / "2022"
    place(folder, books, "wbd.xlsx", book())
    place(folder / "sendt", books, "foedevarer.XLSX", book("foedevarer"))
    (folder / "data.csv").write_text("a;b\n")
    (folder / "~$wbd.xlsx").write_bytes(b"lock")
    (folder / ".skjult.xlsx").write_bytes(b"")
    (folder / ".git").mkdir()
    (folder / ".git" / "x.xlsx").write_bytes(b"")
    files, rejected = collect_files([folder])
    assert [p.name for p in files] == ["foedevarer.XLSX", "wbd.xlsx"] or sorted(
        p.name for p in files
    ) == ["foedevarer.XLSX", "wbd.xlsx"]
    assert [s.path.name for s in rejected] == ["data.csv"]
    f = rejected[0].findings[0]
    assert (f.code, f.severity, f.file) == (
        "file-unsupported",
        "error",
        str(Path("2022") / "data.csv"),
    )
    assert "Filtypen .csv kan ikke læses" in f.message

    result = validate_paths([folder], CONFIG, YEAR)
    assert [s.path.name for s in result.submissions] == ["data.csv", "foedevarer.XLSX", "wbd.xlsx"]
    assert result.errors == 1


def test_numbers_file_reported(tmp_path: Path) -> None:
    (tmp_path / "rapport.numbers").mkdir()  # a Numbers document can be a folder on macOS
    (tmp_path / "rapport.numbers" / "Index.zip").write_bytes(b"")
    files, rejected = collect_files([tmp_path])
    assert files == [] and [s.path.name for s in rejected] == ["rapport.numbers"]
    assert "Eksportér den fra Numbers" in rejected[0].findings[0].message


def test_same_file_twice_is_checked_once(
    books: dict[str, Book | Exception], tmp_path: Path
) -> None:
    path = place(tmp_path / "m", books, "a.xlsx", book())
    files, _ = collect_files([tmp_path / "m", path])
    assert files == [tmp_path / "m" / "a.xlsx"]


def test_explicit_unsupported_file(tmp_path: Path) -> None:
    (tmp_path / "tal.csv").write_text("x")
    files, rejected = collect_files([tmp_path / "tal.csv"])
    assert files == [] and rejected[0].findings[0].code == "file-unsupported"


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KlyngeError, match="findes ikke"):
        collect_files([tmp_path / "nej"])


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


# --- end to end, through real .xlsx files ---------------------------------------------------


def test_real_clean_workbook(tmp_path: Path) -> None:
    """Numbers come back from the file as floats and dates as dates; nothing to report."""
    path = book().save(tmp_path / "wbd.xlsx")
    sub = validate_file(path, CONFIG, YEAR, "wbd.xlsx")
    assert sub.findings == ()
    assert [(c.row, c.cvr, c.date) for c in sub.companies] == [
        (2, "29189625", dt.date(2022, 3, 1)),
        (3, "29189374", dt.date(2022, 9, 1)),
    ]
    assert {r.id: r.result for r in sub.indicators}["PROJ"] == 10


def test_real_workbook_with_findings(tmp_path: Path) -> None:
    path = book(
        companies=[
            company(cvr=13585627),
            company(date="01-03-2022", sme="ja"),
            company(municipality="Greve", date=dt.datetime(2022, 4, 1, 9, 30)),
        ],
        names={INDICATORS: "INDIKATORER"},
    ).save(tmp_path / "wbd.xlsx")
    sub = validate_file(path, CONFIG, YEAR, "wbd.xlsx")
    assert [(f.code, f.sheet, f.cell) for f in sub.findings] == [
        ("cvr-checksum", "Virksomheder", "A2"),
        ("date-as-text", "Virksomheder", "F3"),
        ("municipality-outside", "Virksomheder", "C4"),
    ]
    assert [c.row for c in sub.companies] == [3, 4]


def test_real_title_rows_and_column_order(tmp_path: Path) -> None:
    headers = ("Aktivitet", "Dato", "CVR-nummer", "Note", "Kommune", "SMV", "Virksomhedsnavn")
    path = book(company_headers=headers, title_rows=3, companies=[company(cvr="1234")]).save(
        tmp_path / "wbd.xlsx"
    )
    f = only(list(validate_file(path, CONFIG, YEAR, "wbd.xlsx").findings))
    assert (f.code, f.cell) == ("cvr-invalid", "C5")


def test_real_formula_without_value(tmp_path: Path) -> None:
    """openpyxl writes formulas without a calculated value, as a file never opened in Excel."""
    rows = contract_rows(CONFIG, "we-build-denmark", YEAR)
    for row in rows:
        if row["ID"] == "PROJ":
            row["Resultat"] = "=2+3"
    path = book(indicators=rows).save(tmp_path / "wbd.xlsx")
    f = only(list(validate_file(path, CONFIG, YEAR, "wbd.xlsx").findings))
    assert (f.code, f.sheet, f.cell) == ("formula-no-value", "Indikatorer", "E6")
    assert "Åbn og gem filen i Excel" in f.message


def test_real_year_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A year folder with a duplicate, a corrupt file, a CSV, a lock file and a hidden file."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "indberetninger" / "2022"
    folder.mkdir(parents=True)
    book().save(folder / "we-build-denmark-2022.xlsx")
    book().save(folder / "we-build-denmark-2022 (2).xlsx")
    book("foedevarer").save(folder / "foedevarer-2022.xlsx")
    (folder / "bio-solutions-2022.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "noter.csv").write_text("a;b\n", encoding="utf-8")
    (folder / "~$foedevarer-2022.xlsx").write_bytes(b"\x00lock")
    (folder / ".DS_Store").write_bytes(b"\x00")

    result = validate_paths([folder], CONFIG, YEAR, whole_year=True)
    found = {s.path.name: sorted({f.code for f in s.findings}) for s in result.submissions}
    assert found == {
        "bio-solutions-2022.xlsx": ["file-unreadable"],
        # Food & Bio Cluster Denmark has national targets: without the sheet, a warning.
        "foedevarer-2022.xlsx": ["sheet-missing"],
        "noter.csv": ["file-unsupported"],
        "we-build-denmark-2022 (2).xlsx": ["submission-duplicate"],
        "we-build-denmark-2022.xlsx": ["submission-duplicate"],
    }
    # The corrupt file is named after bio-solutions: that office sent a broken file, it is not
    # missing (the report shows its submission with errors).
    broken = next(s for s in result.submissions if s.path.name == "bio-solutions-2022.xlsx")
    assert (broken.office_id, broken.year) == ("bio-solutions", 2022)
    assert sorted((f.code, f.value) for f in result.findings) == [
        ("submission-missing", "miljoeteknologi")
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bio-solutions-2022.xlsx", ("bio-solutions", 2022)),
        ("Bio-Solutions-2021 rettet.xlsx", ("bio-solutions", 2021)),
        ("we-build-denmark.xlsx", ("we-build-denmark", 2022)),
        ("indberetning.xlsx", (None, None)),
        ("bio-solutionsX-2022.xlsx", (None, None)),
    ],
)
def test_office_from_name(name: str, expected: tuple[str | None, int | None]) -> None:
    from klyngerapport.validation.workbook import office_from_name

    assert office_from_name(Path(name), CONFIG, YEAR) == expected


def test_validate_without_keeping_rows(tmp_path: Path) -> None:
    path = book().save(tmp_path / "wbd.xlsx")
    result = validate_paths([path], CONFIG, YEAR, keep_rows=False)
    (sub,) = result.submissions
    assert sub.valid and sub.companies == () and len(sub.indicators) == 7
