"""Tiny named wards, places and records that tests share, each small enough to check by hand.

The model is shapely's test geometries: one module of named shapes, so a test says "a sighting
at the clock tower, in East ward" instead of building its own boxes and points. Everything is
in Brighton, in longitude/latitude (EPSG:4326) unless its name ends in ``_BNG`` (metres on the
British National Grid, EPSG:27700).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import geopandas as gpd
import shapely

from geo.importing import import_areas
from geo.store import Store, open_store

# -- wards ------------------------------------------------------------------------------------
#: Two wards side by side, split at longitude -0.14.
WEST_WARD: Final = shapely.box(-0.20, 50.80, -0.14, 50.86)
EAST_WARD: Final = shapely.box(-0.14, 50.80, -0.08, 50.86)
#: Both together: one ward covering the two.
CENTRAL_WARD: Final = shapely.box(-0.20, 50.80, -0.08, 50.86)

#: Two 1 km squares side by side on the British National Grid, split at easting 531,000.
WEST_WARD_BNG: Final = shapely.box(530_000, 105_000, 531_000, 106_000)
EAST_WARD_BNG: Final = shapely.box(531_000, 105_000, 532_000, 106_000)

# -- places (longitude, latitude) -------------------------------------------------------------
#: In East ward.
CLOCK_TOWER: Final = (-0.1372, 50.8226)
#: In West ward.
STATION_ROAD: Final = (-0.1500, 50.8300)


def ward_file(
    folder: Path,
    *,
    names: dict[str, str] | None = None,
    shapes: tuple[shapely.Geometry, ...] = (WEST_WARD, EAST_WARD),
) -> Path:
    """Write wards as an ONS-style GeoJSON boundary file (``WD24CD``/``WD24NM``); return it.

    ``names`` maps codes to names, by default ``E05000001`` West and ``E05000002`` East.
    """
    names = names or {"E05000001": "West", "E05000002": "East"}
    frame = gpd.GeoDataFrame(
        {"WD24CD": list(names), "WD24NM": list(names.values())},
        geometry=list(shapes),
        crs="EPSG:4326",
    )
    path = folder / "wards.geojson"
    frame.to_file(path, driver="GeoJSON")
    return path


def store_with_wards(folder: Path, **options: object) -> Store:
    """A new store in ``folder`` holding the wards :func:`ward_file` writes (same options)."""
    store = open_store(folder / "atlas.sqlite")
    import_areas(store, ward_file(folder, **options))  # type: ignore[arg-type]
    return store
