"""Finding the dataset and the layer to read in a boundary file or a zip, and reading it.

A zip holding several datasets is treated like a file of several layers, each dataset being a
"layer" named by its file name without suffix (or its path inside the zip when two share a
name). Of several layers, the one asked for is read, else the only one of polygons.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pyogrio
import pyogrio.errors
import shapely

from geo.errors import BoundaryError, InputFileError
from geo.io.boundaries.words import first_line, match_name, some
from geo.io.file_kinds import check_input_file
from geo.io.gdal_files import GDAL_ERRORS, existing_file
from geo.io.zips import check_zip

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
class Dataset:
    """One dataset GDAL opens: the file itself, or a member of a zip."""

    gdal_path: str
    label: str  # how messages name it: "wards.zip", "wards.zip!wards_2013"
    name: str  # its name as a choice among the datasets of a zip


#: Geometry types that hold polygons (a collection may).
_POLYGONAL: Final = (
    int(shapely.GeometryType.POLYGON),
    int(shapely.GeometryType.MULTIPOLYGON),
    int(shapely.GeometryType.GEOMETRYCOLLECTION),
)


def existing(path: str | Path) -> Path:
    """``path`` as a Path, refused when it is not one or the file does not exist."""
    return existing_file(path, what="boundary file")


def find_datasets(file: Path) -> list[Dataset]:
    """The datasets in a file: itself, or those inside a zip (checked before GDAL sees it)."""
    check_input_file(file)  # a mislabelled file, or a zip that escapes or expands too far
    if file.is_dir() or file.suffix.lower() != ".zip":
        if file.suffix.lower() == ".shp":
            siblings = {sibling.name.lower() for sibling in file.parent.iterdir()}
            _check_shapefile_parts(siblings, shp=file.name, where=file.name)
        return [Dataset(gdal_path=str(file), label=file.name, name=file.stem)]
    members = _zip_members(file)
    found = _zip_datasets(members)
    if not found:
        shown = some(sorted(members)) if members else "nothing"
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
        Dataset(gdal_path=f"{base}/{member}", label=file.name, name=name)
        for member, name in zip(found, stems, strict=True)
    ]


def _zip_members(file: Path) -> list[str]:
    names = [member.filename for member in check_zip(file)]
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


def choose_dataset(file: Path, layer: str | None) -> tuple[Dataset, str | None]:
    """The dataset to read and the layer still to choose inside it."""
    datasets = find_datasets(file)
    if len(datasets) == 1:
        return datasets[0], layer
    names = [dataset.name for dataset in datasets]
    if layer is None:
        raise BoundaryError(
            f"{file.name} holds {len(names)} boundary files ({some(names)}): pass layer= "
            "with the one to read"
        )
    match = match_name(layer, names)
    if match is None:
        raise BoundaryError(
            f"{file.name} holds no boundary file {layer!r}; it holds {some(names)}: pass "
            "layer= with one of them"
        )
    dataset = datasets[names.index(match)]
    return Dataset(dataset.gdal_path, f"{file.name}!{match}", dataset.name), None


def dataset_layers(dataset: Dataset) -> list[tuple[str, str]]:
    """(name, geometry type) of each layer, as GDAL reports them."""
    try:
        listed = pyogrio.list_layers(dataset.gdal_path)
    except pyogrio.errors.DataSourceError as err:
        raise InputFileError(
            f"{dataset.label} cannot be read as a boundary file "
            f"({first_line(err, dataset.gdal_path)}): save it as GeoJSON, GeoPackage, a "
            "zipped shapefile, TopoJSON or KML"
        ) from err
    return [(str(name), str(kind)) for name, kind in listed]


def choose_layer(dataset: Dataset, layer: str | None) -> tuple[str, str, list[str]]:
    """The layer to read, the label naming it, and a warning when it was chosen for the user."""
    layers = dataset_layers(dataset)
    names = [name for name, _ in layers]
    if not names:
        raise BoundaryError(f"{dataset.label} has no layers: it holds no features to read")
    if layer is not None:
        match = match_name(layer, names)
        if match is None:
            raise BoundaryError(
                f"{dataset.label} has no layer {layer!r}; its layers are {some(names)}: pass "
                "layer= with one of them"
            )
        return match, f"{dataset.label}!{match}", []
    if len(names) == 1:
        return names[0], dataset.label, []
    polygonal = [name for name, kind in layers if _holds_polygons(dataset, name, kind)]
    if len(polygonal) != 1:
        raise BoundaryError(
            f"{dataset.label} has {len(names)} layers ({some(names)}): pass layer= with the "
            "one holding the areas"
        )
    chosen = polygonal[0]
    others = [name for name in names if name != chosen]
    note = (
        f"{dataset.label} has {len(names)} layers; read {chosen!r}, the only one of polygons "
        f"(not {some(others)}): pass layer= to read another"
    )
    return chosen, f"{dataset.label}!{chosen}", [note]


def _holds_polygons(dataset: Dataset, layer: str, kind: str) -> bool:
    """Whether a layer holds polygons: by its declared type, else by reading its geometries."""
    if _POLYGON_TYPE.search(kind):
        return True
    if kind.lower() not in {"unknown", "geometry", "geometrycollection"}:
        return False
    frame = pyogrio.read_dataframe(dataset.gdal_path, layer=layer, columns=[])
    types = shapely.get_type_id(np.asarray(frame.geometry.array))
    return bool(np.isin(types, _POLYGONAL).any())


def read_frame(dataset: Dataset, layer: str, label: str, columns: list[str]) -> gpd.GeoDataFrame:
    """The features of ``layer`` with the fields ``columns`` (2-D); refused when it has none."""
    try:
        frame = gpd.read_file(
            dataset.gdal_path, layer=layer, columns=columns, engine="pyogrio", force_2d=True
        )
    except GDAL_ERRORS as err:
        raise InputFileError(
            f"{label} cannot be read ({first_line(err, dataset.gdal_path)}): save it again as "
            "GeoJSON or GeoPackage and load that"
        ) from err
    if frame.empty:
        raise BoundaryError(f"{label} has no features: it holds no areas to read")
    return frame
