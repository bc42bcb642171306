"""Reading a vector file as base map features: every usable layer, each feature given a kind.

Any file GDAL reads will do: a GeoPackage such as OS OpenMap Local (layers Road,
SurfaceWater_Area, TidalWater, Foreshore, Woodland, Building, RailwayTrack, RailwayStation,
NamedPlace, FunctionalSite...), a shapefile, GeoJSON. Each layer of lines, polygons or points
is read, only within ``clip`` when given (GDAL's spatial index does the cutting), and each
feature gets a kind (:func:`geo.io.basemap.style.kind_of`) from its class column, its layer's
name or its shape, a name from its name column (``name``, OS's ``distinctive_name``...), and
for places a size (OS's ``font_height``). Out comes one frame in Web Mercator.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely
from pyproj import CRS, Transformer

from geo.errors import InputFileError
from geo.io.basemap.grid import WEB_MERCATOR, Box, mercator
from geo.io.basemap.style import Shape, kind_of, skipped_layer
from geo.io.gdal_files import GDAL_ERRORS

#: Columns holding a feature's name, class and (places) size, tried in this order; any case.
NAME_COLUMNS: Final = (
    "name", "distinctive_name", "distinctivename", "distname", "name1", "road_name",
    "roadname", "street", "label", "text",
)  # fmt: skip
CLASS_COLUMNS: Final = (
    "kind", "classification", "classifica", "class", "fclass", "feature_type", "featuretype",
    "feature", "highway", "type", "theme",
)  # fmt: skip
SIZE_COLUMNS: Final = ("font_height", "fontheight", "size")

_SHAPES: Final[dict[int, Shape]] = {
    int(shapely.GeometryType.POINT): "point",
    int(shapely.GeometryType.MULTIPOINT): "point",
    int(shapely.GeometryType.LINESTRING): "line",
    int(shapely.GeometryType.MULTILINESTRING): "line",
    int(shapely.GeometryType.LINEARRING): "line",
    int(shapely.GeometryType.POLYGON): "area",
    int(shapely.GeometryType.MULTIPOLYGON): "area",
}
FEATURE_COLUMNS: Final = ("kind", "name", "size", "layer", "geometry")


def layers_of(file: Path) -> list[tuple[str, str]]:
    """``(layer, geometry type)`` of each layer of ``file`` that could go on a base map."""
    try:
        listed = pyogrio.list_layers(file)
    except GDAL_ERRORS as err:
        raise InputFileError(
            f"{file}: GDAL cannot read it as a vector file ({_first_line(err)}); give a "
            "GeoPackage (such as OS OpenMap Local), a shapefile or GeoJSON, or an .mbtiles "
            "file of raster tiles"
        ) from None
    usable = [
        (str(name), str(kind))
        for name, kind in listed
        if kind is not None and not skipped_layer(str(name))
    ]
    if not usable:
        found = ", ".join(f"{name} ({kind or 'no geometry'})" for name, kind in listed)
        raise InputFileError(
            f"{file}: no layer of lines, polygons or points it can use as a base map "
            f"(layers: {found or 'none'})"
        )
    return usable


def extent(file: Path, layers: Sequence[tuple[str, str]]) -> Box:
    """The Web Mercator box holding every feature of ``layers``."""
    boxes = []
    for layer, _ in layers:
        info = _info(file, layer)
        bounds = info.get("total_bounds")
        if bounds is None or not np.all(np.isfinite(bounds)) or info.get("crs") is None:
            continue
        boxes.append(_to_mercator_box(tuple(float(b) for b in bounds), info["crs"]))
    if not boxes:
        raise InputFileError(f"{file}: none of its layers has a known extent and CRS")
    stacked = np.array(boxes)
    return (
        float(stacked[:, 0].min()),
        float(stacked[:, 1].min()),
        float(stacked[:, 2].max()),
        float(stacked[:, 3].max()),
    )


def read_features(
    file: Path, layers: Sequence[tuple[str, str]], *, clip: Box | None
) -> gpd.GeoDataFrame:
    """The features of ``layers`` within the Web Mercator box ``clip`` (all when None).

    Columns ``kind``, ``name`` ("" when none), ``size`` (a place's size word, else "") and
    ``layer``; geometry in Web Mercator, cut to ``clip``, without empty or missing shapes.
    """
    frames = [_read_layer(file, layer, clip=clip) for layer, _ in layers]
    frames = [frame for frame in frames if len(frame)]
    if not frames:
        where = "within the wards' area (plus a margin)" if clip is not None else "at all"
        raise InputFileError(
            f"{file}: none of its features lies {where}; is it the file for this area? Import "
            "the wards it goes with first, or check the file in QGIS"
        )
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=WEB_MERCATOR)


def _read_layer(file: Path, layer: str, *, clip: Box | None) -> gpd.GeoDataFrame:
    info = _info(file, layer)
    if info.get("crs") is None:
        raise InputFileError(
            f"{file}, layer {layer!r}: it has no coordinate reference system; set one in QGIS "
            "or with ogr2ogr -a_srs EPSG:27700 (British National Grid), then import it again"
        )
    fields = [str(f) for f in info.get("fields", [])]
    name_column = _first_column(fields, NAME_COLUMNS)
    class_column = _first_column(fields, CLASS_COLUMNS)
    size_column = _first_column(fields, SIZE_COLUMNS)
    wanted = [c for c in dict.fromkeys((name_column, class_column, size_column)) if c]
    bbox = None if clip is None else _from_mercator_box(clip, info["crs"])
    try:
        frame = pyogrio.read_dataframe(
            file, layer=layer, columns=wanted, bbox=bbox, force_2d=True, on_invalid="ignore"
        )
    except GDAL_ERRORS as err:
        raise InputFileError(f"{file}, layer {layer!r}: {_first_line(err)}") from None
    geometry = np.asarray(frame.geometry.to_crs(WEB_MERCATOR).to_numpy(), dtype=object)
    present = ~(shapely.is_missing(geometry) | shapely.is_empty(geometry))
    if clip is not None:
        geometry = np.where(present, shapely.clip_by_rect(_valid(geometry), *clip), None)
        present = ~(shapely.is_missing(geometry) | shapely.is_empty(geometry))
    shapes = pd.Series(shapely.get_type_id(geometry)).map(_SHAPES)
    keep = present & shapes.notna().to_numpy()
    classes = _text(frame, class_column)
    # one look-up per distinct (class, shape), not per feature: a layer has few of them
    pairs = pd.DataFrame({"value": classes[keep], "shape": shapes.to_numpy()[keep]})
    distinct = pairs.drop_duplicates()
    distinct["kind"] = [
        kind_of(value or None, layer, shape)
        for value, shape in zip(distinct["value"], distinct["shape"], strict=True)
    ]
    kinds = pairs.merge(distinct, on=["value", "shape"], how="left")["kind"].to_numpy()
    return gpd.GeoDataFrame(
        {
            "kind": kinds,
            "name": _text(frame, name_column)[keep],
            "size": _text(frame, size_column)[keep],
            "layer": layer,
        },
        geometry=geometry[keep],
        crs=WEB_MERCATOR,
    )


def _info(file: Path, layer: str) -> dict:
    try:
        return pyogrio.read_info(file, layer=layer, force_total_bounds=True)
    except GDAL_ERRORS as err:
        raise InputFileError(f"{file}, layer {layer!r}: {_first_line(err)}") from None


def _first_column(fields: Sequence[str], wanted: Sequence[str]) -> str | None:
    by_lower = {f.lower(): f for f in fields}
    return next((by_lower[w] for w in wanted if w in by_lower), None)


def _text(frame: pd.DataFrame, column: str | None) -> np.ndarray:
    if column is None:
        return np.full(len(frame), "", dtype=object)
    values = frame[column]
    return values.where(values.notna(), "").astype(str).str.strip().to_numpy(dtype=object)


def _valid(geometry: np.ndarray) -> np.ndarray:
    """Invalid shapes (self-crossing rings, as published data has) repaired; others as they are."""
    bad = ~shapely.is_valid(geometry) & ~shapely.is_missing(geometry)
    if bad.any():
        geometry = geometry.copy()
        geometry[bad] = shapely.make_valid(geometry[bad])
    return geometry


def _to_mercator_box(bounds: Box, crs: str) -> Box:
    if CRS.from_user_input(crs).is_geographic:
        xs, ys = mercator([bounds[0], bounds[2]], [bounds[1], bounds[3]])
        return (float(xs[0]), float(ys[0]), float(xs[1]), float(ys[1]))
    box = Transformer.from_crs(crs, WEB_MERCATOR, always_xy=True).transform_bounds(*bounds)
    return (float(box[0]), float(box[1]), float(box[2]), float(box[3]))


def _from_mercator_box(box: Box, crs: str) -> Box:
    found = Transformer.from_crs(WEB_MERCATOR, crs, always_xy=True).transform_bounds(*box)
    return (float(found[0]), float(found[1]), float(found[2]), float(found[3]))


def _first_line(err: Exception) -> str:
    """GDAL's message, first line, without its advice on drivers (not the user's concern)."""
    text = str(err).strip()
    line = text.splitlines()[0] if text else type(err).__name__
    return line.split("; It might help")[0].rstrip(".")
