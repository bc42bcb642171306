"""Read a layer of areas (wards, LSOAs, any polygons) from the boundary files councils have.

Every format GDAL reads through pyogrio is accepted: GeoJSON, a shapefile (loose, or zipped, at
any depth inside the zip), GeoPackage, TopoJSON, KML/KMZ, FlatGeobuf, MapInfo, a File
Geodatabase. What comes out is always the canonical areas table of ``geo.schema.AREA_COLUMNS``
in ``DISPLAY_CRS``, with one row per area code.

How a file becomes areas, in order:

1. The layer. A file with one layer is read as it is. Of several layers, the one named by
   ``layer=`` is read; without it, the only layer of polygons is read (with a warning), and
   otherwise a ``BoundaryError`` lists the layers. A zip holding several datasets is treated the
   same way, each dataset being a "layer" named by its file name without suffix.
2. The fields. The code field is found by name, case-insensitively, best first:

   - ``area_code`` (the canonical name);
   - ONS-style and named codes of areas finer than a local authority, the finest first:
     ``OA21CD``, ``LSOA21CD``, ``MSOA21CD``, ``WD24CD``, ``PAR23CD`` ... and ``lsoa_code``,
     ``ward_code`` ...; an ONS field beats a named one of the same level;
   - ONS-style codes of other geographies (``PCON24CD``, ``CCG21CD`` ...);
   - ``gss_code``, ``geo_code``, ``geography_code``, then a bare ``code``;
   - local authority and coarser codes (``LAD24CD``, ``CTYUA23CD``, ``RGN21CD`` ...).

   Variants such as ``WD13CDO`` (the old code) or ``WD13NMW`` (the Welsh name) are never chosen
   unless named. The name field is the code field's partner (``WD13NM`` for ``WD13CD``,
   ``ward_name`` for ``ward_code``), else ``area_name``, else ``name``. The parent code is a
   ``parent_code`` field, else the finest ONS or named code of a coarser level (``LAD13CD`` for
   wards). The population is ``population_field``, else the one field named like population,
   pop or usual_residents.
3. The geometries. Features with no geometry are dropped. Points and lines are dropped when
   polygons are also present, and refused when they are all there is; a collection keeps its
   polygons. Codes must then be present and unique.
4. The CRS. A file with a CRS is reprojected to ``DISPLAY_CRS``. A file without one (a
   shapefile without its ``.prj``, TopoJSON) gets EPSG:4326 when its coordinates are
   longitudes and latitudes and EPSG:27700 when they are British National Grid eastings and
   northings. A file said to be in longitude/latitude whose coordinates are eastings and
   northings (a GeoJSON file without a ``crs`` member, which GDAL reads as EPSG:4326) is read
   as EPSG:27700. Each guess adds a warning.
5. Invalid geometries (self-intersecting rings, bow-ties) are repaired with
   ``shapely.make_valid``, keeping their polygonal parts, and reported by code.

Where each step lives: :mod:`~geo.io.boundaries.sources` finds the dataset and the layer (1)
and reads it, :mod:`~geo.io.boundaries.fields` recognises the fields (2), and
:mod:`~geo.io.boundaries.build` makes and repairs the areas table (3 to 5).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio

from geo.errors import BoundaryError
from geo.io.boundaries.build import build_areas
from geo.io.boundaries.fields import pick_fields
from geo.io.boundaries.sources import (
    choose_dataset,
    choose_layer,
    dataset_layers,
    existing,
    find_datasets,
    read_frame,
)

__all__ = ["AreaLayer", "list_layers", "read_areas"]


@dataclass(frozen=True, eq=False)
class AreaLayer:
    """A boundary file read as the canonical areas table, with what was done to it.

    Attributes
    ----------
    areas
        Columns exactly ``AREA_COLUMNS``: ``area_code``, ``area_name``, ``area_type`` (str),
        ``parent_code`` (str, missing as NA), ``population`` (float, NaN where unknown) and
        Polygon/MultiPolygon geometries in ``DISPLAY_CRS``; index 0..n-1 in file order.
    source
        The file name, with ``!layer`` when a layer was chosen among several.
    code_field, name_field
        The fields the codes and names came from (``name_field`` is None when the areas are
        named by their codes).
    warnings
        One sentence for each thing done to the file that a user should know about: a CRS
        assumed, a layer chosen, features dropped, geometries repaired.
    repaired
        Codes of the areas whose invalid geometry was repaired.
    """

    areas: gpd.GeoDataFrame
    source: str
    code_field: str
    name_field: str | None
    warnings: tuple[str, ...]
    repaired: tuple[str, ...]


def list_layers(path: str | Path) -> list[str]:
    """Names of the layers in a boundary file, for offering a choice of ``layer=``.

    A zip holding several datasets lists the datasets (file names without suffix); a zip
    holding one lists that dataset's layers.

    Raises
    ------
    InputFileError
        The file is missing or GDAL cannot read it.
    """
    file = existing(path)
    datasets = find_datasets(file)
    if len(datasets) > 1:
        return [dataset.name for dataset in datasets]
    return [name for name, _ in dataset_layers(datasets[0])]


def read_areas(
    path: str | Path,
    *,
    layer: str | None = None,
    code_field: str | None = None,
    name_field: str | None = None,
    population_field: str | None = None,
    area_type: str | None = None,
) -> AreaLayer:
    """Read a boundary file as areas: one polygon per code, in ``DISPLAY_CRS``.

    Parameters
    ----------
    path
        A file GDAL reads (GeoJSON, GeoPackage, TopoJSON, KML, shapefile...), or a ``.zip``
        holding one (a shapefile may sit in a subfolder).
    layer
        The layer to read when the file has several (see ``list_layers``).
    code_field, name_field, population_field
        Fields to use instead of the ones found by name; matched case-insensitively.
    area_type
        What the areas are ("ward", "lsoa"...); found from the code field's name otherwise
        (``WD``: ward, ``LSOA``: lsoa, ``MSOA``: msoa, ``OA``: oa, ``LAD``: lad, else area).

    Returns
    -------
    AreaLayer
        The areas and an account of what was assumed, dropped and repaired.

    Raises
    ------
    InputFileError
        The file is missing or GDAL cannot read it.
    BoundaryError
        The file cannot be a layer of areas: several layers and none chosen, no code field,
        an unknown field, blank or duplicate codes, no polygons, no CRS and coordinates that
        fit none.
    """
    for option, value in (
        ("layer", layer),
        ("code_field", code_field),
        ("name_field", name_field),
        ("population_field", population_field),
        ("area_type", area_type),
    ):
        _check_option(option, value)
    file = existing(path)
    dataset, inner_layer = choose_dataset(file, layer)
    chosen, label, notes = choose_layer(dataset, inner_layer)
    info = pyogrio.read_info(dataset.gdal_path, layer=chosen)
    fields = pick_fields(
        [str(field) for field in info["fields"]],
        label=label,
        code_field=code_field,
        name_field=name_field,
        population_field=population_field,
        area_type=area_type,
    )
    frame = read_frame(dataset, chosen, label, fields.columns)
    areas, frame_notes, repaired = build_areas(frame, fields, label)
    return AreaLayer(
        areas=areas,
        source=label,
        code_field=fields.code,
        name_field=fields.name,
        warnings=(*notes, *fields.notes, *frame_notes),
        repaired=repaired,
    )


def _check_option(option: str, value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise TypeError(f"{option} must be a string or None, not {type(value).__name__}")
    if not value.strip():
        raise BoundaryError(f"{option} is blank: leave it out or give a name")
