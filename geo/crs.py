"""The two coordinate systems every part of the tool uses, and the transforms between them.

Analysis happens in metres on the British National Grid (:data:`~geo.schema.WORKING_CRS`); the
store and the maps use longitude and latitude (:data:`~geo.schema.DISPLAY_CRS`). Hotspots,
patrols, privacy and the geocoder all need the same two transforms, so they live here rather
than in any one of them.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike
from pyproj import Transformer

from geo.schema import DISPLAY_CRS, WORKING_CRS

__all__ = ["to_bng", "to_lonlat", "transform"]


@lru_cache(maxsize=8)
def _transformer(source: str, target: str) -> Transformer:
    """One pyproj Transformer per pair of CRSs (pyproj >= 3.1 makes them safe across threads)."""
    return Transformer.from_crs(source, target, always_xy=True)


def transform(
    source: str, target: str, x: ArrayLike, y: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """``x``, ``y`` from CRS ``source`` to CRS ``target``; NaN where pyproj cannot transform."""
    xs, ys = _transformer(source, target).transform(
        np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    )
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    failed = ~(np.isfinite(xs) & np.isfinite(ys))  # pyproj gives inf where it cannot transform
    return np.where(failed, np.nan, xs), np.where(failed, np.nan, ys)


def to_bng(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude (EPSG:4326) to easting/northing in metres (EPSG:27700).

    NaN in, or a point pyproj cannot transform, gives NaN out.

    Examples
    --------
    >>> e, n = to_bng([-0.141588], [51.501009])  # SW1A 1AA in ONSPD: 529090, 179645
    >>> [round(float(e[0])), round(float(n[0]))]
    [529090, 179645]
    """
    return transform(DISPLAY_CRS, WORKING_CRS, lon, lat)


def to_lonlat(easting: ArrayLike, northing: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Easting/northing in metres (EPSG:27700) to longitude/latitude (EPSG:4326)."""
    return transform(WORKING_CRS, DISPLAY_CRS, easting, northing)
