"""MBTiles: the one-file SQLite format for map tiles that QGIS, GDAL and tile servers read.

A file holds ``metadata(name, value)`` and ``tiles(zoom_level, tile_column, tile_row,
tile_data)``, rows counted north from the bottom (TMS, see :func:`~geo.io.basemap.grid.tms_row`).
Here the tiles are raster PNG or JPEG only: the app serves them as they are. Everything that
reads or writes tiles takes and gives XYZ rows, as web maps name them; the flip happens here.

Files are written to a temporary name beside the target and renamed over it, so a reader never
sees half a file.
"""

from __future__ import annotations

import math
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from geo.errors import InputFileError
from geo.io.basemap.grid import lonlat, tile_box, tms_row

#: A store at ``var/outreach-atlas.sqlite`` has its base map at
#: ``var/outreach-atlas-basemap.mbtiles``.
BASEMAP_SUFFIX: Final = "-basemap.mbtiles"

TileFormat = Literal["png", "jpg"]
#: The first bytes of a tile of each format.
MAGIC: Final[dict[TileFormat, bytes]] = {"png": b"\x89PNG\r\n\x1a\n", "jpg": b"\xff\xd8\xff"}
_TILE_COLUMNS: Final = {"zoom_level", "tile_column", "tile_row", "tile_data"}
_VECTOR_FORMATS: Final = {"pbf", "mvt", "application/x-protobuf"}
_GZIP: Final = b"\x1f\x8b"

Bounds = tuple[float, float, float, float]  # (west, south, east, north), degrees


@dataclass(frozen=True)
class TileSet:
    """What an MBTiles file holds: its tiles' format, zooms and extent, and their credit.

    ``min_zoom`` and ``max_zoom`` are the zooms that have tiles; ``bounds`` is the extent of the
    tiles at ``max_zoom`` (cut to the file's own ``bounds`` where it gives one), in degrees.
    """

    path: Path
    name: str
    format: TileFormat
    attribution: str
    min_zoom: int
    max_zoom: int
    bounds: Bounds
    tiles: int


def basemap_path(store_location: str | Path) -> Path:
    """Where the base map of the store at ``store_location`` lives: beside it, named after it.

    >>> basemap_path("var/outreach-atlas.sqlite").as_posix()
    'var/outreach-atlas-basemap.mbtiles'
    """
    text = str(store_location)
    if "://" in text:
        raise InputFileError(
            f"store {text!r} is not a file, so it has no base map file beside it; serve tiles "
            "from your own tile server instead (OUTREACH_ATLAS_TILES)"
        )
    path = Path(text)
    return path.with_name(path.stem + BASEMAP_SUFFIX)


def write_mbtiles(
    path: str | Path,
    tiles: Iterable[tuple[int, int, int, bytes]],
    *,
    name: str,
    attribution: str,
    bounds: Bounds,
    description: str = "",
    tile_format: TileFormat = "png",
) -> TileSet:
    """Write ``tiles``, given as ``(z, x, y, data)`` with XYZ rows, as an MBTiles file.

    The metadata holds ``name``, ``format``, ``bounds`` (degrees), ``center``, ``minzoom`` and
    ``maxzoom`` (of the tiles written), ``attribution``, ``description`` and ``type``
    ``baselayer``. A file already at ``path`` is replaced once the new one is complete.
    """
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(temporary)) as db:
            db.executescript(
                """
                PRAGMA journal_mode = OFF;
                PRAGMA synchronous = OFF;
                CREATE TABLE metadata (name TEXT, value TEXT);
                CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER,
                                    tile_data BLOB);
                CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);
                CREATE UNIQUE INDEX name ON metadata (name);
                """
            )
            rows = ((z, x, tms_row(y, z), sqlite3.Binary(data)) for z, x, y, data in tiles)
            db.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", rows)
            count, low, high = db.execute(
                "SELECT count(*), min(zoom_level), max(zoom_level) FROM tiles"
            ).fetchone()
            if not count:
                raise InputFileError(f"{target}: no tile has anything on it, so none was written")
            west, south, east, north = bounds
            metadata = {
                "name": name,
                "format": tile_format,
                "bounds": f"{west:.6f},{south:.6f},{east:.6f},{north:.6f}",
                "center": f"{(west + east) / 2:.6f},{(south + north) / 2:.6f},{low}",
                "minzoom": str(low),
                "maxzoom": str(high),
                "attribution": attribution,
                "description": description,
                "type": "baselayer",
                "version": "1",
            }
            db.executemany("INSERT INTO metadata VALUES (?, ?)", metadata.items())
            db.commit()
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return read_tileset(target)


def read_tileset(path: str | Path) -> TileSet:
    """Check that ``path`` is an MBTiles file of PNG or JPEG tiles, and say what it holds.

    Raises :class:`~geo.errors.InputFileError`, naming the file and what is wrong, for anything
    else: no such file, not SQLite, no ``tiles`` table, no tiles, vector tiles, or tiles that
    are not the format the metadata says.
    """
    source = Path(path)
    if not source.is_file():
        raise InputFileError(f"{source}: no such file")
    try:
        with closing(_connect_read_only(source)) as db:
            return _tileset(db, source)
    except sqlite3.DatabaseError as err:
        raise InputFileError(
            f"{source} is not an MBTiles file: SQLite cannot read it ({err})"
        ) from None


def iter_tiles(path: str | Path) -> Iterator[tuple[int, int, int, bytes]]:
    """Every tile of the MBTiles file at ``path`` as ``(z, x, y, data)``, with XYZ rows."""
    with closing(_connect_read_only(Path(path))) as db:
        rows = db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
        for z, x, row, data in rows:
            yield int(z), int(x), tms_row(int(row), int(z)), bytes(data)


def copy_mbtiles(source: str | Path, target: str | Path, *, attribution: str | None) -> TileSet:
    """Check ``source`` (:func:`read_tileset`) and copy it to ``target``, replacing any file.

    SQLite's backup copies a consistent file even while another program writes to it.
    ``attribution``, when given, replaces the one in the file's metadata.
    """
    checked = read_tileset(source)
    final = Path(target)
    temporary = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    try:
        with (
            closing(_connect_read_only(checked.path)) as db,
            closing(sqlite3.connect(temporary)) as copy,
        ):
            db.backup(copy)
            if attribution is not None:
                copy.execute("DELETE FROM metadata WHERE name = 'attribution'")
                copy.execute("INSERT INTO metadata VALUES ('attribution', ?)", (attribution,))
                copy.commit()
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)
    return read_tileset(final)


def _connect_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _tileset(db: sqlite3.Connection, source: Path) -> TileSet:
    columns = {row[1] for row in db.execute("PRAGMA table_info(tiles)")}
    if not columns >= _TILE_COLUMNS:
        raise InputFileError(
            f"{source} is not an MBTiles file: it has no tiles table with zoom_level, "
            "tile_column, tile_row and tile_data"
        )
    metadata = _metadata(db)
    said = metadata.get("format", "").strip().lower()
    if said in _VECTOR_FORMATS:
        raise InputFileError(f"{source} holds vector tiles ({said}): {_RASTER_ONLY}")
    count, low, high = db.execute(
        "SELECT count(*), min(zoom_level), max(zoom_level) FROM tiles"
    ).fetchone()
    if not count:
        raise InputFileError(f"{source} holds no tiles: it is an empty MBTiles file")
    sample = db.execute("SELECT tile_data FROM tiles LIMIT 1").fetchone()[0]
    found = _format_of(bytes(sample or b""))
    if found is None:
        kind = "vector tiles (gzip)" if bytes(sample or b"")[:2] == _GZIP else "tiles"
        raise InputFileError(f"{source} holds {kind} that are not PNG or JPEG: {_RASTER_ONLY}")
    if said in {"png", "jpg", "jpeg"} and found != ("png" if said == "png" else "jpg"):
        raise InputFileError(
            f"{source}: its metadata says {said} but its tiles are {found}; fix the 'format' "
            "row of its metadata table"
        )
    return TileSet(
        path=source,
        name=metadata.get("name") or source.stem,
        format=found,
        attribution=metadata.get("attribution", ""),
        min_zoom=int(low),
        max_zoom=int(high),
        bounds=_bounds(db, int(high), metadata.get("bounds")),
        tiles=int(count),
    )


_RASTER_ONLY: Final = (
    "only raster tiles (PNG or JPEG) can be served as they are. Import the vector data it was "
    "made from instead (a GeoPackage such as OS OpenMap Local): python -m geo import basemap FILE"
)


def _metadata(db: sqlite3.Connection) -> dict[str, str]:
    try:
        rows = db.execute("SELECT name, value FROM metadata").fetchall()
    except sqlite3.OperationalError:  # no metadata table: the tiles alone will do
        return {}
    return {str(name): str(value) for name, value in rows if name is not None and value is not None}


def _format_of(data: bytes) -> TileFormat | None:
    for name, magic in MAGIC.items():
        if data.startswith(magic):
            return name
    return None


def _bounds(db: sqlite3.Connection, zoom: int, said: str | None) -> Bounds:
    """The extent of the tiles at ``zoom``, cut to the ``bounds`` the metadata gives."""
    x0, x1, r0, r1 = db.execute(
        "SELECT min(tile_column), max(tile_column), min(tile_row), max(tile_row) FROM tiles"
        " WHERE zoom_level = ?",
        (zoom,),
    ).fetchone()
    left, bottom, _, _ = tile_box(int(x0), tms_row(int(r0), zoom), zoom)
    _, _, right, top = tile_box(int(x1), tms_row(int(r1), zoom), zoom)
    (west, east), (south, north) = lonlat([left, right], [bottom, top])
    found = (float(west), float(south), float(east), float(north))
    given = _parse_bounds(said)
    if given is None:
        return found
    cut = (max(found[0], given[0]), max(found[1], given[1]), min(found[2], given[2]))
    cut = (*cut, min(found[3], given[3]))
    return cut if cut[0] < cut[2] and cut[1] < cut[3] else found


def _parse_bounds(text: str | None) -> Bounds | None:
    try:
        values = [float(v) for v in (text or "").split(",")]
    except ValueError:
        return None
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        return None
    return (values[0], values[1], values[2], values[3])


def tileset_metadata(path: str | Path) -> Mapping[str, str]:
    """The metadata table of an MBTiles file, as text (empty when it has none)."""
    with closing(_connect_read_only(Path(path))) as db:
        return _metadata(db)
