"""Postcodes as written, and postcode directories as published, read into plain columns.

A directory is ONSPD or NSPL (pre-2025 or 2025+ headers), OS Code-Point Open (one headerless
file per postcode area, or with its long or short header), any CSV with a postcode and lat/long
or easting/northing columns, or a zip of these as published. :func:`read_postcode_file` finds
the columns and returns them as text under canonical names; turning them into positions is
:class:`geo.locate.PostcodeDirectory`'s work.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

import pandas as pd

from geo.errors import GeocodeError, InputFileError
from geo.io.columns import match_headers
from geo.io.file_kinds import check_input_file
from geo.io.text import decode, normalise_header

__all__ = ["PostcodeFile", "compact_postcodes", "normalise_postcode", "read_postcode_file"]

_POSTCODE: Final = r"^(?:GIR|[A-Z]{1,2}[0-9][A-Z0-9]?)[0-9][A-Z]{2}$"
#: Spaces (including no-break ones), dots and hyphens: dropped from postcodes before matching.
_POSTCODE_SEPARATORS: Final = "[-. \t\xa0]+"

_CODEPOINT_COLUMNS: Final = (
    "Postcode",
    "Positional_quality_indicator",
    "Eastings",
    "Northings",
    "Country_code",
    "NHS_regional_HA_code",
    "NHS_HA_code",
    "Admin_county_code",
    "Admin_district_code",
    "Admin_ward_code",
)

#: Column names (regular expressions, matched in order against normalised headers).
_DIRECTORY_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "postcode": ("pcds", "pcd", "pcd2", "pcd7", "pcd8", "postcode", "post code", "pc"),
    "easting": ("east1m", "oseast1m", "eastings?", "ea"),
    "northing": ("north1m", "osnrth1m", "northings?", "no"),
    "lat": ("lat", "latitude"),
    "lon": ("long", "lon", "longitude", "lng"),
    "quality": ("gridind", "osgrdind", "positional quality indicator", "pq", "quality"),
    "terminated": ("doterm",),
    "ward": (r"wd\d\dcd", "osward", "ward", "admin ward code", "wc"),
}


def compact_postcodes(values: pd.Series) -> pd.Series:
    """Upper case, without spaces, dots or hyphens ("bn1 1aa" -> "BN11AA")."""
    return values.astype("string").str.upper().str.replace(_POSTCODE_SEPARATORS, "", regex=True)


def normalise_postcode(values: pd.Series) -> pd.Series:
    """Postcodes in the standard form ("bn11aa", "BN1  1AA" -> "BN1 1AA"); <NA> if not one.

    Only the shape is checked (outward code, space, inward code), so pseudo-postcodes like
    ZZ99 3VZ survive; whether a postcode exists is the directory's business.

    Examples
    --------
    >>> normalise_postcode(pd.Series(["bn11aa", " BN10 7AA", "BN1  1AA", "nope"])).tolist()
    ['BN1 1AA', 'BN10 7AA', 'BN1 1AA', <NA>]
    """
    if isinstance(values, pd.DataFrame):
        raise TypeError("values must be one column (a Series), not a DataFrame")
    values = values if isinstance(values, pd.Series) else pd.Series(values)
    compact = compact_postcodes(values)
    valid = compact.str.fullmatch(_POSTCODE).fillna(False).astype(bool)
    spaced = compact.str.slice(stop=-3) + " " + compact.str.slice(start=-3)  # inward: 3 chars
    return spaced.where(valid).astype("string").rename(values.name)


@dataclass(frozen=True)
class PostcodeFile:
    """A postcode directory's columns as text, named canonically, and what kind of file it was.

    ``columns`` holds ``postcode`` and ``easting``/``northing`` or ``lat``/``lon`` (or both),
    with ``quality``, ``terminated`` and ``ward`` where the file has them. ``origin`` says where
    each row came from, for messages: ``file`` (the file, or ``zip:member``) and ``line`` (its
    line in that file, counting a header).
    """

    columns: pd.DataFrame
    kind: str
    origin: pd.DataFrame


def read_postcode_file(path: str | Path) -> PostcodeFile:
    """Read a postcode directory, detecting its kind from its header (or lack of one).

    Raises
    ------
    InputFileError
        The file is missing or unreadable.
    GeocodeError
        The columns needed cannot be found; the message names the file, the columns found
        and those needed.
    """
    path = Path(path)
    frames, kinds, origins = [], [], []
    with _csv_sources(path) as sources:
        for source in sources:
            frame, kind, first_line = _read_directory_csv(source)
            frames.append(frame)
            kinds.append(kind)
            origins.append(
                pd.DataFrame(
                    {
                        "file": pd.Series(source.label, index=frame.index, dtype="string"),
                        "line": frame.index.to_numpy() + first_line,
                    }
                )
            )
    if len(set(kinds)) > 1:
        raise GeocodeError(
            f"{path}: the zip mixes kinds of postcode file ({', '.join(sorted(set(kinds)))}); "
            "give one directory at a time"
        )
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    if not normalise_postcode(frame["postcode"].head(1000)).notna().any():
        raise GeocodeError(
            f"{path}: no postcodes in the postcode column "
            f"({frame['postcode'].head(3).tolist()!r}...); is it the right file?"
        )
    origin = origins[0] if len(origins) == 1 else pd.concat(origins, ignore_index=True)
    return PostcodeFile(frame, kinds[0], origin)


@dataclass(frozen=True)
class _CsvSource:
    label: str
    opener: Callable[[], IO[bytes]]


@contextmanager
def _csv_sources(path: Path) -> Iterator[list[_CsvSource]]:
    """The CSV tables in a file: the file itself, or the data CSVs inside a zip.

    In a zip, CSVs under a documentation folder are skipped, and ONSPD's per-area
    ``multi_csv`` copies are skipped when the whole table is there too; several remaining
    files (Code-Point Open's one file per postcode area) are read as one table.
    """
    if not path.is_file():
        raise InputFileError(f"{path}: no such file")
    check_input_file(path)  # a .zip that is not one, a zip that escapes or expands too far
    if not zipfile.is_zipfile(path):
        yield [_CsvSource(path.name, lambda: path.open("rb"))]
        return
    with ExitStack() as stack:
        try:
            archive = stack.enter_context(zipfile.ZipFile(path))
            names = [i.filename for i in archive.infolist() if not i.is_dir()]
        except (zipfile.BadZipFile, OSError) as err:
            raise InputFileError(f"{path}: cannot open the zip file ({err})") from err
        csvs = [
            n
            for n in names
            if n.lower().endswith(".csv")
            and not any(re.match(r"doc|user.?guide", part, re.I) for part in n.split("/")[:-1])
        ]
        whole = [n for n in csvs if "multi_csv" not in n.lower()]
        csvs = whole or csvs
        if not csvs:
            raise GeocodeError(
                f"{path}: the zip holds no data CSV (found {', '.join(names[:10]) or 'nothing'}); "
                "give the ONSPD/NSPL or Code-Point Open zip as published, or its CSV"
            )
        yield [
            _CsvSource(f"{path.name}:{name}", lambda name=name: archive.open(name)) for name in csvs
        ]


def _sniff(source: _CsvSource) -> tuple[list[str], str]:
    """The first row's fields and the codec of a CSV (read as a stream: only its first line)."""
    with source.opener() as raw:
        head = raw.readline(1 << 16)
        if head.startswith(b"\xff\xfe") and len(head) % 2:
            head += raw.read(1)  # UTF-16LE: the line ends in the newline's second byte
    decoded = decode(head, source=source.label)
    fields = next(csv.reader([decoded.text.rstrip("\r\n")]), [])
    return [f.strip() for f in fields], decoded.codec


def _read_directory_csv(source: _CsvSource) -> tuple[pd.DataFrame, str, int]:
    """One CSV of a postcode directory as text columns named canonically, its kind, and the
    line of the file its first row is on (2 after a header, else 1)."""
    fields, codec = _sniff(source)
    headerless = bool(fields) and bool(normalise_postcode(pd.Series(fields[:1])).notna().iloc[0])
    if headerless:
        if len(fields) != len(_CODEPOINT_COLUMNS):
            raise GeocodeError(
                f"{source.label}: the first row is data (it starts with the postcode "
                f"{fields[0]!r}) with {len(fields)} columns, but the only directory read without a "
                f"header is OS Code-Point Open ({len(_CODEPOINT_COLUMNS)} columns); add a header "
                "row naming the postcode, easting/northing or lat/long columns"
            )
        headers, kind = list(_CODEPOINT_COLUMNS), "Code-Point Open"
    else:
        headers = fields
        kind = ""
    columns = match_headers(headers, _DIRECTORY_COLUMNS)
    has_en = {"easting", "northing"} <= columns.keys()
    has_ll = {"lat", "lon"} <= columns.keys()
    if "postcode" not in columns or not (has_en or has_ll):
        shown = ", ".join(headers[:25]) + (
            f" and {len(headers) - 25} more" if len(headers) > 25 else ""
        )
        raise GeocodeError(
            f"{source.label}: not a postcode directory I can read: "
            f"found columns {shown or 'none'}; "
            "need a postcode column (pcds, pcd, pcd7, pcd8, postcode) and either easting and "
            "northing (east1m/oseast1m, north1m/osnrth1m, Eastings/Northings) or lat and long"
        )
    if not kind:
        kind = _directory_kind(columns)
    wanted = {header: canonical for canonical, header in columns.items()}
    try:
        with source.opener() as raw:
            frame = pd.read_csv(
                raw,
                header=None if headerless else 0,
                names=headers if headerless else None,
                usecols=list(wanted),
                dtype=dict.fromkeys(wanted, "string"),  # numbers are read by the directory
                encoding=codec,
                skipinitialspace=True,
                skip_blank_lines=False,  # kept (as empty rows), so line numbers are the file's
                engine="c",
            )
    except (ValueError, OSError, pd.errors.ParserError) as err:
        raise InputFileError(f"{source.label}: cannot read as CSV ({err})") from err
    return frame.rename(columns=wanted), kind, 1 if headerless else 2


def _directory_kind(columns: dict[str, str]) -> str:
    """What a directory with a header is, from the headers its columns were found under."""
    headers = {normalise_header(header) for header in columns.values()}
    if normalise_header(columns.get("quality", "")) in {"positional quality indicator", "pq"}:
        return "Code-Point Open"
    if headers & {"east1m", "north1m", "gridind", "pcd7", "pcd8"}:
        return "ONSPD/NSPL (2025+ headers)"
    if headers & {"oseast1m", "osnrth1m", "osgrdind"}:
        return "ONSPD/NSPL (pre-2025 headers)"
    return "postcode list"
