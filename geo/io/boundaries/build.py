"""Building the canonical areas table from the features read, and repairing it.

Polygons only (features without a geometry, points and lines dropped, collections cut to
their polygons); codes present and unique; the CRS settled (assumed from the coordinates where
the file has none); invalid geometries repaired with ``shapely.make_valid``.
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import BoundaryError
from geo.io.boundaries.fields import Fields
from geo.io.boundaries.words import agree, as_text, count, some
from geo.schema import (
    AREA_COLUMNS,
    BNG_EASTING_RANGE,
    BNG_NORTHING_RANGE,
    DISPLAY_CRS,
    WORKING_CRS,
)

_POLYGON: Final = int(shapely.GeometryType.POLYGON)
_MULTIPOLYGON: Final = int(shapely.GeometryType.MULTIPOLYGON)
_COLLECTION: Final = int(shapely.GeometryType.GEOMETRYCOLLECTION)
_TYPE_NAMES: Final = np.array(
    ["point", "line", "ring", "polygon", "multi-point", "multi-line", "multi-polygon", "collection"]
)


def build_areas(
    frame: gpd.GeoDataFrame, fields: Fields, label: str
) -> tuple[gpd.GeoDataFrame, list[str], tuple[str, ...]]:
    """The canonical areas table, the warnings about it, and the codes of repaired areas."""
    frame = frame.reset_index(drop=True)
    codes = as_text(frame[fields.code])
    feature = "feature " + pd.Series(np.arange(1, len(frame) + 1), dtype="str")
    labels = codes.fillna(feature)
    keep, geometries, notes = _polygons_only(np.asarray(frame.geometry.array), labels, label)
    frame, codes, feature = frame[keep], codes[keep], feature[keep]
    _check_codes(codes, feature, fields.code, label)
    located, crs_notes = _to_display_crs(
        gpd.GeoDataFrame(geometry=geometries[keep], index=frame.index, crs=frame.crs), label
    )
    notes += crs_notes
    repaired_geometries, fixed, lost = _repair(np.asarray(located.geometry.array))
    repaired = tuple(codes[fixed])
    if repaired:
        notes.append(
            f"{label}: repaired the invalid geometry of {count(len(repaired), 'area')} with "
            f"shapely.make_valid ({some(repaired)}): check "
            f"{agree(len(repaired), 'it', 'them')} on the map"
        )
    if lost.any():
        notes.append(
            f"{label}: dropped {count(int(lost.sum()), 'area')} whose invalid geometry encloses "
            f"no area ({some(codes[lost])})"
        )
        if lost.all():
            raise BoundaryError(f"{label}: no geometry encloses any area: check the file in QGIS")
    kept = ~lost
    frame, codes = frame[kept], codes[kept]
    names = _names(frame, codes, fields, label, notes)
    population = _population(frame, codes, fields, label, notes)
    if fields.parent is not None:
        parents = as_text(frame[fields.parent])
    else:
        parents = pd.Series(np.nan, index=frame.index, dtype="str")
    areas = gpd.GeoDataFrame(
        {
            "area_code": codes.to_numpy(),
            "area_name": names.to_numpy(),
            "area_type": pd.array([fields.area_type] * len(codes), dtype="str"),
            "parent_code": parents.to_numpy(),
            "population": population.to_numpy(dtype=float),
        },
        geometry=repaired_geometries[kept],
        crs=DISPLAY_CRS,
    )
    for column in ("area_code", "area_name", "parent_code"):
        areas[column] = areas[column].astype("str")
    return areas[list(AREA_COLUMNS)], notes, repaired


def _polygons_only(
    geometries: np.ndarray, labels: pd.Series, label: str
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Which features to keep, their geometries (collections cut to their polygons), warnings.

    Features without a geometry are dropped; so are points and lines when polygons are also
    present. A file with no polygons at all is refused.
    """
    notes: list[str] = []
    missing = shapely.is_missing(geometries) | shapely.is_empty(geometries)
    if missing.all():
        raise BoundaryError(
            f"{label}: no feature has a geometry: export the layer again with its geometries"
        )
    if missing.any():
        notes.append(
            f"{label}: dropped {count(int(missing.sum()), 'feature')} with no geometry "
            f"({some(labels[missing])})"
        )
    types = shapely.get_type_id(geometries)
    polygonal = np.isin(types, (_POLYGON, _MULTIPOLYGON))
    collection = types == _COLLECTION
    geometries = geometries.copy()
    if collection.any():
        parts = _polygonal_parts(geometries[collection])
        has_polygons = ~shapely.is_missing(parts)
        geometries[collection] = parts
        polygonal[collection] = has_polygons
        cut = np.flatnonzero(collection)[has_polygons]
        if len(cut):
            notes.append(
                f"{label}: kept only the polygons of {count(len(cut), 'feature')} that "
                f"{agree(len(cut), 'mixes', 'mix')} polygons with points or lines "
                f"({some(labels.iloc[cut])})"
            )
    other = ~missing & ~polygonal
    if not (polygonal & ~missing).any():
        kinds = sorted(set(_TYPE_NAMES[types[other]]))
        raise BoundaryError(
            f"{label} holds {' and '.join(k + 's' for k in kinds)} but no polygons: a boundary "
            "file needs each area as a polygon (pass layer= to read a layer of polygons)"
        )
    if other.any():
        described = labels[other] + " is a " + _TYPE_NAMES[types[other]]
        notes.append(
            f"{label}: dropped {count(int(other.sum()), 'feature')} that "
            f"{agree(int(other.sum()), 'is not a polygon', 'are not polygons')} "
            f"({some(described)})"
        )
    return ~missing & polygonal, geometries, notes


def _polygonal_parts(geometries: np.ndarray) -> np.ndarray:
    """The polygons in each geometry: a Polygon, a MultiPolygon, or None where there are none."""
    parts, owner = shapely.get_parts(geometries, return_index=True)
    parts, inner = shapely.get_parts(parts, return_index=True)  # collections of multi-polygons
    owner = owner[inner]
    polygon = (shapely.get_type_id(parts) == _POLYGON) & ~shapely.is_empty(parts)
    parts, owner = parts[polygon], owner[polygon]
    result = np.full(len(geometries), None, dtype=object)
    if len(parts):
        shapely.multipolygons(parts, indices=owner, out=result)
        single = np.bincount(owner, minlength=len(geometries)) == 1
        result[single] = parts[single[owner]]
    return result


def _repair(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Geometries made valid, which were repaired, and which were lost (no area left)."""
    invalid = ~shapely.is_valid(geometries)
    fixed = np.zeros(len(geometries), dtype=bool)
    lost = np.zeros(len(geometries), dtype=bool)
    if not invalid.any():
        return geometries, fixed, lost
    geometries = geometries.copy()
    made_valid = shapely.make_valid(geometries[invalid], method="structure", keep_collapsed=False)
    polygons = _polygonal_parts(made_valid)
    empty = shapely.is_missing(polygons)
    # a multi-polygon repaired into one polygon stays a multi-polygon, like the rest of its layer
    rewrap = (shapely.get_type_id(geometries[invalid]) == _MULTIPOLYGON) & (
        shapely.get_type_id(polygons) == _POLYGON
    )
    polygons[rewrap] = shapely.multipolygons(polygons[rewrap][:, np.newaxis])
    geometries[invalid] = polygons
    fixed[np.flatnonzero(invalid)[~empty]] = True
    lost[np.flatnonzero(invalid)[empty]] = True
    return geometries, fixed, lost


def _check_codes(codes: pd.Series, feature: pd.Series, field: str, label: str) -> None:
    """Refuse blank and duplicate codes: each area is known by its code everywhere."""
    blank = codes.isna()
    if blank.any():
        n = int(blank.sum())
        raise BoundaryError(
            f"{label}: {count(n, 'feature')} {agree(n, 'has', 'have')} no code in {field} "
            f"({some(feature[blank])}): fill the codes in, or pass code_field= with a field "
            "every feature has"
        )
    repeated = codes[codes.duplicated(keep=False)]
    if not repeated.empty:
        duplicates = repeated.drop_duplicates()
        raise BoundaryError(
            f"{label}: {count(len(duplicates), 'code')} in {field} "
            f"{agree(len(duplicates), 'is', 'are')} used by more than one feature "
            f"({some(duplicates)}): each area needs its own code; dissolve the features that "
            "share a code into one (QGIS: Vector > Geoprocessing > Dissolve), or pass "
            "code_field= with a field whose values are unique"
        )


def _to_display_crs(frame: gpd.GeoDataFrame, label: str) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Reproject to ``DISPLAY_CRS``, assuming a CRS from the coordinates where the file has none.

    Coordinates all within -180..180, -90..90 are longitudes and latitudes; otherwise
    coordinates within the British National Grid box are eastings and northings.
    """
    minx, miny, maxx, maxy = frame.total_bounds
    lonlat = minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90
    grid = (
        BNG_EASTING_RANGE[0] <= minx
        and maxx <= BNG_EASTING_RANGE[1]
        and BNG_NORTHING_RANGE[0] <= miny
        and maxy <= BNG_NORTHING_RANGE[1]
    )
    span = f"x {minx:.10g} to {maxx:.10g}, y {miny:.10g} to {maxy:.10g}"
    notes: list[str] = []
    crs = frame.crs
    if crs is None:
        if lonlat:
            assumed, what = DISPLAY_CRS, "longitudes and latitudes"
        elif grid:
            assumed, what = WORKING_CRS, "British National Grid eastings and northings"
        else:
            raise BoundaryError(
                f"{label} has no CRS and its coordinates ({span}) fit neither longitude/latitude"
                " nor the British National Grid: add the .prj file that came with it, or "
                "reproject it to EPSG:4326 or EPSG:27700 (QGIS: Export > Save Features As)"
            )
        notes.append(
            f"{label} has no CRS; its coordinates are {what}, so {assumed} was assumed: if the "
            "areas land in the wrong place, save the file with its CRS (a shapefile needs its "
            ".prj) and load it again"
        )
        frame = frame.set_crs(assumed)
    elif crs.is_geographic and not lonlat:
        if not grid:
            raise BoundaryError(
                f"{label} says it is in longitude/latitude ({crs.to_string()}) but its "
                f"coordinates ({span}) are not: reproject it to EPSG:4326 or EPSG:27700 "
                "(QGIS: Export > Save Features As) and load it again"
            )
        notes.append(
            f"{label} says it is in longitude/latitude ({crs.to_string()}) but its coordinates"
            f" are British National Grid eastings and northings, so {WORKING_CRS} was assumed"
            " (GDAL reads a GeoJSON file without a crs member as longitude/latitude)"
        )
        frame = frame.set_crs(WORKING_CRS, allow_override=True)
    if frame.crs.equals(DISPLAY_CRS, ignore_axis_order=True):
        return frame.set_crs(DISPLAY_CRS, allow_override=True), notes
    located = frame.to_crs(DISPLAY_CRS)
    if not np.isfinite(located.total_bounds).all():
        raise BoundaryError(
            f"{label}: its coordinates ({span}) cannot be placed on the globe in its CRS "
            f"({frame.crs.to_string()}): check the CRS in QGIS and save the file again"
        )
    return located, notes


def _names(
    frame: gpd.GeoDataFrame, codes: pd.Series, fields: Fields, label: str, notes: list[str]
) -> pd.Series:
    if fields.name is None:
        return codes
    names = as_text(frame[fields.name])
    unnamed = names.isna()
    if unnamed.any():
        n = int(unnamed.sum())
        notes.append(
            f"{label}: {count(n, 'area')} {agree(n, 'has', 'have')} no name in {fields.name} "
            f"({some(codes[unnamed])}) and {agree(n, 'is', 'are')} named by code"
        )
    return names.fillna(codes)


def _population(
    frame: gpd.GeoDataFrame, codes: pd.Series, fields: Fields, label: str, notes: list[str]
) -> pd.Series:
    if fields.population is None:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    values = frame[fields.population]
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype(float)
        bad = numbers < 0
    else:
        text = as_text(values).str.replace(",", "", regex=False)
        numbers = pd.to_numeric(text, errors="coerce").astype(float)
        bad = (text.notna() & numbers.isna()) | (numbers < 0)
    if not bad.any():
        return numbers
    examples = codes[bad] + "=" + as_text(values[bad]).fillna("")
    if fields.population_given:
        raise BoundaryError(
            f"{label}: {fields.population} is not a count of people for "
            f"{count(int(bad.sum()), 'area')} ({some(examples)}): correct those values, or "
            "pass population_field= with a field of counts"
        )
    notes.append(
        f"{label}: {fields.population} looks like a population field but is not a count of "
        f"people for {count(int(bad.sum()), 'area')} ({some(examples)}), so it was not used: "
        "pass population_field= with a field of counts"
    )
    return pd.Series(np.nan, index=frame.index, dtype=float)
