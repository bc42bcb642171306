"""What a file seems to be from its first bytes, so a mislabelled file gets one clear error.

A ``.xlsx`` that is really a CSV, a ``.csv`` that is an image, a ``.zip`` that is not a zip, a
``.geojson`` that is not JSON: :func:`check_input_file` compares what the name claims with what
the bytes hold and says both ("report.csv is not a CSV text file: it seems to be a PNG image"),
and checks any zip (``.xlsx`` included) with :func:`geo.io.zips.check_zip`. Every reader of a
user's file calls it before reading. Suffixes it knows nothing about are left to their readers.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Final

from geo.errors import InputFileError
from geo.io.zips import check_zip

__all__ = ["check_input_file", "seems_to_be"]

#: How many bytes are looked at.
_HEAD: Final = 65_536

#: Leading bytes of kinds of file users mix up, and what to call each.
_MAGIC: Final[tuple[tuple[bytes, str], ...]] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel (.xls) or Word (.doc) file"),
    (b"SQLite format 3\x00", "a SQLite database (a GeoPackage or MBTiles file)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x00\x00\x27\x0a", "a shapefile's .shp part"),
    (b"fgb\x03", "a FlatGeobuf file"),
)
_ZIP_MAGIC: Final = (b"PK\x03\x04", b"PK\x05\x06")
_TEXT_BOMS: Final = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")

_TEXT_SUFFIXES: Final = frozenset({".csv", ".txt", ".tsv"})
_WORKBOOK_SUFFIXES: Final = frozenset({".xlsx", ".xlsm"})
_ZIP_SUFFIXES: Final = frozenset({".zip", ".kmz"})
_JSON_SUFFIXES: Final = frozenset({".geojson", ".json", ".topojson"})
#: Suffixes whose files start with fixed bytes (the reader checks the rest).
_MAGIC_SUFFIXES: Final = {
    ".gpkg": (b"SQLite format 3\x00", "a GeoPackage"),
    ".shp": (b"\x00\x00\x27\x0a", "a shapefile"),
    ".fgb": (b"fgb\x03", "a FlatGeobuf file"),
}


def seems_to_be(head: bytes, *, path: Path | None = None) -> str:
    """What a file starting with ``head`` seems to be, in words ("a PNG image", "text").

    ``path``, when given, lets a zip be told apart as an Excel workbook or a Word document.

    Examples
    --------
    >>> seems_to_be(b"\\x89PNG\\r\\n\\x1a\\n...."), seems_to_be(b"Date,Place\\n")
    ('a PNG image', 'CSV or other text')
    >>> seems_to_be(b'  {"type": "FeatureCollection"'), seems_to_be(b"\\x00\\x01\\x02")
    ('JSON text', 'binary data')
    """
    for magic, words in _MAGIC:
        if head.startswith(magic):
            return words
    if head.startswith(_ZIP_MAGIC):
        return _zip_kind(path) if path is not None else "a zip archive"
    if _is_binary(head):
        return "binary data"
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n").lower()
    if text.startswith(("{", "[")):
        return "JSON text"
    if text.startswith(("<!doctype html", "<html")):
        return "a web page (HTML)"
    if text.startswith("<"):
        return "XML text"
    return "CSV or other text" if text else "an empty file"


def check_input_file(path: str | Path, *, source: str | None = None) -> None:
    """Refuse a file whose bytes are not the kind its suffix claims, or an unsafe zip.

    A missing file or a folder is left to its reader to refuse.

    Raises
    ------
    InputFileError
        The file is not what its name says (the message names it and what it seems to be),
        or it is a zip :func:`~geo.io.zips.check_zip` refuses.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        return
    with path.open("rb") as handle:
        head = handle.read(_HEAD)
    name = source or path.name
    if head.startswith(_ZIP_MAGIC) or zipfile.is_zipfile(path):  # data before a zip's start
        check_zip(path, source=name)  # from its directory, before anything reads a member
    claimed: str | None = None
    if suffix in _TEXT_SUFFIXES:
        utf16 = head.startswith(_TEXT_BOMS[1:])
        if not utf16 and (_is_binary(head) or any(head.startswith(m) for m, _ in _MAGIC)):
            claimed = "a CSV text file"
    elif suffix in _WORKBOOK_SUFFIXES:
        if not head.startswith(_ZIP_MAGIC) or _zip_kind(path) != "an Excel workbook (.xlsx)":
            claimed = "an Excel workbook"
    elif suffix in _ZIP_SUFFIXES:
        if not zipfile.is_zipfile(path):
            claimed = "a zip archive"
    elif suffix in _JSON_SUFFIXES:
        if seems_to_be(head) != "JSON text":
            claimed = "JSON (GeoJSON)"
    elif suffix in _MAGIC_SUFFIXES:
        magic, words = _MAGIC_SUFFIXES[suffix]
        if not head.startswith(magic):
            claimed = words
    if claimed is not None:
        raise InputFileError(
            f"{name} is not {claimed}: it seems to be {seems_to_be(head, path=path)};"
            f" {_FIXES.get(claimed, 'export it again from the program that made it')}"
        )


#: What to do about a file that is not what it claims, by what it claims to be.
_FIXES: Final = {
    "a CSV text file": "save it as CSV UTF-8 (a workbook: give it its .xlsx name)",
    "an Excel workbook": "open it in Excel and save it as .xlsx, or give the CSV its .csv name",
    "a zip archive": "download it again, or give the file it should hold",
    "JSON (GeoJSON)": "export the layer again as GeoJSON",
}


def _is_binary(head: bytes) -> bool:
    """Whether bytes hold NUL or many control characters (text never does, bar UTF-16)."""
    if head.startswith(_TEXT_BOMS[1:]):
        return False
    if b"\x00" in head:
        return True
    controls = sum(head.count(bytes([c])) for c in (*range(1, 9), 14, 15, *range(16, 27)))
    return bool(head) and controls > len(head) // 10


def _zip_kind(path: Path) -> str:
    """A zip told apart by its directory: an Excel workbook, a Word document, or a zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return "a damaged zip archive"
    if "xl/workbook.xml" in names:
        return "an Excel workbook (.xlsx)"
    if "word/document.xml" in names:
        return "a Word document (.docx)"
    if "content.xml" in names and "mimetype" in names:
        return "an OpenDocument file (.ods or .odt)"
    return "a zip archive"
