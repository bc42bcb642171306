"""Points to areas: which ward (or LSOA, or patrol beat) each point falls in.

Rule for points on a shared boundary: a point that touches several areas is counted once, in
the area whose code sorts first. Points outside every area get no code (``None``) and are
counted apart by callers, never dropped.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely


def assign_points(
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    *,
    codes: npt.ArrayLike,
    geometries: npt.ArrayLike,
) -> np.ndarray:
    """The code of the area each point lies in, or ``None`` outside every area.

    Parameters
    ----------
    lon, lat
        Point coordinates in the same CRS as ``geometries`` (EPSG:4326 in the store).
    codes
        Area codes, one per geometry.
    geometries
        Polygon or MultiPolygon areas.
    """
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    codes = np.asarray(codes, dtype=object)
    geometries = np.asarray(geometries, dtype=object)
    result = np.full(len(x), None, dtype=object)
    if len(x) == 0 or len(codes) == 0:
        return result
    located = np.isfinite(x) & np.isfinite(y)
    order = np.argsort(codes.astype(str), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    tree = shapely.STRtree(geometries)
    index = np.flatnonzero(located)
    points = shapely.points(x[index], y[index])
    point_i, area_i = tree.query(points, predicate="intersects")
    if len(point_i) == 0:
        return result
    # several hits for a point on a shared boundary: keep the area whose code sorts first
    key = np.lexsort((rank[area_i], point_i))
    point_i, area_i = point_i[key], area_i[key]
    first = np.ones(len(point_i), dtype=bool)
    first[1:] = point_i[1:] != point_i[:-1]
    result[index[point_i[first]]] = codes[area_i[first]]
    return result
