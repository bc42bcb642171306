"""Map features for GIS: GeoJSON (EPSG:4326, as RFC 7946 asks) and GeoPackage, one layer or
several (:func:`geo.questions.export_geopackage` writes the store's layers for a role).

Figures keep their full precision here (GIS tools compute with them); times are ISO text.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.errors import InputFileError
from geo.io.exports.tables import iso_times
from geo.schema import DISPLAY_CRS

__all__ = ["write_geojson", "write_geopackage", "write_layers"]


def write_geojson(value: gpd.GeoDataFrame, path: Path, *, content: str = "features") -> int:
    """Write features as GeoJSON in EPSG:4326; return the features written."""
    return _write(value, path, driver="GeoJSON")


def write_geopackage(value: gpd.GeoDataFrame, path: Path, *, content: str = "features") -> int:
    """Write features as a one-layer GeoPackage (replaced if it exists); return the features
    written. An empty frame still makes a GeoPackage."""
    return _write(value, path, driver="GPKG")


def write_layers(layers: dict[str, pd.DataFrame], path: str | Path) -> dict[str, int]:
    """Write several layers to one GeoPackage (replaced if it exists), skipping empty ones.

    Frames with ``lon``/``lat`` columns become points; times become ISO text. Returns the
    features written per layer.
    """
    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        raise InputFileError(f"{path}: a GeoPackage file name ends in .gpkg")
    path.unlink(missing_ok=True)
    written: dict[str, int] = {}
    for name, frame in layers.items():
        if frame.empty:
            continue
        shown = frame if isinstance(frame, gpd.GeoDataFrame) else _points(frame)
        shown.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
        written[name] = len(shown)
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
