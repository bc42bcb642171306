"""Locating each row: the first way its cells allow that succeeds, with a note of any fallback.

Ways, in order: latitude/longitude, easting/northing, OS grid reference, postcode (with a
postcode directory), place name (with a gazetteer). A row whose first filled way fails (a
postcode not in the directory) falls back to the next, and its note says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import locate
from geo.crs import to_lonlat
from geo.errors import InputFileError
from geo.importing.rows import Rows
from geo.locate.areas import assign_points


@dataclass(frozen=True)
class _Method:
    source: str  # location_source
    fields: tuple[str, ...]


_METHODS: Final = (
    _Method("coordinates", ("lat", "lon")),
    _Method("coordinates", ("easting", "northing")),
    _Method("grid_ref", ("grid_ref",)),
    _Method("postcode", ("postcode",)),
    _Method("place", ("place",)),
)


def locate_rows(
    frame: pd.DataFrame,
    fields: Mapping[str, str],
    rows: Rows,
    *,
    postcodes: locate.PostcodeDirectory | None,
    places: locate.Gazetteer | None,
) -> pd.DataFrame:
    """Locate each row by the first method whose cells are filled and that succeeds."""
    n = len(frame)
    out = pd.DataFrame(
        {
            "lon": np.full(n, np.nan),
            "lat": np.full(n, np.nan),
            "easting": np.full(n, np.nan),
            "northing": np.full(n, np.nan),
            "location_precision_m": np.full(n, np.nan),
            "location_source": np.full(n, None, dtype=object),
            "location_note": np.full(n, None, dtype=object),
        },
        index=frame.index,
    )
    first_problem = np.full(n, None, dtype=object)
    first_column = np.full(n, None, dtype=object)
    tried_any = np.zeros(n, dtype=bool)
    for method in _METHODS:
        columns = [fields.get(f) for f in method.fields]
        if any(c is None for c in columns):
            continue
        cells = [frame[c] for c in columns]
        filled = np.logical_and.reduce([c.ne("").to_numpy() for c in cells])
        todo = filled & out["location_source"].isna().to_numpy()
        if not todo.any():
            continue
        sub = [c[todo] for c in cells]
        if method.fields == ("lat", "lon"):
            located = locate.locate_lonlat(sub[1], sub[0])
        elif method.fields == ("easting", "northing"):
            located = locate.locate_en(sub[0], sub[1])
        elif method.source == "grid_ref":
            located = locate.parse_grid_refs(sub[0])
        elif method.source == "postcode":
            if postcodes is None:
                located = _not_located(
                    sub[0],
                    (
                        "postcode given but the store has no postcode directory (import one with"
                        " python -m geo import postcodes FILE, or on the Import page)"
                    ),
                )
                no_fixed = locate.is_no_fixed_abode(locate.normalise_postcode(sub[0]))
                problem = located.problem.copy()
                problem[no_fixed] = "'no fixed abode' pseudo-postcode (ZZ99): never geocoded"
                located = _with_problem(located, problem)
            else:
                located = postcodes.lookup(sub[0])
        else:
            if places is None:
                located = _not_located(
                    sub[0],
                    (
                        "place given but the store has no gazetteer of places (import one with"
                        " python -m geo import places FILE, or on the Import page)"
                    ),
                )
            else:
                located = places.lookup(sub[0])
        idx = np.flatnonzero(todo)
        ok = np.asarray(located.ok, dtype=bool)
        hit = idx[ok]
        for name in ("lon", "lat", "easting", "northing"):
            out.iloc[hit, out.columns.get_loc(name)] = np.asarray(getattr(located, name))[ok]
        out.iloc[hit, out.columns.get_loc("location_precision_m")] = np.asarray(
            located.precision_m
        )[ok]
        out.iloc[hit, out.columns.get_loc("location_source")] = method.source
        notes = located.note.to_numpy(dtype=object)[ok]
        earlier = first_problem[hit]
        fallback = np.full(len(hit), None, dtype=object)
        tried = np.not_equal(earlier, None)  # an earlier method failed for these rows
        if tried.any():
            fallback[tried] = [
                f"{c} unusable ({p}); located by {method.source}"
                for p, c in zip(earlier[tried], first_column[hit][tried], strict=True)
            ]
        combined = np.where(pd.isna(notes), fallback, notes)
        out.iloc[hit, out.columns.get_loc("location_note")] = combined
        miss = idx[~ok]
        fresh = miss[pd.isna(first_problem[miss])]
        problems = located.problem.to_numpy(dtype=object)[~ok]
        first_problem[fresh] = problems[pd.isna(first_problem[miss])]
        first_column[fresh] = columns[0]
        tried_any |= filled
    not_located = out["location_source"].isna().to_numpy()
    rows.reject(
        not_located & ~tried_any,
        column=None,
        problem="no location given (latitude/longitude, easting/northing, grid reference,"
        " postcode or place)",
    )
    for column in set(first_column[not_located & tried_any]):
        mask = not_located & tried_any & (first_column == column)
        rows.reject(mask, column=column, problem=first_problem)
    return out


#: What each way of locating a row needs, in words for messages.
_METHOD_NAMES: Final = {
    ("lat", "lon"): "latitude and longitude",
    ("easting", "northing"): "easting and northing",
    ("grid_ref",): "an OS grid reference",
    ("postcode",): "a postcode",
    ("place",): "a place name",
}


def check_locatable(fields: Mapping[str, str], *, source: str, headers: Sequence[str]) -> None:
    """Raise ``InputFileError`` when no column can locate any row.

    A file with no location column, or with half a pair (a latitude but no longitude), would
    otherwise reject every row one by one: that is a problem with the file, not its rows.
    """
    if any(all(f in fields for f in method.fields) for method in _METHODS):
        return
    halves = [
        f"{fields[given]!r} gives {given} but no column gives {missing}"
        for pair in (("lat", "lon"), ("easting", "northing"))
        for given, missing in (pair, pair[::-1])
        if given in fields and missing not in fields
    ]
    found = "; ".join(halves) if halves else "no column holds a location"
    raise InputFileError(
        f"{source}: cannot locate any row: {found}. A row needs one of"
        f" {', '.join(_METHOD_NAMES.values())}. Columns are {', '.join(headers)};"
        " map one with --column FIELD=COLUMN (e.g. --column postcode='Post Code')"
    )


_METRES_IN_DEGREES: Final = "easting/northing given in latitude/longitude columns"


def settle_metres_in_degree_columns(located: pd.DataFrame, wards: gpd.GeoDataFrame) -> None:
    """Eastings and northings typed into latitude/longitude columns can be read two ways round.

    Both readings often lie on the grid; keep the one that falls in a ward when only it does.
    Changes ``located`` in place (it is this module's own working frame).
    """
    mask = located["location_note"].eq(_METRES_IN_DEGREES).to_numpy()
    if not mask.any() or wards.empty:
        return
    rows = located.loc[mask]
    as_read = assign_points(
        rows["lon"], rows["lat"], codes=wards["area_code"], geometries=wards.geometry
    )
    lon, lat = to_lonlat(rows["northing"].to_numpy(), rows["easting"].to_numpy())
    turned = assign_points(lon, lat, codes=wards["area_code"], geometries=wards.geometry)
    better = pd.isna(as_read) & ~pd.isna(turned)
    if not better.any():
        return
    index = rows.index[better]
    easting = located.loc[index, "northing"].to_numpy()
    located.loc[index, "northing"] = located.loc[index, "easting"].to_numpy()
    located.loc[index, "easting"] = easting
    located.loc[index, "lon"] = lon[better]
    located.loc[index, "lat"] = lat[better]
    located.loc[index, "location_note"] = (
        "easting in the latitude column and northing in the longitude column"
    )


def _not_located(values: pd.Series, problem: str) -> locate.Located:
    n = len(values)
    return locate.Located(
        lon=np.full(n, np.nan),
        lat=np.full(n, np.nan),
        easting=np.full(n, np.nan),
        northing=np.full(n, np.nan),
        precision_m=np.full(n, np.nan),
        problem=pd.Series(problem, index=values.index, dtype=object),
        note=pd.Series(None, index=values.index, dtype=object),
        ok=np.zeros(n, dtype=bool),
    )


def _with_problem(located: locate.Located, problem: pd.Series) -> locate.Located:
    return locate.Located(
        lon=located.lon,
        lat=located.lat,
        easting=located.easting,
        northing=located.northing,
        precision_m=located.precision_m,
        problem=problem,
        note=located.note,
        ok=located.ok,
    )
