"""Finding the parts of an Open XML package the way its relationships say, not by assumed names.

A workbook package says where its parts are: `_rels/.rels` points to the office document (usually
`xl/workbook.xml`, or `xl/workbook.bin` in an .xlsb), the document's own relationships point to
its sheets. Part names are matched case-insensitively (zip tools and other producers change case),
and both transitional and Strict Open XML namespaces are understood (Strict uses
http://purl.oclc.org/ooxml/... instead of http://schemas.openxmlformats.org/...).
"""

from __future__ import annotations

import posixpath
import struct
import zipfile
from dataclasses import dataclass
from typing import Literal
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from klyngerapport.reading import problems

MAX_PACKAGE_PART = 20_000_000  # bytes of a workbook part or relationships part, read in one go

OfficeKind = Literal["workbook-xml", "workbook-bin", "word", "powerpoint", "other"]


def local(tag: str) -> str:
    """'{namespace}sheet' -> 'sheet'."""
    return tag.rpartition("}")[2]


def members(archive: zipfile.ZipFile) -> dict[str, str]:
    """Lower-cased member name -> the name as stored (the first one wins)."""
    out: dict[str, str] = {}
    for name in archive.namelist():
        out.setdefault(name.lower(), name)
    return out


def read_part(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > MAX_PACKAGE_PART:
        raise problems.unpacks_too_large(f'delen "{name}" er usædvanlig stor')
    return archive.read(info)


def parse_xml(data: bytes) -> Element:
    root: Element = ElementTree.fromstring(data, forbid_dtd=True)
    return root


def relationships(archive: zipfile.ZipFile, names: dict[str, str], part: str) -> list[Element]:
    """The <Relationship> elements of `part` ('' for the package), [] when it has none."""
    folder, file = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{file}.rels")
    actual = names.get(rels.lower())
    if actual is None:
        return []
    return [
        e for e in parse_xml(read_part(archive, actual)).iter() if local(e.tag) == "Relationship"
    ]


def resolve(source: str, target: str) -> str:
    """A relationship target as a part name, relative to the part `source` that holds it."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def office_document(archive: zipfile.ZipFile, names: dict[str, str]) -> str | None:
    """The stored name of the package's main part, from `_rels/.rels`, else by the usual names
    (also when `_rels/.rels` is damaged: the reader may still manage)."""
    try:
        package_rels = relationships(archive, names, "")
    except (SyntaxError, ValueError):  # ParseError is a SyntaxError; DTDForbidden a ValueError
        package_rels = []
    for rel in package_rels:
        if (
            rel.get("Type", "").rsplit("/", 1)[-1] == "officeDocument"
            and rel.get("TargetMode") != "External"
        ):
            actual = names.get(resolve("", rel.get("Target", "")).lower())
            if actual is not None:
                return actual
    for usual in ("xl/workbook.xml", "xl/workbook.bin"):
        if usual in names:
            return names[usual]
    return None


def office_kind(archive: zipfile.ZipFile, names: dict[str, str]) -> OfficeKind:
    """What the package's main part is: a workbook (XML or binary), or another office document."""
    part = office_document(archive, names)
    if part is None:
        if any(n.startswith("word/") for n in names):
            return "word"
        if any(n.startswith("ppt/") for n in names):
            return "powerpoint"
        return "other"
    if part.lower().endswith(".bin"):
        return "workbook-bin"
    with archive.open(part) as f:
        head = f.read(4096)
    for root, kind in (
        (b"workbook", "workbook-xml"),
        (b"document", "word"),
        (b"presentation", "powerpoint"),
    ):
        if _root_is(head, root):
            return kind  # type: ignore[return-value]
    return "other"


def _root_is(head: bytes, name: bytes) -> bool:
    """True when the first element of the XML in `head` is `name` (with or without a prefix)."""
    text = head.decode("utf-8", "replace") if not head.startswith(b"\xff\xfe") else ""
    if not text:
        text = head.decode("utf-16", "replace")
    at = 0
    while True:
        at = text.find("<", at)
        if at < 0 or at + 1 >= len(text):
            return False
        if text[at + 1] in "?!":
            at += 1
            continue
        tag = text[at + 1 :].split(None, 1)[0].split(">", 1)[0].split("/", 1)[0]
        return tag.rpartition(":")[2] == name.decode()


@dataclass(frozen=True)
class SheetPart:
    name: str  # the sheet's name in the workbook
    part: str  # the zip member holding it, as stored


def sheet_parts(archive: zipfile.ZipFile) -> list[SheetPart]:
    """The workbook's sheets in order, each with its zip member, for .xlsx/.xlsm and .xlsb."""
    names = members(archive)
    workbook = office_document(archive, names)
    if workbook is None:
        raise problems.unreadable("Projektmappens oversigt over ark (workbook) findes ikke.")
    targets = {
        rel.get("Id", ""): resolve(workbook, rel.get("Target", ""))
        for rel in relationships(archive, names, workbook)
    }
    found: list[SheetPart] = []
    for name, rel_id in _sheet_entries(read_part(archive, workbook), workbook):
        actual = names.get(targets.get(rel_id, "").lower())
        if actual is not None:
            found.append(SheetPart(name, actual))
    return found


def _sheet_entries(data: bytes, part: str) -> list[tuple[str, str]]:
    """(sheet name, relationship id) from workbook.xml (any namespace) or workbook.bin."""
    if part.lower().endswith(".bin"):
        return _bin_sheet_entries(data)
    out = []
    for element in parse_xml(data).iter():
        if local(element.tag) != "sheet":
            continue
        name = element.get("name")
        rel_id = next((v for k, v in element.attrib.items() if local(k) == "id"), None)
        if name is not None and rel_id is not None:
            out.append((name, rel_id))
    return out


# --- .xlsb records -------------------------------------------------------------------------------

BRT_BUNDLE_SH = 0x009C
BRT_END_BUNDLE_SHS = 0x0090
BRT_WB_PROP = 0x0099


def records(data: bytes, start: int = 0) -> list[tuple[int, int, int]]:
    """(type, offset of the data, length) of every record of an .xlsb part held in memory, up
    to the first that is cut off."""
    out = []
    at, n = start, len(data)
    while at < n:
        try:
            typ, at = _varint(data, at, 2)
            size, at = _varint(data, at, 4)
        except ValueError:
            break
        if at + size > n:
            break
        out.append((typ, at, size))
        at += size
    return out


def _varint(data: bytes, at: int, most: int) -> tuple[int, int]:
    """An .xlsb record type (up to 2 bytes) or size (up to 4 bytes): 7 bits a byte, low bits
    first, the high bit saying another byte follows."""
    value = shift = 0
    for _ in range(most):
        if at >= len(data):
            raise ValueError("record cut off")
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return value, at


def wide_string(data: bytes, at: int) -> tuple[str, int]:
    """An XLWideString (u32 length in characters, UTF-16LE) and the offset after it."""
    (count,) = struct.unpack_from("<I", data, at)
    at += 4
    if count == 0xFFFFFFFF:  # an XLNullableWideString that is null
        return "", at
    end = at + 2 * count
    if end > len(data):
        raise ValueError("string cut off")
    return data[at:end].decode("utf-16-le", "replace"), end


def _bin_sheet_entries(data: bytes) -> list[tuple[str, str]]:
    """(sheet name, relationship id) of every BrtBundleSh record readable in workbook.bin."""
    out = []
    try:
        for typ, at, size in records(data):
            if typ == BRT_BUNDLE_SH and size >= 12:
                rel_id, after = wide_string(data, at + 8)
                name, _ = wide_string(data, after)
                out.append((name, rel_id))
            elif typ == BRT_END_BUNDLE_SHS:
                break
    except (ValueError, struct.error):
        pass  # a damaged record: the sheets before it are known, a later one "cannot be found"
    return out


def uses_1904(archive: zipfile.ZipFile) -> bool:
    """Whether the workbook (.xlsx or .xlsb) says it counts dates from 1904."""
    names = members(archive)
    part = office_document(archive, names)
    if part is None:
        return False
    data = read_part(archive, part)
    if part.lower().endswith(".bin"):
        return bin_uses_1904(data)
    for element in parse_xml(data).iter():
        if local(element.tag) == "workbookPr":
            return element.get("date1904", "").strip().lower() in ("1", "true", "on")
    return False


def bin_uses_1904(data: bytes) -> bool:
    """Whether an .xlsb workbook.bin says the workbook uses the 1904 date system."""
    for typ, at, size in records(data):
        if typ == BRT_WB_PROP and size >= 4:
            return bool(data[at] & 0x01)
        if typ == BRT_BUNDLE_SH:
            break
    return False
