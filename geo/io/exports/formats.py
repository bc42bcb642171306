"""The registry of formats people take away, picked by name or by file suffix.

Each format is one :class:`ExportFormat`: its name, the file suffixes it answers to, what it
can write (a ``"table"``, map ``"features"``, a ``"patrol"`` or a ``"document"``) and the
function that writes it. Adding a format is adding one spec to :data:`FORMATS`; the command
line's ``--out`` checks and the app's download buttons read the registry.

Formats that print who made them, when, and a protective marking (PDF, Excel) are
``stamped``: :func:`write` and :func:`to_bytes` hand them the ``stamp`` given
(:class:`~geo.io.exports.stamp.Stamp`; "made by: not given", now, "OFFICIAL-SENSITIVE" when
none is). A ward map as a PNG needs the outlines and the figures, so it is a function of its
own: :func:`~geo.io.exports.map_png.ward_map_png`.

Examples
--------
>>> find_format(path="wards.CSV").name
'csv'
>>> suffixes("patrol")
('.gpx', '.txt', '.pdf')
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, Protocol, get_args

import geopandas as gpd
import pandas as pd

from geo.errors import InputFileError
from geo.io.exports.features import write_geojson, write_geopackage
from geo.io.exports.gpx import write_gpx
from geo.io.exports.patrol_pdf import write_patrol_pdf
from geo.io.exports.pdf import Document, write_document_pdf
from geo.io.exports.sheet import write_sheet
from geo.io.exports.stamp import Stamp
from geo.io.exports.tables import write_csv, write_json
from geo.io.exports.xlsx import write_xlsx

__all__ = [
    "CONTENTS",
    "FORMATS",
    "Content",
    "ExportFormat",
    "content_of",
    "find_format",
    "known_formats",
    "suffixes",
    "to_bytes",
    "write",
    "write_features",
    "write_table",
]

#: What a format writes: a table (rows), map features (rows with geometry), a patrol, or a
#: document of sections (:class:`~geo.io.exports.pdf.Document`: a tasking brief).
Content = Literal["table", "features", "patrol", "document"]
CONTENTS: Final[tuple[str, ...]] = get_args(Content)
_WORDS: Final = {
    "table": "a table",
    "features": "map features",
    "patrol": "a patrol",
    "document": "a document",
}


class Writer(Protocol):
    """Writes ``value`` (of kind ``content``) to ``path``; returns the rows, features or stops
    written. A stamped format's writer also takes ``stamp=`` (a
    :class:`~geo.io.exports.stamp.Stamp`)."""

    def __call__(self, value: Any, path: Path, *, content: str) -> int: ...


@dataclass(frozen=True)
class ExportFormat:
    """One format: picked by ``name`` or by one of its ``suffixes`` (the first is the usual).

    Attributes
    ----------
    name
        What ``--format`` and code call it: lower case, no dot.
    title
        What people call it, for messages and buttons.
    suffixes
        File endings, lower case with the dot.
    writes
        The kinds of thing it can write.
    writer
        The function that writes one (see :class:`Writer`).
    media_type
        The MIME type, for downloads.
    stamped
        It prints who made it, when, and a protective marking: its writer takes ``stamp=``.
    """

    name: str
    title: str
    suffixes: tuple[str, ...]
    writes: tuple[Content, ...]
    writer: Writer
    media_type: str
    stamped: bool = False

    def write(
        self,
        value: Any,
        path: str | Path,
        *,
        content: Content | None = None,
        stamp: Stamp | None = None,
    ) -> int:
        """Write ``value`` to ``path`` in this format; return the rows, features or stops.

        ``stamp`` (who made it, when, the marking) is used by stamped formats only.
        """
        content = content_of(value) if content is None else content
        self.check(content, where=str(path))
        options = {"stamp": stamp or Stamp()} if self.stamped else {}
        return self.writer(value, Path(path), content=content, **options)

    def check(self, content: Content, *, where: str) -> None:
        """Raise ``InputFileError`` (naming ``where``) unless this format writes ``content``."""
        if content not in self.writes:
            raise InputFileError(
                f"{where}: {self.title} does not write {_WORDS[content]}; write"
                f" {_WORDS[content]} as {_either(suffixes(content))}"
            )


def _write_pdf(value: Any, path: Path, *, content: str, stamp: Stamp) -> int:
    """A patrol as the printable sheet, a :class:`Document` as a document."""
    if content == "patrol":
        return write_patrol_pdf(value, path, content=content, stamp=stamp)
    return write_document_pdf(value, path, content=content, stamp=stamp)


#: Every format, in the order they are offered.
FORMATS: Final[tuple[ExportFormat, ...]] = (
    ExportFormat("csv", "CSV", (".csv",), ("table", "features"), write_csv, "text/csv"),
    ExportFormat("json", "JSON", (".json",), ("table", "features"), write_json, "application/json"),
    ExportFormat(
        "xlsx",
        "Excel",
        (".xlsx",),
        ("table",),
        write_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        stamped=True,
    ),
    ExportFormat(
        "geojson", "GeoJSON", (".geojson",), ("features",), write_geojson, "application/geo+json"
    ),
    ExportFormat(
        "gpkg",
        "GeoPackage",
        (".gpkg",),
        ("features",),
        write_geopackage,
        "application/geopackage+sqlite3",
    ),
    ExportFormat("gpx", "GPX", (".gpx",), ("patrol",), write_gpx, "application/gpx+xml"),
    ExportFormat("sheet", "patrol sheet (text)", (".txt",), ("patrol",), write_sheet, "text/plain"),
    ExportFormat(
        "pdf",
        "PDF",
        (".pdf",),
        ("patrol", "document"),
        _write_pdf,  # type: ignore[arg-type]
        "application/pdf",
        stamped=True,
    ),
)


def find_format(
    *, name: str | None = None, path: str | Path | None = None, content: Content | None = None
) -> ExportFormat:
    """The format called ``name``, or the one for ``path``'s suffix; give exactly one.

    With ``content``, the format must also write that kind of thing.
    """
    if (name is None) == (path is None):
        raise ValueError("find_format: give exactly one of name= or path=")
    if name is not None:
        found = next((f for f in FORMATS if f.name == name.strip().lower()), None)
        if found is None:
            raise InputFileError(
                f"export format {name!r} is unknown; known formats: {known_formats(content)}"
            )
        where = f"format {found.name}"
    else:
        suffix = Path(path).suffix.lower()  # type: ignore[arg-type]
        found = next((f for f in FORMATS if suffix in f.suffixes), None)
        if found is None:
            ending = f"a name ending in {suffix}" if suffix else "a name without a suffix"
            raise InputFileError(
                f"{path}: no export format for {ending}; known formats: {known_formats(content)}"
            )
        where = str(path)
    if content is not None:
        found.check(content, where=where)
    return found


def suffixes(content: Content | None = None) -> tuple[str, ...]:
    """The file suffixes of every format (that writes ``content``), in registry order."""
    return tuple(s for f in FORMATS if content is None or content in f.writes for s in f.suffixes)


def known_formats(content: Content | None = None) -> str:
    """The formats (that write ``content``) for a message: "CSV (.csv), JSON (.json), ..."."""
    return ", ".join(
        f"{f.title} ({', '.join(f.suffixes)})"
        for f in FORMATS
        if content is None or content in f.writes
    )


def _is_patrol(value: object) -> bool:
    """A patrol (:class:`geo.analysis.patrol.Patrol`), known by what it holds: the exports sit
    below the analyses and never import them."""
    return isinstance(getattr(value, "stops", None), pd.DataFrame) and hasattr(value, "total_m")


def content_of(value: object) -> Content:
    """What ``value`` is to the registry: a patrol, a document, map features (with geometry)
    or a table."""
    if _is_patrol(value):
        return "patrol"
    if isinstance(value, Document):
        return "document"
    if isinstance(value, gpd.GeoDataFrame) and "geometry" in value.columns:
        return "features"
    if isinstance(value, pd.DataFrame):
        return "table"
    raise InputFileError(
        f"cannot export a {type(value).__name__}; give a table, map features, a patrol or a "
        "Document"
    )


def write(
    value: Any,
    path: str | Path,
    *,
    name: str | None = None,
    content: Content | None = None,
    stamp: Stamp | None = None,
) -> int:
    """Write ``value`` to ``path`` in the format called ``name`` (default: by the suffix).

    ``stamp`` says who made it, when, and its marking (PDF and Excel print it; see the module
    docstring). Returns the rows, features or stops written.
    """
    content = content_of(value) if content is None else content
    found = (
        find_format(name=name, content=content)
        if name is not None
        else find_format(path=path, content=content)
    )
    return found.write(value, path, content=content, stamp=stamp)


def to_bytes(
    value: Any, *, name: str, content: Content | None = None, stamp: Stamp | None = None
) -> bytes:
    """``value`` in the format called ``name``, as the bytes of the file (for downloads);
    ``stamp`` as for :func:`write`."""
    found = find_format(name=name, content=content)
    with tempfile.TemporaryDirectory(prefix="atlas-export-") as folder:
        path = Path(folder) / f"export{found.suffixes[0]}"
        found.write(value, path, content=content, stamp=stamp)
        return path.read_bytes()


def write_table(frame: pd.DataFrame, path: str | Path) -> int:
    """Write a table as ``.csv`` (UTF-8 with BOM, as Excel opens it, formulas neutralised) or
    ``.json`` (a list of objects, missing values as null); return the rows written."""
    return write(frame, path, content="table")


def write_features(frame: gpd.GeoDataFrame, path: str | Path) -> int:
    """Write features as ``.geojson`` (EPSG:4326, as RFC 7946 asks) or ``.gpkg``, or as a table
    (``.csv``/``.json``, with ``lon``/``lat`` columns); return the features written."""
    return write(frame, path, content="features")


def _either(items: Sequence[str]) -> str:
    """ ".csv or .json"; ".csv, .json or .gpkg"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"
