"""The Web Mercator tile grid every web map shares: which tile holds a place, where a tile lies.

A tile is named ``(z, x, y)``: zoom ``z`` cuts the world into ``2**z`` by ``2**z`` tiles of
256 by 256 pixels, ``x`` counted east from longitude -180 and ``y`` counted south from the top
(latitude about 85.05), as Leaflet asks for them (the "XYZ" scheme). MBTiles files count rows
north from the bottom instead (the "TMS" scheme): ``tile_row = 2**z - 1 - y``
(:func:`tms_row`, its own inverse).

Positions on the grid are in Web Mercator metres (EPSG:3857): :data:`HALF_WORLD` east, west,
north and south of (0, 0).
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
from numpy.typing import ArrayLike

#: The web maps' CRS: spherical Mercator, metres.
WEB_MERCATOR: Final = "EPSG:3857"
#: Half the width of the world in Web Mercator metres (pi times the sphere's radius).
HALF_WORLD: Final = math.pi * 6_378_137.0
#: Width and height of a tile in pixels.
TILE_SIZE: Final = 256
#: Web Mercator stops at this latitude, where the world becomes square.
MAX_LATITUDE: Final = 85.0511287798066

Box = tuple[float, float, float, float]  # (min x, min y, max x, max y)


def tile_width(zoom: int) -> float:
    """Width (and height) of a tile at ``zoom`` in Web Mercator metres.

    >>> round(tile_width(0))
    40075017
    >>> round(tile_width(16), 1)
    611.5
    """
    return 2 * HALF_WORLD / 2**zoom


def mercator(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude (degrees) to Web Mercator metres; latitudes clamped to the grid's.

    >>> x, y = mercator([0.0, 180.0], [0.0, 0.0])
    >>> [round(float(v)) for v in x], [round(float(v)) for v in y]
    ([0, 20037508], [0, 0])
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.clip(np.asarray(lat, dtype=float), -MAX_LATITUDE, MAX_LATITUDE)
    x = np.radians(lon) * 6_378_137.0
    y = np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) * 6_378_137.0
    return x, y


def lonlat(x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator metres to longitude/latitude (degrees); the inverse of :func:`mercator`."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    lon = np.degrees(x / 6_378_137.0)
    lat = np.degrees(2 * np.arctan(np.exp(y / 6_378_137.0)) - np.pi / 2)
    return lon, lat


def tile_of(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    """The ``(x, y)`` of the XYZ tile holding ``(lon, lat)`` at ``zoom``.

    Worked by hand for Trafalgar Square (-0.1281, 51.5080) at zoom 10: x = floor((lon + 180) /
    360 * 1024) = floor(511.64) = 511; y = floor((1 - ln(tan(lat) + sec(lat)) / pi) / 2 * 1024)
    = floor(340.39) = 340.

    >>> tile_of(-0.1281, 51.5080, 10)
    (511, 340)
    """
    x, y = mercator([lon], [lat])
    return _tile_index(float(x[0]), float(y[0]), zoom)


def tms_row(y: int, zoom: int) -> int:
    """The MBTiles (TMS) row of XYZ row ``y`` at ``zoom``, and back: ``2**zoom - 1 - y``.

    >>> tms_row(340, 10)
    683
    >>> tms_row(683, 10)
    340
    """
    return 2**zoom - 1 - y


def tile_box(x: int, y: int, zoom: int) -> Box:
    """The Web Mercator box ``(min x, min y, max x, max y)`` of XYZ tile ``(x, y)`` at ``zoom``."""
    width = tile_width(zoom)
    left = -HALF_WORLD + x * width
    top = HALF_WORLD - y * width
    return (left, top - width, left + width, top)


def tile_range(box: Box, zoom: int) -> tuple[int, int, int, int]:
    """The XYZ tiles ``(x0, y0, x1, y1)`` (inclusive) that a Web Mercator ``box`` touches.

    >>> tile_range((-1.0, -1.0, 1.0, 1.0), 1)
    (0, 0, 1, 1)
    """
    min_x, min_y, max_x, max_y = box
    x0, y1 = _tile_index(min_x, min_y, zoom)
    x1, y0 = _tile_index(max_x, max_y, zoom)
    return x0, y0, x1, y1


def _tile_index(x: float, y: float, zoom: int) -> tuple[int, int]:
    width = tile_width(zoom)
    last = 2**zoom - 1
    column = min(max(math.floor((x + HALF_WORLD) / width), 0), last)
    row = min(max(math.floor((HALF_WORLD - y) / width), 0), last)
    return column, row
