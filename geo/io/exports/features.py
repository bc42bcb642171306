"""Map features for GIS: GeoJSON (EPSG:4326, as RFC 7946 asks) and GeoPackage, and the whole
store as a GeoPackage that QGIS opens.

Exports read through the same role rules as the app: a police export has coarsened points and
no personal attributes; councillor and admin exports have no records layer at all. Figures
keep their full precision here (GIS tools compute with them); times are ISO text.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.errors import AccessDenied, InputFileError
from geo.io.exports.tables import iso_times
from geo.schema import DISPLAY_CRS
from geo.store import Store

__all__ = ["export_geopackage", "write_geojson", "write_geopackage"]


def write_geojson(value: gpd.GeoDataFrame, path: Path, *, content: str = "features") -> int:
    """Write features as GeoJSON in EPSG:4326; return the features written."""
    return _write(value, path, driver="GeoJSON")


def write_geopackage(value: gpd.GeoDataFrame, path: Path, *, content: str = "features") -> int:
    """Write features as a one-layer GeoPackage (replaced if it exists); return the features
    written. An empty frame still makes a GeoPackage."""
    return _write(value, path, driver="GPKG")


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


def _write(frame: gpd.GeoDataFrame, path: Path, *, driver: str) -> int:
    shown = frame.to_crs(DISPLAY_CRS) if frame.crs is not None else frame
    path.unlink(missing_ok=True)
    out = gpd.GeoDataFrame(
        iso_times(shown.drop(columns="geometry")), geometry=shown.geometry.values, crs=shown.crs
    )
    out.to_file(path, driver=driver, engine="pyogrio")
    return len(out)


def _points(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    frame = frame.copy()
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].map(lambda t: None if pd.isna(t) else t.isoformat())
        elif pd.api.types.is_datetime64_any_dtype(frame[column].dtype):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    geometry = gpd.points_from_xy(frame["lon"], frame["lat"], crs=DISPLAY_CRS)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=DISPLAY_CRS)
