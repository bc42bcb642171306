"""Writing what the store holds in formats other tools open (a GeoPackage for QGIS).

Exports read through the same role rules as the app: a police export has coarsened points and
no personal attributes; councillor and admin exports have no records layer at all.
"""

from __future__ import annotations

import contextlib
import json
from datetime import date
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


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Times and dates as ISO text, so every format writes them the same way."""
    out = pd.DataFrame(frame).copy()
    for column in out.columns:
        values = out[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(
            values.dtype
        ):
            out[column] = values.map(lambda v: None if pd.isna(v) else v.isoformat())
        elif values.dtype == object:
            out[column] = values.map(lambda v: v.isoformat() if isinstance(v, date) else v)
    return out


def table_csv(frame: pd.DataFrame) -> str:
    """A table as CSV text with formulas neutralised (no geometry column)."""
    from geo.importing import neutralise_formula

    table = _plain(frame.drop(columns="geometry", errors="ignore"))
    return table.map(neutralise_formula).to_csv(index=False)


def table_json(frame: pd.DataFrame) -> str:
    """A table as a JSON list of objects, times as ISO text, missing values as null."""
    table = _plain(frame.drop(columns="geometry", errors="ignore"))
    records = json.loads(table.to_json(orient="records", force_ascii=False))
    return json.dumps(records, ensure_ascii=False, indent=1)


def write_table(frame: pd.DataFrame, path: str | Path) -> int:
    """Write a table as ``.csv`` (UTF-8 with BOM, as Excel opens it, formulas neutralised) or
    ``.json`` (a list of objects, missing values as null); return the rows written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        path.write_bytes(table_csv(frame).encode("utf-8-sig"))
    elif suffix == ".json":
        path.write_text(table_json(frame), encoding="utf-8")
    else:
        raise InputFileError(f"{path}: write tables as .csv or .json")
    return len(frame)


def _with_lonlat(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Features as a table: the geometry replaced by ``lon``/``lat`` of a point on it."""
    shown = frame.to_crs(DISPLAY_CRS) if frame.crs is not None else frame
    points = shown.geometry.representative_point()
    return pd.DataFrame(shown.drop(columns="geometry")).assign(
        lon=points.x.round(6), lat=points.y.round(6)
    )


def features_json(frame: gpd.GeoDataFrame) -> str:
    """Features as a JSON list of objects with ``lon``/``lat`` (EPSG:4326)."""
    return table_json(_with_lonlat(frame))


def write_features(frame: gpd.GeoDataFrame, path: str | Path) -> int:
    """Write features as ``.geojson`` (EPSG:4326, as RFC 7946 asks) or ``.gpkg``, or as a table
    (``.csv``/``.json``, with ``lon``/``lat`` columns); return the features written."""
    path = Path(path)
    suffix = path.suffix.lower()
    shown = frame.to_crs(DISPLAY_CRS) if frame.crs is not None else frame
    if suffix in (".csv", ".json"):
        return write_table(_with_lonlat(frame), path)
    if suffix not in (".geojson", ".gpkg"):
        raise InputFileError(f"{path}: write map features as .geojson, .gpkg, .csv or .json")
    path.unlink(missing_ok=True)
    out = gpd.GeoDataFrame(
        _plain(shown.drop(columns="geometry")), geometry=shown.geometry.values, crs=shown.crs
    )
    driver = "GeoJSON" if suffix == ".geojson" else "GPKG"
    out.to_file(path, driver=driver, engine="pyogrio")
    return len(out)
