"""Wards and other areas: a boundary file replaces a layer, and stored points are placed again.

Several councils in one store (a partnership): ``council=`` gives every area of the file that
council's code as its ``parent_code`` and replaces that council's areas only; the areas of other
councils already stored are kept, and the layer is written in one go. A ward code stored under
another council is refused. The councils the wards name are kept as a layer of their own
(:data:`COUNCIL_LAYER`: code, name and the wards' shape together), so users read "Brighton and
Hove", not "E06000043": the name given, else the file's ``LADxxNM`` column, else the name kept
before, else the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.errors import BoundaryError, InputFileError
from geo.importing.pipeline import file_sha256
from geo.importing.report import Notice
from geo.io.boundaries import read_areas
from geo.io.boundaries.sources import choose_dataset, choose_layer, existing
from geo.io.boundaries.words import as_text, some
from geo.io.limits import MaxMB, check_size
from geo.schema import AREA_COLUMNS, DISPLAY_CRS
from geo.store import Batch, Store
from geo.store.registers import normalise_council

__all__ = ["COUNCIL_LAYER", "AreaImport", "council_names", "import_areas"]

#: The layer of councils: one area per council the wards name (``area_type`` "lad").
COUNCIL_LAYER: Final = "council"
#: An ONS local authority field (LAD24CD, LAD24NM, LTLA21NM...): kind, year, code or name.
_LAD_FIELD: Final = re.compile(r"(?P<kind>lad|ltla)(?P<year>\d{2})(?P<role>cd|nm)", re.IGNORECASE)
#: The longest council name kept.
_MAX_NAME: Final = 100


@dataclass(frozen=True)
class AreaImport:
    """What an area import did; ``kept`` counts the other councils' areas left in place."""

    source: str
    layer: str
    stored: int
    warnings: tuple[str, ...]
    repaired: tuple[str, ...]
    batch_id: str
    council: str | None = None
    kept: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "kind": "areas",
            "layer": self.layer,
            "read": self.stored,
            "stored": self.stored,
            "skipped": 0,
            "rejected": 0,
            "outside_areas": 0,
            "rejected_by_reason": {},
            "repaired": list(self.repaired),
            "warnings": [Notice("boundary", text).to_dict() for text in self.warnings],
            "batch_id": self.batch_id,
            "council": self.council,
            "kept_other_councils": self.kept,
        }


def import_areas(
    store: Store,
    path: str | Path,
    *,
    layer_name: str = "ward",
    layer: str | None = None,
    code_field: str | None = None,
    name_field: str | None = None,
    population_field: str | None = None,
    local_authority: str | None = None,
    council: str | None = None,
    council_name: str | None = None,
    source: str | None = None,
    max_mb: MaxMB = "upload",
) -> AreaImport:
    """Replace a layer of areas (wards by default), or one council's part of it, from any
    boundary file GDAL reads.

    ``local_authority`` keeps only areas whose parent code (e.g. LAD13CD) matches, so a
    national file can be loaded for one borough. ``council`` (a code, e.g. E06000043) makes
    every area of the file that council's and replaces only its areas, keeping other councils'
    (see the module docstring); ``council_name`` names it ("Brighton and Hove"). Records
    already stored are placed again. ``max_mb`` caps the file's size before it is read (see
    :mod:`geo.io.limits`).

    Raises
    ------
    StoreError
        ``council`` is not a council code.
    BoundaryError
        ``council_name`` without ``council``, or a ward of the file is stored under another
        council.
    """
    council = None if council is None else normalise_council(council)
    council_name = _checked_name(council_name, council=council)
    check_size(path, max_mb=max_mb, source=source)
    result = read_areas(
        path,
        layer=layer,
        code_field=code_field,
        name_field=name_field,
        population_field=population_field,
    )
    areas = result.areas
    if local_authority:
        areas = areas.loc[areas["parent_code"] == local_authority].reset_index(drop=True)
        if areas.empty:
            raise InputFileError(f"{result.source}: no areas have parent code {local_authority!r}")
    named = _file_council_names(path, layer=layer)
    if council is not None:
        areas = areas.assign(parent_code=pd.array([council] * len(areas), dtype="str"))
        only = set(named.values()).pop() if len(set(named.values())) == 1 else None
        found = council_name or named.get(council) or named.get(local_authority or "") or only
        named = {} if found is None else {council: found}
    source = source or result.source
    sha256 = file_sha256(Path(path))
    batch = Batch.new(kind="areas", source=source, sha256=sha256)
    stored = store.areas(layer=layer_name)
    whole = areas if council is None else _merged(stored, areas, council, store, result.source)
    outcome = AreaImport(
        source=source,
        layer=layer_name,
        stored=len(areas),
        warnings=tuple(result.warnings),
        repaired=tuple(result.repaired),
        batch_id=batch.batch_id,
        council=council,
        kept=len(whole) - len(areas),
    )
    batch = Batch(**{**batch.__dict__, "accounting": outcome.to_dict()})
    store.replace_areas(whole, layer=layer_name, batch=batch)
    if layer_name == "ward":
        _keep_councils(store, whole, named, source=source, sha256=sha256)
    return outcome


def council_names(store: Store) -> pd.Series:
    """Each council's name as users read it, indexed by its code: the name kept with the
    wards (see the module docstring), else the code; one entry per council the wards name."""
    councils = store.ward_councils().dropna().astype(str).unique()
    kept = store.areas(layer=COUNCIL_LAYER)
    known = pd.Series(kept["area_name"].to_numpy(dtype=object), index=kept["area_code"])
    codes = pd.Index(sorted(councils), dtype=object, name="council")
    return pd.Series(known.reindex(codes).fillna(pd.Series(codes, index=codes)), name="name")


def _checked_name(name: str | None, *, council: str | None) -> str | None:
    if name is None:
        return None
    if not isinstance(name, str):
        raise TypeError(f"council_name must be a string or None, not {type(name).__name__}")
    text = " ".join(name.split())
    if council is None:
        raise BoundaryError(
            f"a council name ({text!r}) was given without its code: give the council's code"
            " too (e.g. --council E06000043 --council-name 'Brighton and Hove')"
        )
    if not text or len(text) > _MAX_NAME:
        raise BoundaryError(
            f"{name!r} is not a council's name: give its name in words, at most {_MAX_NAME}"
            " characters (e.g. Brighton and Hove), or leave it out"
        )
    return text


def _file_council_names(path: str | Path, *, layer: str | None) -> dict[str, str]:
    """Council names the file gives: code -> name from a ``LADxxCD`` and its ``LADxxNM``, or
    ``{"": name}`` when it has a name field only (the council is given by the caller)."""
    dataset, inner = choose_dataset(existing(path), layer)
    chosen = choose_layer(dataset, inner)[0]
    fields = [str(field) for field in pyogrio.read_info(dataset.gdal_path, layer=chosen)["fields"]]
    found = {
        (match["kind"].lower(), match["year"], match["role"].lower()): field
        for field in fields
        if (match := _LAD_FIELD.fullmatch(field.strip()))
    }
    name_fields = sorted((key, field) for key, field in found.items() if key[2] == "nm")
    if not name_fields:
        return {}
    (kind, year, _), name_field = name_fields[-1]  # the latest year's
    code_field = found.get((kind, year, "cd"))
    columns = [name_field] if code_field is None else [code_field, name_field]
    frame = pyogrio.read_dataframe(
        dataset.gdal_path, layer=chosen, columns=columns, read_geometry=False
    )
    names = as_text(frame[name_field])
    codes = pd.Series("", index=frame.index) if code_field is None else as_text(frame[code_field])
    pairs = pd.DataFrame({"code": codes, "name": names}).dropna().drop_duplicates("code")
    return dict(zip(pairs["code"], pairs["name"].str.slice(0, _MAX_NAME), strict=True))


def _merged(
    stored: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, council: str, store: Store, label: str
) -> gpd.GeoDataFrame:
    """The stored layer with ``council``'s areas replaced by ``areas``; a ``BoundaryError``
    naming the ward and both councils when a code of ``areas`` is stored under another."""
    same = stored["area_code"].isin(areas["area_code"])
    owners = stored["parent_code"].astype(object)
    clash = stored.loc[same & owners.notna() & owners.ne(council)]
    if not clash.empty:
        names = council_names(store).to_dict()
        first = clash.iloc[0]
        owner = str(first["parent_code"])
        raise BoundaryError(
            f"{label}: ward {first['area_name']} ({first['area_code']}) is already stored under"
            f" council {names.get(owner, owner)} ({owner}), not {names.get(council, council)}"
            f" ({council})"
            + (f"; so are {some(clash['area_code'].iloc[1:])}" if len(clash) > 1 else "")
            + ": check --council, or import the whole layer again without it"
        )
    kept = stored.loc[~same & (owners.isna() | owners.ne(council))]
    frames = [frame[list(AREA_COLUMNS)] for frame in (kept, areas) if not frame.empty]
    if not frames:
        return areas
    merged = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=DISPLAY_CRS)


def _keep_councils(
    store: Store, wards: gpd.GeoDataFrame, named: dict[str, str], *, source: str, sha256: str
) -> None:
    """Replace the council layer with one area per council ``wards`` name: its name (given,
    else kept before, else its code) and its wards' shape together."""
    before = store.areas(layer=COUNCIL_LAYER)
    owned = wards.loc[wards["parent_code"].notna(), ["parent_code", "population", "geometry"]]
    if owned.empty and before.empty:
        return
    shapes = owned[["parent_code", "geometry"]].dissolve(by="parent_code")
    codes = shapes.index.astype(str)
    population = pd.to_numeric(owned["population"], errors="coerce").groupby(owned["parent_code"])
    every = population.count() == population.size()  # a council's only when each ward gives one
    kept = pd.Series(before["area_name"].to_numpy(dtype=object), index=before["area_code"])
    names = pd.Series(named, dtype=object).reindex(codes).fillna(kept.reindex(codes))
    councils = gpd.GeoDataFrame(
        {
            "area_code": codes.to_numpy(dtype=object),
            "area_name": names.fillna(pd.Series(codes, index=codes)).to_numpy(dtype=object),
            "area_type": ["lad"] * len(codes),
            "parent_code": [None] * len(codes),
            "population": population.sum().where(every).reindex(shapes.index).to_numpy(float),
        },
        geometry=shapes.geometry.to_numpy(),
        crs=DISPLAY_CRS,
    )
    for column in ("area_code", "area_name", "area_type", "parent_code"):
        councils[column] = councils[column].astype("str")
    batch = Batch.new(kind="areas", source=f"{source} (councils)", sha256=sha256)
    outcome = AreaImport(
        source=batch.source,
        layer=COUNCIL_LAYER,
        stored=len(councils),
        warnings=(),
        repaired=(),
        batch_id=batch.batch_id,
    )
    batch = Batch(**{**batch.__dict__, "accounting": outcome.to_dict()})
    store.replace_areas(councils, layer=COUNCIL_LAYER, batch=batch)
