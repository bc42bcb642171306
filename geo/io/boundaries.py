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
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely

from geo.errors import BoundaryError, InputFileError
from geo.schema import (
    AREA_COLUMNS,
    BNG_EASTING_RANGE,
    BNG_NORTHING_RANGE,
    DISPLAY_CRS,
    WORKING_CRS,
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
    file = _existing(path)
    datasets = _datasets(file)
    if len(datasets) > 1:
        return [dataset.name for dataset in datasets]
    return [name for name, _ in _layers(datasets[0])]


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
    file = _existing(path)
    dataset, inner_layer = _choose_dataset(file, layer)
    chosen, label, notes = _choose_layer(dataset, inner_layer)
    info = pyogrio.read_info(dataset.gdal_path, layer=chosen)
    fields = _pick_fields(
        [str(field) for field in info["fields"]],
        label=label,
        code_field=code_field,
        name_field=name_field,
        population_field=population_field,
        area_type=area_type,
    )
    frame = _read_frame(dataset, chosen, label, fields.columns)
    areas, frame_notes, repaired = _build_areas(frame, fields, label)
    return AreaLayer(
        areas=areas,
        source=label,
        code_field=fields.code,
        name_field=fields.name,
        warnings=(*notes, *fields.notes, *frame_notes),
        repaired=repaired,
    )


# --- finding the dataset and the layer -------------------------------------------------------

#: Suffixes of the datasets looked for inside a zip; ``.json`` only when none of these is there
#: (zips from data portals often carry JSON metadata beside a shapefile).
_ZIP_DATASET_SUFFIXES: Final = (
    ".shp",
    ".gpkg",
    ".geojson",
    ".topojson",
    ".kml",
    ".kmz",
    ".gml",
    ".fgb",
    ".tab",
    ".mif",
)
_POLYGON_TYPE: Final = re.compile(r"polygon|surface", re.IGNORECASE)


@dataclass(frozen=True)
class _Dataset:
    """One dataset GDAL opens: the file itself, or a member of a zip."""

    gdal_path: str
    label: str  # how messages name it: "wards.zip", "wards.zip!wards_2013"
    name: str  # its name as a choice among the datasets of a zip


def _check_option(option: str, value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise TypeError(f"{option} must be a string or None, not {type(value).__name__}")
    if not value.strip():
        raise BoundaryError(f"{option} is blank: leave it out or give a name")


def _existing(path: str | Path) -> Path:
    if not isinstance(path, str | Path):
        raise TypeError(f"path must be a str or Path, not {type(path).__name__}")
    file = Path(path)
    if not file.exists():
        raise InputFileError(f"boundary file {file} does not exist: check the path and name")
    return file


def _datasets(file: Path) -> list[_Dataset]:
    """The datasets in a file: itself, or those inside a zip."""
    if file.is_dir() or file.suffix.lower() != ".zip":
        if file.suffix.lower() == ".shp":
            siblings = {sibling.name.lower() for sibling in file.parent.iterdir()}
            _check_shapefile_parts(siblings, shp=file.name, where=file.name)
        return [_Dataset(gdal_path=str(file), label=file.name, name=file.stem)]
    members = _zip_members(file)
    found = _zip_datasets(members)
    if not found:
        shown = _some(sorted(members)) if members else "nothing"
        raise BoundaryError(
            f"{file.name} holds no boundary file (it holds {shown}): zip the shapefile's "
            ".shp, .shx, .dbf and .prj together, or give a GeoJSON or GeoPackage file"
        )
    lowered = {member.lower() for member in members}
    for member in found:
        if member.lower().endswith(".shp"):
            _check_shapefile_parts(lowered, shp=member, where=file.name)
    stems = [Path(member).stem for member in found]
    if len(set(stems)) < len(stems):  # same file name in two folders: name them by path
        stems = [str(Path(member).with_suffix("")) for member in found]
    base = f"/vsizip/{file.resolve().as_posix()}"
    return [
        _Dataset(gdal_path=f"{base}/{member}", label=file.name, name=name)
        for member, name in zip(found, stems, strict=True)
    ]


def _zip_members(file: Path) -> list[str]:
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile as err:
        raise InputFileError(
            f"{file.name} is not a readable zip file ({err}): download it again or unzip it "
            "and give the boundary file itself"
        ) from err
    return [
        name
        for name in names
        if not name.startswith("__MACOSX/") and not Path(name).name.startswith("._")
    ]


def _zip_datasets(members: Sequence[str]) -> list[str]:
    """Members of a zip that are datasets: files with a known suffix, and ``.gdb`` folders."""
    geodatabases = sorted(
        {match[1] for m in members if (match := re.match(r"(.*?\.gdb)/", m, re.IGNORECASE))}
    )
    files = [m for m in members if Path(m).suffix.lower() in _ZIP_DATASET_SUFFIXES]
    files = [m for m in files if not any(m.startswith(f"{gdb}/") for gdb in geodatabases)]
    found = sorted(files) + geodatabases
    if not found:
        found = sorted(m for m in members if Path(m).suffix.lower() == ".json")
    return found


def _check_shapefile_parts(names: set[str], *, shp: str, where: str) -> None:
    """Refuse a shapefile whose index (.shx) or attribute table (.dbf) is missing."""
    stem = shp[: -len(".shp")]
    missing = [suffix for suffix in (".shx", ".dbf") if f"{stem}{suffix}".lower() not in names]
    if missing:
        raise BoundaryError(
            f"{where}: {shp} comes without {' and '.join(stem + s for s in missing)}: a "
            "shapefile is several files; give all of them (.shp, .shx, .dbf and .prj) "
            "together, zipped if you like"
        )


def _choose_dataset(file: Path, layer: str | None) -> tuple[_Dataset, str | None]:
    """The dataset to read and the layer still to choose inside it."""
    datasets = _datasets(file)
    if len(datasets) == 1:
        return datasets[0], layer
    names = [dataset.name for dataset in datasets]
    if layer is None:
        raise BoundaryError(
            f"{file.name} holds {len(names)} boundary files ({_some(names)}): pass layer= "
            "with the one to read"
        )
    match = _match_name(layer, names)
    if match is None:
        raise BoundaryError(
            f"{file.name} holds no boundary file {layer!r}; it holds {_some(names)}: pass "
            "layer= with one of them"
        )
    dataset = datasets[names.index(match)]
    return _Dataset(dataset.gdal_path, f"{file.name}!{match}", dataset.name), None


def _layers(dataset: _Dataset) -> list[tuple[str, str]]:
    """(name, geometry type) of each layer, as GDAL reports them."""
    try:
        listed = pyogrio.list_layers(dataset.gdal_path)
    except pyogrio.errors.DataSourceError as err:
        raise InputFileError(
            f"{dataset.label} cannot be read as a boundary file "
            f"({_first_line(err, dataset.gdal_path)}): save it as GeoJSON, GeoPackage, a "
            "zipped shapefile, TopoJSON or KML"
        ) from err
    return [(str(name), str(kind)) for name, kind in listed]


def _choose_layer(dataset: _Dataset, layer: str | None) -> tuple[str, str, list[str]]:
    """The layer to read, the label naming it, and a warning when it was chosen for the user."""
    layers = _layers(dataset)
    names = [name for name, _ in layers]
    if not names:
        raise BoundaryError(f"{dataset.label} has no layers: it holds no features to read")
    if layer is not None:
        match = _match_name(layer, names)
        if match is None:
            raise BoundaryError(
                f"{dataset.label} has no layer {layer!r}; its layers are {_some(names)}: pass "
                "layer= with one of them"
            )
        return match, f"{dataset.label}!{match}", []
    if len(names) == 1:
        return names[0], dataset.label, []
    polygonal = [name for name, kind in layers if _holds_polygons(dataset, name, kind)]
    if len(polygonal) != 1:
        raise BoundaryError(
            f"{dataset.label} has {len(names)} layers ({_some(names)}): pass layer= with the "
            "one holding the areas"
        )
    chosen = polygonal[0]
    others = [name for name in names if name != chosen]
    note = (
        f"{dataset.label} has {len(names)} layers; read {chosen!r}, the only one of polygons "
        f"(not {_some(others)}): pass layer= to read another"
    )
    return chosen, f"{dataset.label}!{chosen}", [note]


def _holds_polygons(dataset: _Dataset, layer: str, kind: str) -> bool:
    """Whether a layer holds polygons: by its declared type, else by reading its geometries."""
    if _POLYGON_TYPE.search(kind):
        return True
    if kind.lower() not in {"unknown", "geometry", "geometrycollection"}:
        return False
    frame = pyogrio.read_dataframe(dataset.gdal_path, layer=layer, columns=[])
    types = shapely.get_type_id(np.asarray(frame.geometry.array))
    return bool(np.isin(types, (_POLYGON, _MULTIPOLYGON, _COLLECTION)).any())


def _match_name(wanted: str, names: Sequence[str]) -> str | None:
    """The name equal to ``wanted``, else the only one equal ignoring case."""
    if wanted in names:
        return wanted
    folded = [name for name in names if name.casefold() == wanted.strip().casefold()]
    return folded[0] if len(folded) == 1 else None


def _first_line(err: Exception, gdal_path: str) -> str:
    return str(err).splitlines()[0].replace(f"'{gdal_path}' ", "").strip() if str(err) else ""


# --- finding the fields ----------------------------------------------------------------------

#: Area type and level (finer is lower) of each kind of code, by the prefix of its field name.
_KINDS: Final[dict[str, tuple[str, int]]] = {
    "oa": ("oa", 0),
    "lsoa": ("lsoa", 1),
    "msoa": ("msoa", 2),
    "wd": ("ward", 3),
    "ward": ("ward", 3),
    "par": ("area", 3),
    "parish": ("area", 3),
    "ced": ("area", 3),
    "lad": ("lad", 4),
    "ltla": ("lad", 4),
    "la": ("lad", 4),
    "ctyua": ("area", 5),
    "utla": ("area", 5),
    "cty": ("area", 5),
    "rgn": ("area", 6),
    "ctry": ("area", 7),
}
#: Level of a local authority: codes of this level or coarser describe a parent first.
_LAD_LEVEL: Final = 4
#: Prefixes of "<prefix>_code" fields that hold some area's code without saying which.
_GENERIC_KINDS: Final = frozenset({"area", "gss", "geo", "geography"})
#: ONS style: prefix, two-digit year, CD or NM, then a variant letter (WD13CDO, WD13NMW).
_ONS_FIELD: Final = re.compile(
    r"(?P<kind>[a-z]+?)(?P<year>\d{2})(?P<role>cd|nm)(?P<variant>[a-z]*)"
)
#: Named style: ward_code, lsoa_name, area_code, wardname, code, name.
_NAMED_FIELD: Final = re.compile(r"(?:(?P<kind>[a-z]+?)_?)?(?P<role>code|name)")
_POPULATION_FIELD: Final = re.compile(
    r"(?:^|_)(?:population|pop|usual_residents|residents)(?:$|_|\d)"
)
_NOT_A_COUNT: Final = frozenset(
    {"density", "dens", "change", "chg", "pct", "percent", "rate", "share", "prop", "per", "ha"}
)


@dataclass(frozen=True)
class _FieldName:
    """What a field's name says it holds."""

    field: str  # as spelled in the file
    kind: str | None  # "wd", "ward", "lsoa", "gss"...; None for a bare code or name
    year: str | None
    role: str  # "code" or "name"
    ons: bool
    variant: str  # "o" of WD13CDO, "w" of WD13NMW; "" for the plain field

    @property
    def level(self) -> int | None:
        return _KINDS[self.kind][1] if self.kind in _KINDS else None


def _read_name(field: str) -> _FieldName | None:
    low = field.strip().lower()
    if match := _ONS_FIELD.fullmatch(low):
        role = "code" if match["role"] == "cd" else "name"
        return _FieldName(field, match["kind"], match["year"], role, True, match["variant"])
    if match := _NAMED_FIELD.fullmatch(low):
        kind = match["kind"]
        if kind is None or kind in _KINDS or kind in _GENERIC_KINDS:
            return _FieldName(field, kind, None, match["role"], False, "")
    return None


def _code_rank(name: _FieldName) -> tuple[int, int, int]:
    """Sort key of a candidate code field: lower is more likely the areas' own code."""
    level = name.level
    if name.field.lower() == "area_code":
        return (0, 0, 0)
    if level is not None and level < _LAD_LEVEL:
        return (1, level, 0 if name.ons else 1)
    if name.ons and level is None:
        return (2, 0, 0)
    if name.kind in _GENERIC_KINDS:
        return (3, 0, 0)
    if name.kind is None:
        return (4, 0, 0)
    return (5, level or 0, 0 if name.ons else 1)


@dataclass(frozen=True)
class _Fields:
    """The fields chosen for each canonical column, and what was noticed choosing them."""

    code: str
    name: str | None
    parent: str | None
    population: str | None
    population_given: bool
    area_type: str
    notes: tuple[str, ...]

    @property
    def columns(self) -> list[str]:
        wanted = (self.code, self.name, self.parent, self.population)
        return list(dict.fromkeys(field for field in wanted if field is not None))


def _pick_fields(
    fields: list[str],
    *,
    label: str,
    code_field: str | None,
    name_field: str | None,
    population_field: str | None,
    area_type: str | None,
) -> _Fields:
    named = [name for field in fields if (name := _read_name(field)) is not None]
    notes: list[str] = []
    if code_field is not None:
        code = _given_field(code_field, fields, label=label, option="code_field")
    else:
        code = _find_code(named, fields, label=label)
    code_name = _read_name(code)
    if name_field is not None:
        name = _given_field(name_field, fields, label=label, option="name_field")
    else:
        name = _find_name(code_name, named, fields)
        if name is None:
            notes.append(
                f"{label} has no name field (fields: {_some(fields)}); the areas are named by "
                "their codes: pass name_field= to use one"
            )
    parent = _find_parent(code_name, named, fields)
    if population_field is not None:
        population = _given_field(population_field, fields, label=label, option="population_field")
    else:
        population = _find_population(fields, label=label, notes=notes)
    if area_type is not None:
        kind = area_type.strip().lower()
    elif code_name is not None and code_name.kind in _KINDS:
        kind = _KINDS[code_name.kind][0]
    else:
        kind = "area"
    return _Fields(
        code=code,
        name=name,
        parent=parent if parent not in {code, name} else None,
        population=population,
        population_given=population_field is not None,
        area_type=kind,
        notes=tuple(notes),
    )


def _given_field(wanted: str, fields: list[str], *, label: str, option: str) -> str:
    match = _match_name(wanted, fields)
    if match is None:
        raise BoundaryError(
            f"{label} has no field {wanted!r} (its fields are {_some(fields, limit=30)}): pass "
            f"{option}= with one of them"
        )
    return match


def _find_code(named: list[_FieldName], fields: list[str], *, label: str) -> str:
    candidates = [name for name in named if name.role == "code" and not name.variant]
    if not candidates:
        raise BoundaryError(
            f"{label} has no area code field (like WD24CD, LSOA21CD or area_code) among its "
            f"fields {_some(fields, limit=30)}: pass code_field= with the one holding the codes"
        )
    best = min(_code_rank(name) for name in candidates)
    tied = [name.field for name in candidates if _code_rank(name) == best]
    if len(tied) > 1:
        raise BoundaryError(
            f"{label} has several fields that could hold the area codes ({_some(tied)}): pass "
            "code_field= with the one for these boundaries"
        )
    return tied[0]


def _find_name(code: _FieldName | None, named: list[_FieldName], fields: list[str]) -> str | None:
    names = [name for name in named if name.role == "name" and not name.variant]
    if code is not None:
        for name in names:
            if (name.kind, name.year, name.ons) == (code.kind, code.year, code.ons):
                return name.field
        same_kind = [name.field for name in names if code.kind in _KINDS and name.kind == code.kind]
        if len(same_kind) == 1:  # WD24NM for WD23CD
            return same_kind[0]
    for wanted in ("area_name", "name"):
        match = _match_name(wanted, fields)
        if match is not None:
            return match
    return None


def _find_parent(code: _FieldName | None, named: list[_FieldName], fields: list[str]) -> str | None:
    """A ``parent_code`` field, else the finest code field of a coarser level than the code's.

    A code of unknown level (``code``, ``gss_code``, a field given by the user) is taken to be
    finer than a local authority, as its rank in ``_code_rank`` assumes.
    """
    given = _match_name("parent_code", fields)
    if given is not None:
        return given
    level = code.level if code is not None and code.level is not None else _LAD_LEVEL - 1
    coarser = [
        name
        for name in named
        if name.role == "code"
        and not name.variant
        and name.level is not None
        and name.level > level
    ]
    if not coarser:
        return None
    return min(coarser, key=lambda name: (name.level, not name.ons)).field


def _find_population(fields: list[str], *, label: str, notes: list[str]) -> str | None:
    found = [
        field
        for field in fields
        if _POPULATION_FIELD.search(low := re.sub(r"[^0-9a-z]+", "_", field.lower()))
        and not _NOT_A_COUNT.intersection(low.split("_"))
    ]
    if len(found) > 1:
        notes.append(
            f"{label} has several population fields ({_some(found)}); none was used: pass "
            "population_field= with the right one"
        )
        return None
    return found[0] if found else None


# --- reading and cleaning --------------------------------------------------------------------

_POLYGON: Final = int(shapely.GeometryType.POLYGON)
_MULTIPOLYGON: Final = int(shapely.GeometryType.MULTIPOLYGON)
_COLLECTION: Final = int(shapely.GeometryType.GEOMETRYCOLLECTION)
_TYPE_NAMES: Final = np.array(
    ["point", "line", "ring", "polygon", "multi-point", "multi-line", "multi-polygon", "collection"]
)
_GDAL_ERRORS: Final = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FeatureError,
    pyogrio.errors.FieldError,
    pyogrio.errors.GeometryError,
    pyogrio.errors.CRSError,
)


def _read_frame(dataset: _Dataset, layer: str, label: str, columns: list[str]) -> gpd.GeoDataFrame:
    try:
        frame = gpd.read_file(
            dataset.gdal_path, layer=layer, columns=columns, engine="pyogrio", force_2d=True
        )
    except _GDAL_ERRORS as err:
        raise InputFileError(
            f"{label} cannot be read ({_first_line(err, dataset.gdal_path)}): save it again as "
            "GeoJSON or GeoPackage and load that"
        ) from err
    if frame.empty:
        raise BoundaryError(f"{label} has no features: it holds no areas to read")
    return frame


def _build_areas(
    frame: gpd.GeoDataFrame, fields: _Fields, label: str
) -> tuple[gpd.GeoDataFrame, list[str], tuple[str, ...]]:
    """The canonical areas table, the warnings about it, and the codes of repaired areas."""
    frame = frame.reset_index(drop=True)
    codes = _as_text(frame[fields.code])
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
            f"{label}: repaired the invalid geometry of {_count(len(repaired), 'area')} with "
            f"shapely.make_valid ({_some(repaired)}): check "
            f"{_agree(len(repaired), 'it', 'them')} on the map"
        )
    if lost.any():
        notes.append(
            f"{label}: dropped {_count(int(lost.sum()), 'area')} whose invalid geometry encloses "
            f"no area ({_some(codes[lost])})"
        )
        if lost.all():
            raise BoundaryError(f"{label}: no geometry encloses any area: check the file in QGIS")
    kept = ~lost
    frame, codes = frame[kept], codes[kept]
    names = _names(frame, codes, fields, label, notes)
    population = _population(frame, codes, fields, label, notes)
    if fields.parent is not None:
        parents = _as_text(frame[fields.parent])
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
            f"{label}: dropped {_count(int(missing.sum()), 'feature')} with no geometry "
            f"({_some(labels[missing])})"
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
                f"{label}: kept only the polygons of {_count(len(cut), 'feature')} that "
                f"{_agree(len(cut), 'mixes', 'mix')} polygons with points or lines "
                f"({_some(labels.iloc[cut])})"
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
            f"{label}: dropped {_count(int(other.sum()), 'feature')} that "
            f"{_agree(int(other.sum()), 'is not a polygon', 'are not polygons')} "
            f"({_some(described)})"
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
            f"{label}: {_count(n, 'feature')} {_agree(n, 'has', 'have')} no code in {field} "
            f"({_some(feature[blank])}): fill the codes in, or pass code_field= with a field "
            "every feature has"
        )
    repeated = codes[codes.duplicated(keep=False)]
    if not repeated.empty:
        duplicates = repeated.drop_duplicates()
        raise BoundaryError(
            f"{label}: {_count(len(duplicates), 'code')} in {field} "
            f"{_agree(len(duplicates), 'is', 'are')} used by more than one feature "
            f"({_some(duplicates)}): each area needs its own code; dissolve the features that "
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
    frame: gpd.GeoDataFrame, codes: pd.Series, fields: _Fields, label: str, notes: list[str]
) -> pd.Series:
    if fields.name is None:
        return codes
    names = _as_text(frame[fields.name])
    unnamed = names.isna()
    if unnamed.any():
        n = int(unnamed.sum())
        notes.append(
            f"{label}: {_count(n, 'area')} {_agree(n, 'has', 'have')} no name in {fields.name} "
            f"({_some(codes[unnamed])}) and {_agree(n, 'is', 'are')} named by code"
        )
    return names.fillna(codes)


def _population(
    frame: gpd.GeoDataFrame, codes: pd.Series, fields: _Fields, label: str, notes: list[str]
) -> pd.Series:
    if fields.population is None:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    values = frame[fields.population]
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype(float)
        bad = numbers < 0
    else:
        text = _as_text(values).str.replace(",", "", regex=False)
        numbers = pd.to_numeric(text, errors="coerce").astype(float)
        bad = (text.notna() & numbers.isna()) | (numbers < 0)
    if not bad.any():
        return numbers
    examples = codes[bad] + "=" + _as_text(values[bad]).fillna("")
    if fields.population_given:
        raise BoundaryError(
            f"{label}: {fields.population} is not a count of people for "
            f"{_count(int(bad.sum()), 'area')} ({_some(examples)}): correct those values, or "
            "pass population_field= with a field of counts"
        )
    notes.append(
        f"{label}: {fields.population} looks like a population field but is not a count of "
        f"people for {_count(int(bad.sum()), 'area')} ({_some(examples)}), so it was not used: "
        "pass population_field= with a field of counts"
    )
    return pd.Series(np.nan, index=frame.index, dtype=float)


# --- small helpers ---------------------------------------------------------------------------


def _as_text(values: pd.Series) -> pd.Series:
    """Values as stripped strings, with missing and blank values as NA (integral floats: 12)."""
    if pd.api.types.is_float_dtype(values):
        present = values.dropna()
        if (present == present.round()).all():
            values = values.astype("Int64")
    text = values.astype("str").str.strip()
    return text.mask(text == "")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _agree(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _some(items: Sequence[str] | pd.Series, *, limit: int = 10) -> str:
    """Items joined by commas, the first ``limit`` of them, then "and N more"."""
    listed = [str(item) for item in items]
    if len(listed) <= limit:
        return ", ".join(listed)
    return f"{', '.join(listed[:limit])} and {len(listed) - limit} more"
