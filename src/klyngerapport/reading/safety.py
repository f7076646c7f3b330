"""Checks that run before any spreadsheet library sees a file.

A submitted file is untrusted input. Everything here looks only at bounded amounts of it: the file
size, its first bytes, the zip central directory and the first bytes of each zip member, so a
hostile file is refused within milliseconds and with little memory. Files are opened read-only.
"""

from __future__ import annotations

import codecs
import mmap
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Literal

from klyngerapport.reading import package, problems
from klyngerapport.reading.sheet import FileProblem

Format = Literal["xlsx", "xlsb", "ods", "xls"]

# Which format each accepted extension promises; the bytes decide what is actually read.
SUFFIX_FORMATS: dict[str, Format] = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xlsb": "xlsb",
    ".xls": "xls",
    ".ods": "ods",
}

MAX_FILE_SIZE = 50_000_000  # bytes on disk; a submission is usually well under 1 MB
MAX_UNCOMPRESSED = 200_000_000  # bytes, all zip members together
MAX_MEMBERS = 2_000  # zip members; a workbook has a few dozen, one per sheet, image, ...
MAX_RATIO = 100  # uncompressed / compressed, refused for members larger than RATIO_FROM
RATIO_FROM = 10_000_000
MAX_CENTRAL_DIRECTORY = 1_000_000  # bytes; read before zipfile builds one object per member
MAX_CELLS = 5_000_000  # grid cells calamine may allocate for one sheet (about 32 bytes each)
PROLOGUE_LIMIT = 64 * 1024  # bytes of an XML member read to find its root element

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EOCD = b"PK\x05\x06"

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def is_skipped(path: Path) -> bool:
    """True for files a folder walk passes over silently: lock files and hidden files.

    `~$name.xlsx` is Excel's lock file, `.~lock.name.xlsx#` LibreOffice's; names starting with a
    dot are hidden on macOS and Linux. Thumbs.db and desktop.ini are hidden system files that
    Windows Explorer leaves in folders.
    """
    name = path.name
    return name.startswith(("~$", ".")) or name.casefold() in ("thumbs.db", "desktop.ini")


def sniff(path: Path) -> Format:
    """The format to read `path` as, or FileProblem when it must not be read at all."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIX_FORMATS:
        raise problems.unsupported(suffix)
    try:
        return _sniff(path)
    except FileNotFoundError:
        raise problems.unreadable("Filen findes ikke.", "Tjek stien.") from None
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise problems.unreadable(
            f"Filen kan ikke åbnes ({reason}).", "Tjek at du har adgang til den."
        ) from None


def _sniff(path: Path) -> Format:
    size = path.stat().st_size
    if not path.is_file():
        raise problems.unreadable("Stien er ikke en fil.", "Angiv selve regnearksfilen.")
    if size == 0:
        raise problems.unreadable("Filen er tom (0 byte).", "Send den udfyldte projektmappe igen.")
    if size > MAX_FILE_SIZE:
        raise problems.file_too_large(size, MAX_FILE_SIZE)
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(ZIP_MAGIC):
        return _check_zip(path)
    if head.startswith(OLE_MAGIC):
        return _check_ole(path)
    raise _not_a_spreadsheet(path)


# --- zip packages: .xlsx, .xlsm, .ods ---------------------------------------------------------


def _check_zip(path: Path) -> Format:
    _check_central_directory_size(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_sizes(members)
            fmt = _zip_format(archive, members)
            for info in members:
                _check_member_prologue(archive, info)
    except FileProblem:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError) as exc:
        raise problems.unreadable(
            f"Filen er beskadiget eller ufuldstændig (zip-arkivet kan ikke læses: {exc})."
        ) from None
    except NotImplementedError:
        raise problems.unreadable(
            "Filen er pakket med en komprimeringsmetode, som ikke understøttes."
        ) from None
    return fmt


def _check_central_directory_size(path: Path) -> None:
    """Refuse a zip whose directory is huge before zipfile turns every entry into an object."""
    with path.open("rb") as f:
        f.seek(0, 2)
        size = f.tell()
        tail_size = min(size, 22 + 65_535)  # end record plus the longest possible comment
        f.seek(size - tail_size)
        tail = f.read(tail_size)
    at = tail.rfind(_EOCD)
    if at < 0 or at + 22 > len(tail):
        raise problems.unreadable(
            "Filen er beskadiget eller ufuldstændig (zip-arkivets indholdsfortegnelse mangler; "
            "filen er måske ikke overført helt)."
        )
    entries, directory_size = struct.unpack_from("<HI", tail, at + 10)
    # 0xFFFF / 0xFFFFFFFF mean "see the zip64 record": only archives far beyond a workbook's size.
    if entries > MAX_MEMBERS or directory_size > MAX_CENTRAL_DIRECTORY:
        raise problems.unpacks_too_large("zip-arkivet har en usædvanlig stor indholdsfortegnelse")


def _check_sizes(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise problems.unpacks_too_large(f"den består af {problems.count_text(len(members))} dele")
    total = sum(info.file_size for info in members)
    if total > MAX_UNCOMPRESSED:
        raise problems.unpacks_too_large(
            f"den pakker sig ud til {problems.megabytes(total)} "
            f"(grænsen er {problems.megabytes(MAX_UNCOMPRESSED)})"
        )
    for info in members:
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise problems.unpacks_too_large(
                f'delen "{info.filename}" pakker sig ud til {problems.megabytes(info.file_size)} '
                f"fra {problems.megabytes(info.compress_size)}"
            )
        if info.flag_bits & 0x1:
            raise problems.encrypted()


def _zip_format(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> Format:
    names = package.members(archive)
    if "mimetype" in names:
        with archive.open(names["mimetype"]) as f:
            mimetype = f.read(100).strip()
        if mimetype == ODS_MIMETYPE:
            if _ods_encrypted(archive, names):
                raise problems.encrypted()
            return "ods"
        raise problems.unreadable(
            "Filen er et OpenDocument-dokument, men ikke et regneark (måske et tekstdokument)."
        )
    # The package's relationships say where its main part is and what it is.
    kind = package.office_kind(archive, names)
    if kind == "workbook-xml":
        return "xlsx"
    if kind == "workbook-bin":
        return "xlsb"
    if kind == "word":
        what = "Filen er et Word-dokument, ikke et regneark."
    elif kind == "powerpoint":
        what = "Filen er en PowerPoint-præsentation, ikke et regneark."
    else:
        what = "Filen er et zip-arkiv, men ikke et regneark."
    raise problems.unreadable(what, "Send den udfyldte Excel-projektmappe (.xlsx).")


def _ods_encrypted(archive: zipfile.ZipFile, names: dict[str, str]) -> bool:
    """An .ods saved with a password lists how each part is encrypted in its manifest."""
    manifest = names.get("meta-inf/manifest.xml")
    if manifest is None:
        return False
    return b"encryption-data" in package.read_part(archive, manifest)


def _check_member_prologue(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Refuse a member that is XML with a document type declaration.

    A DOCTYPE can declare entities that expand exponentially ("billion laughs") or point outside
    the file. No spreadsheet needs one, and it can only stand before the root element, so reading
    the prologue of each member is enough: later parsers never meet one.
    """
    if info.is_dir():
        return
    with archive.open(info) as f:
        head = f.read(1024)
        verdict = xml_prologue(head)
        if verdict == "unfinished" and len(head) == 1024:
            head += f.read(PROLOGUE_LIMIT - len(head))
            verdict = xml_prologue(head)
    if verdict == "dtd" or (verdict == "unfinished" and len(head) >= PROLOGUE_LIMIT):
        raise problems.xml_constructs()


def xml_prologue(head: bytes) -> Literal["ok", "dtd", "unfinished", "not-xml"]:
    """What stands before the root element of the XML document starting with `head`.

    "ok": nothing but an XML declaration, processing instructions, comments and white space;
    "dtd": a markup declaration (<!DOCTYPE ...>); "unfinished": `head` ends inside the prologue;
    "not-xml": `head` does not start like XML (an image, a binary part).
    """
    text = _decode_head(head)
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            return "unfinished"
        if text[i] != "<":
            return "not-xml"
        if text.startswith("<?", i):
            opening, closing = "<?", "?>"
        elif text.startswith("<!--", i):
            opening, closing = "<!--", "-->"
        elif text.startswith("<!", i):
            return "dtd"
        else:
            return "ok" if i + 1 < n else "unfinished"
        end = text.find(closing, i + len(opening))
        if end < 0:
            return "unfinished"
        i = end + len(closing)


def _decode_head(head: bytes) -> str:
    """The start of an XML document as text, so that markup is found in UTF-16 documents too."""
    if head.startswith(codecs.BOM_UTF8):
        return head[3:].decode("utf-8", "replace")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", "replace")
    if head.startswith(b"<\x00"):
        return head.decode("utf-16-le", "replace")
    if head.startswith(b"\x00<"):
        return head.decode("utf-16-be", "replace")
    # Latin-1 maps every byte to one character: markup keeps its position in any ASCII-based
    # encoding, and nothing can fail to decode.
    return head.decode("latin-1")


# --- OLE compound files: .xls, and password-protected .xlsx -----------------------------------


def _check_ole(path: Path) -> Format:
    """Legacy .xls, or an encrypted OOXML package (Office wraps those in an OLE container)."""
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if _ole_has_stream(data, "EncryptedPackage") or _ole_has_stream(data, "EncryptionInfo"):
            raise problems.encrypted()
        if any(_ole_has_stream(data, name) for name in ("Workbook", "Book")):
            return "xls"
    raise problems.unreadable(
        "Filen er et ældre Office-dokument, men ikke en Excel-projektmappe (måske et "
        "Word-dokument).",
        "Send den udfyldte Excel-projektmappe (.xlsx).",
    )


def _ole_has_stream(data: mmap.mmap, name: str) -> bool:
    """True when the OLE directory has an entry called `name` (in any case: "WORKBOOK", "book").

    Directory entries are 128 bytes, start on a 128-byte boundary (sectors are 512 or 4096 bytes)
    and hold the UTF-16LE name with its terminator, the name's byte length at offset 64 and the
    entry type at 66 (1 storage, 2 stream). Checking all of that makes a match inside cell text
    practically impossible, without walking the sector chains.
    """
    # Each letter in either case, in UTF-16LE, then the terminator: one regex, searched in C.
    pattern = re.compile(
        b"".join(
            b"[" + re.escape(c.upper().encode()) + re.escape(c.lower().encode()) + b"]\x00"
            for c in name
        )
        + b"\x00\x00"
    )
    length = struct.pack("<H", 2 * len(name) + 2)
    for match in pattern.finditer(data):
        at = match.start()
        if at % 128 == 0 and data[at + 64 : at + 66] == length and data[at + 66] in (1, 2):
            return True
    return False


# --- anything else ---------------------------------------------------------------------------


def _not_a_spreadsheet(path: Path) -> FileProblem:
    with path.open("rb") as f:
        head = f.read(512)
    lowered = head.lstrip(codecs.BOM_UTF8).lstrip().lower()
    if head.startswith(b"%PDF"):
        what = "Filen er en PDF-fil, ikke et regneark."
        return problems.unreadable(what, "Send selve regnearket (.xlsx), ikke en PDF-udskrift.")
    if lowered.startswith((b"<html", b"<!doctype html", b"<table")) or b"<html" in lowered:
        what = "Filen er en HTML-side med regnearks-endelse (typisk en eksport fra et webprogram)."
    elif lowered.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        what = "Filen er i det gamle XML-regnearksformat fra Excel 2003."
    elif lowered.startswith(b"{\\rtf"):
        what = "Filen er et RTF-dokument, ikke et regneark."
    elif b"\x00" not in head:
        what = "Filen er en tekstfil (måske CSV), ikke et regneark."
    else:
        what = "Filen er ikke et regneark, der kan læses (ukendt filformat)."
    return problems.unreadable(what)
