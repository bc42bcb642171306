"""Rows with several location columns -> points: each row from the first column that works.

The order is the most precise first: longitude/latitude, easting/northing, grid reference,
postcode, place name.
"""

from __future__ import annotations

import pandas as pd

from geo.locate.coordinates import locate_en, locate_lonlat
from geo.locate.grid_refs import parse_grid_refs
from geo.locate.located import Located, as_series, first_located
from geo.locate.places import Gazetteer
from geo.locate.postcodes import PostcodeDirectory

__all__ = ["locate_any"]


def locate_any(
    *,
    lon: pd.Series | None = None,
    lat: pd.Series | None = None,
    easting: pd.Series | None = None,
    northing: pd.Series | None = None,
    grid_ref: pd.Series | None = None,
    postcode: pd.Series | None = None,
    place: pd.Series | None = None,
    directory: PostcodeDirectory | None = None,
    gazetteer: Gazetteer | None = None,
) -> tuple[Located, pd.Series]:
    """Locate each row from whichever of its location columns works, most precise first.

    Tried in order: lon/lat, easting/northing, grid reference, postcode, place name. A row takes
    the first that locates it; if an earlier one was given but unusable, the note says so
    ("postcode: ... ; used the place name instead"). A row located by none carries every given
    column's problem, or :data:`~geo.locate.located.NO_LOCATION` if all were blank.

    Returns
    -------
    located : Located
    source : pandas.Series
        Per row, "coordinates", "grid_ref", "postcode" or "place" (the record schema's
        ``location_source``), or None where not located.
    """
    given = {
        "lon": lon,
        "lat": lat,
        "easting": easting,
        "northing": northing,
        "grid_ref": grid_ref,
        "postcode": postcode,
        "place": place,
    }
    series = {k: as_series(v, k) for k, v in given.items() if v is not None}
    if not series:
        raise ValueError(
            "locate_any needs at least one location column (lon and lat, easting "
            "and northing, grid_ref, postcode or place)"
        )
    for first, second in (("lon", "lat"), ("easting", "northing")):
        if (first in series) != (second in series):
            raise ValueError(f"{first} and {second} must be given together")
    if postcode is not None and directory is None:
        raise ValueError("postcode needs directory=PostcodeDirectory.from_file(...)")
    if place is not None and gazetteer is None:
        raise ValueError("place needs gazetteer=Gazetteer.from_file(...)")
    index = next(iter(series.values())).index
    for key, values in series.items():
        if not values.index.equals(index):
            raise ValueError(
                f"{key} has a different index from the other columns; pass columns of one frame"
            )

    attempts: list[tuple[str, str, Located]] = []
    if "lon" in series:
        attempts.append(
            ("coordinates", "latitude/longitude", locate_lonlat(series["lon"], series["lat"]))
        )
    if "easting" in series:
        attempts.append(
            ("coordinates", "easting/northing", locate_en(series["easting"], series["northing"]))
        )
    if "grid_ref" in series:
        attempts.append(("grid_ref", "grid reference", parse_grid_refs(series["grid_ref"])))
    if postcode is not None and directory is not None:
        attempts.append(("postcode", "postcode", directory.lookup(series["postcode"])))
    if place is not None and gazetteer is not None:
        attempts.append(("place", "place name", gazetteer.lookup(series["place"])))
    return first_located(attempts, index)
