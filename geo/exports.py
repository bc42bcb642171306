"""Writing what the store holds in formats other tools open (a GeoPackage for QGIS).

Exports read through the same role rules as the app: a police export has coarsened points and
no personal attributes; councillor and admin exports have no records layer at all.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.errors import AccessDenied, InputFileError
from geo.schema import DISPLAY_CRS
from geo.store import Store


def _points(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    frame = frame.copy()
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].map(lambda t: None if pd.isna(t) else t.isoformat())
        elif pd.api.types.is_datetime64_any_dtype(frame[column].dtype):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    geometry = gpd.points_from_xy(frame["lon"], frame["lat"], crs=DISPLAY_CRS)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=DISPLAY_CRS)


def export_geopackage(store: Store, path: str | Path, *, role: str) -> dict[str, int]:
    """Write wards, records (as ``role`` may see them), services and police incidents to a GPKG.

    The file is replaced if it exists. Returns the number of features per layer written.
    """
    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        raise InputFileError(f"{path}: a GeoPackage file name ends in .gpkg")
    path.unlink(missing_ok=True)
    written: dict[str, int] = {}
    layers: dict[str, gpd.GeoDataFrame] = {"wards": store.areas(layer="ward")}
    with contextlib.suppress(AccessDenied):  # roles that see no records get no layer
        layers["records"] = _points(store.records(role=role))
    layers["services"] = _points(store.services())
    layers["police_incidents"] = _points(store.police_incidents())
    for name, frame in layers.items():
        if frame.empty:
            continue
        frame.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
        written[name] = len(frame)
    return written
