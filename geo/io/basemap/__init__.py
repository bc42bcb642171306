"""Base maps: a readable map under the wards, served by the app itself, never from the internet.

A store's base map is one MBTiles file of raster tiles beside it
(``var/outreach-atlas.sqlite`` -> ``var/outreach-atlas-basemap.mbtiles``, :func:`basemap_path`);
QGIS opens it too. :func:`write_basemap` makes it from either

- an ``.mbtiles`` file of PNG or JPEG tiles, checked and copied as it is, or
- a vector file GDAL reads (OS OpenMap Local's GeoPackage; any file of lines, polygons or
  points with an optional name column), drawn once into PNG tiles for zooms ``min_zoom`` to
  ``max_zoom`` (default 11-16) over the file's extent, cut to the wards' area plus a margin
  (:func:`clip_box`) when wards are loaded, so the file stays small.

Where each part is
------------------
- :mod:`~geo.io.basemap.grid`: the Web Mercator tile grid (XYZ and TMS rows).
- :mod:`~geo.io.basemap.mbtiles`: reading, checking and writing MBTiles files.
- :mod:`~geo.io.basemap.vector`: reading a vector file's layers as kinds of feature.
- :mod:`~geo.io.basemap.style`: how each kind looks at each zoom (quiet, so wards read on top).
- :mod:`~geo.io.basemap.render`: drawing the tiles with matplotlib.
- :mod:`~geo.io.basemap.served`: which tiles a map shows (a council's tile server, else the
  store's base map unpacked into the app's static folder, else none).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from geo.errors import InputFileError
from geo.io.basemap.grid import WEB_MERCATOR, Box, lonlat, mercator, tile_of, tms_row
from geo.io.basemap.mbtiles import (
    BASEMAP_SUFFIX,
    Bounds,
    TileSet,
    basemap_path,
    copy_mbtiles,
    iter_tiles,
    read_tileset,
    write_mbtiles,
)
from geo.io.basemap.render import render_tiles, tile_count
from geo.io.basemap.served import (
    TILES_ATTRIBUTION_ENV,
    TILES_ENV,
    TILES_MAX_ZOOM_ENV,
    BaseTiles,
    configured_tiles,
    extract_tiles,
    served_tiles,
)
from geo.io.basemap.vector import extent, layers_of, read_features
from geo.io.gdal_files import existing_file

__all__ = [
    "BASEMAP_SUFFIX",
    "BaseTiles",
    "Bounds",
    "DEFAULT_MAX_ZOOM",
    "DEFAULT_MIN_ZOOM",
    "MAX_TILES",
    "OS_ATTRIBUTION",
    "TILES_ATTRIBUTION_ENV",
    "TILES_ENV",
    "TILES_MAX_ZOOM_ENV",
    "TileSet",
    "WEB_MERCATOR",
    "basemap_path",
    "clip_box",
    "configured_tiles",
    "extract_tiles",
    "iter_tiles",
    "read_tileset",
    "served_tiles",
    "tile_of",
    "tms_row",
    "write_basemap",
]

DEFAULT_MIN_ZOOM: Final = 11
DEFAULT_MAX_ZOOM: Final = 16
#: The deepest zoom a vector file is drawn to (about 0.6 m a pixel in Great Britain).
DEEPEST_DRAWN_ZOOM: Final = 18
#: The most grid tiles one vector import may draw, over every zoom: a borough at zooms 11-16
#: is a few thousand; a county at zoom 16 some tens of thousands.
MAX_TILES: Final = 250_000
#: Around the wards, the base map reaches this share of their larger side further...
MARGIN_SHARE: Final = 0.5
#: ... and at least this many Web Mercator metres.
MIN_MARGIN_M: Final = 1_000.0
#: The credit of a file that looks like OS OpenMap Local (its layer names), unless one is given.
OS_ATTRIBUTION: Final = (
    "Contains OS data © Crown copyright and database right (OS OpenMap Local), "
    "Open Government Licence"
)
#: Layer names only OS OpenMap Local uses ("Road" and "Building" alone could be anyone's).
_OS_LAYERS: Final = frozenset(
    {
        "surfacewater_area", "surfacewater_line", "tidalwater", "tidalboundary", "namedplace",
        "railwaytrack", "functionalsite", "importantbuilding",
    }
)  # fmt: skip


def clip_box(bounds: Bounds) -> Box:
    """The Web Mercator box a base map covers around wards of ``bounds`` (degrees).

    The wards' box plus :data:`MARGIN_SHARE` of its larger side on every side, at least
    :data:`MIN_MARGIN_M`: enough to fill the screen around the wards when a map is fitted to
    them, without drawing the whole of a national file.
    """
    west, south, east, north = bounds
    xs, ys = mercator([west, east], [south, north])
    margin = max(MARGIN_SHARE * max(xs[1] - xs[0], ys[1] - ys[0]), MIN_MARGIN_M)
    return (
        float(xs[0] - margin),
        float(ys[0] - margin),
        float(xs[1] + margin),
        float(ys[1] + margin),
    )


def write_basemap(
    file: str | Path,
    target: str | Path,
    *,
    clip: Box | None = None,
    min_zoom: int = DEFAULT_MIN_ZOOM,
    max_zoom: int = DEFAULT_MAX_ZOOM,
    attribution: str | None = None,
) -> TileSet:
    """Make the base map MBTiles file ``target`` from ``file`` (an .mbtiles, or vector data).

    An ``.mbtiles`` file is checked and copied (its own zooms count; ``min_zoom`` and
    ``max_zoom`` are not used). Vector data is drawn for zooms ``min_zoom`` to ``max_zoom`` over
    its extent, cut to ``clip`` (Web Mercator, see :func:`clip_box`) when given.
    ``attribution`` replaces the file's credit (a vector file's default: :data:`OS_ATTRIBUTION`
    for OS OpenMap Local, else "Base map: <file name>"). Every problem with the file raises
    :class:`~geo.errors.InputFileError` naming it; ``target`` is only replaced by a complete file.
    """
    source = existing_file(file, what="base map file")
    _check_zooms(source, min_zoom, max_zoom)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.suffix.lower() == ".mbtiles":
        return copy_mbtiles(source, target, attribution=attribution)
    layers = layers_of(source)
    box = _cut(extent(source, layers), clip, source)
    count = tile_count(box, min_zoom=min_zoom, max_zoom=max_zoom)
    if count > MAX_TILES:
        raise InputFileError(
            f"{source}: drawing it at zooms {min_zoom}-{max_zoom} would make {count:,} tiles "
            f"(at most {MAX_TILES:,}); import the wards first so the base map is cut to them, "
            "or give a lower --max-zoom"
        )
    features = read_features(source, layers, clip=box)
    if attribution is None:
        names = {name.lower() for name, _ in layers}
        attribution = OS_ATTRIBUTION if names & _OS_LAYERS else f"Base map: {source.name}"
    (west, east), (south, north) = lonlat([box[0], box[2]], [box[1], box[3]])
    return write_mbtiles(
        target,
        render_tiles(features, box=box, min_zoom=min_zoom, max_zoom=max_zoom),
        name=source.stem,
        attribution=attribution,
        description=f"Drawn by Outreach Atlas from {source.name}",
        bounds=(float(west), float(south), float(east), float(north)),
    )


def _check_zooms(source: Path, min_zoom: int, max_zoom: int) -> None:
    for option, value in (("min_zoom", min_zoom), ("max_zoom", max_zoom)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputFileError(f"{source}: {option} must be a whole number, got {value!r}")
    if not 0 <= min_zoom <= max_zoom <= DEEPEST_DRAWN_ZOOM:
        raise InputFileError(
            f"{source}: zooms {min_zoom}-{max_zoom} must run from 0 to {DEEPEST_DRAWN_ZOOM}, "
            f"lowest first (the default is {DEFAULT_MIN_ZOOM}-{DEFAULT_MAX_ZOOM})"
        )


def _cut(found: Box, clip: Box | None, source: Path) -> Box:
    if clip is None:
        return found
    box = (max(found[0], clip[0]), max(found[1], clip[1]), min(found[2], clip[2]))
    box = (*box, min(found[3], clip[3]))
    if box[0] >= box[2] or box[1] >= box[3]:
        raise InputFileError(
            f"{source}: it does not reach the wards' area (plus a margin); is it the file for "
            "this area? Check it in QGIS, or import the wards it goes with"
        )
    return box
