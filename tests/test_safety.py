"""File safety: what is refused before any spreadsheet library parses a file, and how fast."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import write_raw_ods, write_raw_xlsx
from klyngerapport.reading import safety
from klyngerapport.reading.sheet import FileProblem
from klyngerapport.reading.workbook import open_workbook

Convert = Callable[[Path, str], Path]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def small_xlsx(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Indberetning"
    ws.append(["Klyngekontor", "we-build-denmark"])
    ws.append(["År", 2022])
    wb.save(path)
    return path


def problem(path: Path) -> FileProblem:
    """The FileProblem opening `path` raises (reading every sheet, so no problem can hide)."""
    with pytest.raises(FileProblem) as caught, open_workbook(path) as wb:
        for name in wb.sheet_names:
            wb.sheet(name)
    return caught.value


def refused_quickly(path: Path, code: str, seconds: float = 5.0) -> FileProblem:
    start = time.perf_counter()
    found = problem(path)
    assert found.code == code, found.message
    assert time.perf_counter() - start < seconds
    return found


def test_a_normal_workbook_passes(tmp_path: Path) -> None:
    assert safety.sniff(small_xlsx(tmp_path / "indberetning.xlsx")) == "xlsx"


# --- file types ------------------------------------------------------------------------------


def test_csv_is_unsupported_with_the_way_out(tmp_path: Path) -> None:
    path = tmp_path / "indberetning.csv"
    path.write_text("Klyngekontor;we-build-denmark\n", encoding="utf-8")
    found = problem(path)
    assert found.code == "file-unsupported"
    assert "Gem filen som Excel-projektmappe (.xlsx)" in found.message
    assert ".xlsx, .xlsm, .xlsb eller .xls" in found.message and ".ods" in found.message


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("indberetning.numbers", "Eksportér den fra Numbers"),
        ("indberetning.pdf", "ikke en PDF-udskrift"),
        ("indberetning.txt", "Gem filen som Excel-projektmappe"),
        ("indberetning", "uden filtype"),
    ],
)
def test_other_file_types_are_unsupported(name: str, hint: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(b"whatever")
    found = problem(path)
    assert found.code == "file-unsupported" and hint in found.message


def test_extensions_are_matched_case_insensitively(tmp_path: Path) -> None:
    path = small_xlsx(tmp_path / "INDBERETNING.XLSX")
    with open_workbook(path) as wb:
        assert wb.sheet("indberetning") is not None


@pytest.mark.parametrize(
    "name",
    [
        "~$indberetning.xlsx",
        ".~lock.indberetning.xlsx#",
        ".skjult.xlsx",
        ".DS_Store",
        "Thumbs.db",
        "desktop.ini",
    ],
)
def test_lock_and_hidden_files_are_skipped(name: str) -> None:
    assert safety.is_skipped(Path("indberetninger") / name)


@pytest.mark.parametrize("name", ["indberetning.xlsx", "noter.csv", "a~$b.xlsx"])
def test_ordinary_files_are_not_skipped(name: str) -> None:
    assert not safety.is_skipped(Path(name))


# --- unreadable --------------------------------------------------------------------------------


def test_an_empty_file_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "tom.xlsx"
    path.touch()
    found = problem(path)
    assert found.code == "file-unreadable" and "tom (0 byte)" in found.message


def test_a_truncated_xlsx_is_unreadable(tmp_path: Path) -> None:
    data = small_xlsx(tmp_path / "hel.xlsx").read_bytes()
    path = tmp_path / "halv.xlsx"
    path.write_bytes(data[: len(data) // 2])
    found = problem(path)
    assert found.code == "file-unreadable" and "beskadiget eller ufuldstændig" in found.message


def test_a_corrupt_member_is_unreadable(tmp_path: Path) -> None:
    """The directory is intact but a member's compressed bytes are garbage."""
    path = small_xlsx(tmp_path / "indberetning.xlsx")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/workbook.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start : start + info.compress_size] = b"\xff" * info.compress_size
    path.write_bytes(bytes(data))
    assert problem(path).code == "file-unreadable"


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF-fil"),
        (b"CVR-nummer;Virksomhedsnavn\n29189625;Test\n", "tekstfil"),
        (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "HTML-side"),
        (
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
            "XML-regnearksformat fra Excel 2003",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "ukendt filformat"),
    ],
)
def test_other_content_renamed_to_a_spreadsheet_is_unreadable(
    content: bytes, what: str, tmp_path: Path
) -> None:
    path = tmp_path / "indberetning.xlsx"
    path.write_bytes(content)
    found = problem(path)
    assert found.code == "file-unreadable" and what in found.message


def test_a_word_document_renamed_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "indberetning.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    found = problem(path)
    assert found.code == "file-unreadable" and "Word-dokument" in found.message


def test_a_folder_is_unreadable(tmp_path: Path) -> None:
    folder = tmp_path / "mappe.xlsx"
    folder.mkdir()
    assert problem(folder).code == "file-unreadable"


def test_a_missing_file_is_unreadable(tmp_path: Path) -> None:
    found = problem(tmp_path / "findes-ikke.xlsx")
    assert found.code == "file-unreadable" and "findes ikke" in found.message


# --- encrypted -----------------------------------------------------------------------------------


def encrypt(source: Path, target: Path) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile  # type: ignore[import-untyped]

    out = io.BytesIO()
    with source.open("rb") as f:
        OOXMLFile(f).encrypt("hemmelig", out)
    target.write_bytes(out.getvalue())
    return target


@pytest.mark.parametrize("name", ["beskyttet.xlsx", "beskyttet.xls"])
def test_a_password_protected_workbook_is_encrypted(name: str, tmp_path: Path) -> None:
    """Excel wraps an encrypted .xlsx in an OLE container, whatever the extension says."""
    path = encrypt(small_xlsx(tmp_path / "indberetning.xlsx"), tmp_path / name)
    found = problem(path)
    assert found.code == "file-encrypted"
    assert found.message.startswith(
        "Filen er beskyttet med adgangskode. Fjern adgangskoden "
        "(Filer → Oplysninger → Beskyt projektmappe"
    )


def test_a_password_protected_xls_is_encrypted(tmp_path: Path, libreoffice: Convert) -> None:
    """A legacy .xls announces its encryption with a FILEPASS record (0x002F)."""
    xls = libreoffice(small_xlsx(tmp_path / "indberetning.xlsx"), "xls")
    data = bytearray(xls.read_bytes())
    # Turn a two-byte record of the workbook globals into FILEPASS; calamine stops at it.
    for record in (
        b"\x9c\x00\x02\x00",
        b"\x19\x00\x02\x00",
        b"\x12\x00\x02\x00",
        b"\x13\x00\x02\x00",
        b"\x40\x00\x02\x00",
        b"\x8d\x00\x02\x00",
    ):
        at = data.find(record)
        if at >= 0:
            data[at : at + 2] = b"\x2f\x00"
            break
    else:
        pytest.skip("no two-byte globals record to turn into FILEPASS")
    path = tmp_path / "beskyttet.xls"
    path.write_bytes(bytes(data))
    found = problem(path)
    assert found.code == "file-encrypted" and "gem den som Excel-projektmappe" in found.message


def test_an_office_97_file_without_a_workbook_is_unreadable(
    tmp_path: Path, libreoffice: Convert
) -> None:
    """An OLE file (a Word 97 .doc, say) named .xls: its directory has no Workbook stream."""
    xls = libreoffice(small_xlsx(tmp_path / "indberetning.xlsx"), "xls")
    data = xls.read_bytes()
    name = "Workbook".encode("utf-16-le")
    assert name in data
    path = tmp_path / "dokument.xls"
    path.write_bytes(data.replace(name, "Document".encode("utf-16-le")))
    found = problem(path)
    assert found.code == "file-unreadable" and "ikke en Excel-projektmappe" in found.message


# --- too large ---------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "stor.xlsx"
    with path.open("wb") as f:
        f.write(b"PK\x03\x04")
        f.truncate(safety.MAX_FILE_SIZE + 1)  # sparse: nothing is written, nothing is read
    found = refused_quickly(path, "file-too-large", seconds=1.0)
    assert "grænsen er 50,0 MB" in found.message


def zip_bomb(path: Path, member_size: int) -> Path:
    """A valid package plus one sheet of `member_size` zeros: small on disk, fast to write."""
    small_xlsx(path)
    zeros = bytes(1 << 20)
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("xl/worksheets/sheet2.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(member_size >> 20):
            member.write(zeros)
    return path


def test_a_zip_bomb_is_refused_from_the_directory(tmp_path: Path) -> None:
    path = zip_bomb(tmp_path / "bombe.xlsx", 300 << 20)
    assert path.stat().st_size < 2_000_000
    found = refused_quickly(path, "file-too-large", seconds=1.0)
    assert "pakker sig ud til 314,6 MB" in found.message and "zip-bombe" in found.message


def test_a_member_that_inflates_too_much_is_refused(tmp_path: Path) -> None:
    """Under the total limit, but one member grows more than 100-fold to over 10 MB."""
    path = zip_bomb(tmp_path / "bombe.xlsx", 20 << 20)
    found = refused_quickly(path, "file-too-large", seconds=1.0)
    assert 'delen "xl/worksheets/sheet2.xml"' in found.message


def test_too_many_members_are_refused(tmp_path: Path) -> None:
    path = small_xlsx(tmp_path / "mange.xlsx")
    with zipfile.ZipFile(path, "a") as archive:
        for i in range(safety.MAX_MEMBERS):
            archive.writestr(f"xl/media/image{i}.png", b"")
    refused_quickly(path, "file-too-large", seconds=1.0)


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + f']><worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
    "&lol9;</t></is></c></row></sheetData></worksheet>"
)


def test_billion_laughs_in_a_sheet_is_refused(tmp_path: Path) -> None:
    path = write_raw_xlsx(tmp_path / "latter.xlsx", {"Ark": BILLION_LAUGHS}, whole_sheet=True)
    found = refused_quickly(path, "file-too-large")
    assert "XML-konstruktioner" in found.message


def test_billion_laughs_in_utf16_after_a_comment_is_refused(tmp_path: Path) -> None:
    sheet = "<!-- <root> -->" + BILLION_LAUGHS.replace('<?xml version="1.0"?>', "")
    path = write_raw_xlsx(tmp_path / "latter.xlsx", {"Ark": sheet}, whole_sheet=True)
    with zipfile.ZipFile(path) as src:
        parts = {info.filename: src.read(info) for info in src.infolist()}
    parts["xl/worksheets/sheet1.xml"] = sheet.encode("utf-16")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    refused_quickly(path, "file-too-large")


def test_an_entity_bomb_in_an_ods_is_refused(tmp_path: Path) -> None:
    content = BILLION_LAUGHS.split("]>")[0] + "]><office:document-content/>"
    path = write_raw_ods(tmp_path / "latter.ods", "", content=content)
    refused_quickly(path, "file-too-large")


def test_an_endless_prologue_is_refused(tmp_path: Path) -> None:
    padding = "<!-- " + "x" * (safety.PROLOGUE_LIMIT + 10) + " -->"
    sheet = padding + f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>'
    path = write_raw_xlsx(tmp_path / "lang.xlsx", {"Ark": sheet}, whole_sheet=True)
    refused_quickly(path, "file-too-large")


@pytest.mark.parametrize(
    ("head", "verdict"),
    [
        (b'<?xml version="1.0"?>\n<worksheet>', "ok"),
        (b"\xef\xbb\xbf<worksheet/>", "ok"),
        (b"<!-- a --><?pi x?>  <root", "ok"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>', "dtd"),
        (b"<!-- <x> --><!DOCTYPE x><x/>", "dtd"),
        (b"<!--> <x> --><!DOCTYPE x><x/>", "dtd"),  # "<!-->" opens a comment, it does not close one
        ("<?xml version='1.0' encoding='utf-16'?><!DOCTYPE x><x/>".encode("utf-16"), "dtd"),
        (b"<!-- never closed", "unfinished"),
        (b"\x89PNG\r\n", "not-xml"),
    ],
)
def test_xml_prologue(head: bytes, verdict: str) -> None:
    assert safety.xml_prologue(head) == verdict
