"""Coordinates as people give them -> points: longitude/latitude and easting/northing columns.

Precision is the size of the last decimal place given (6 dp -> 0.11 m, 3 dp -> 111 m) for
degrees, and 1 m for eastings/northings. Common mistakes (columns swapped, metres in degree
columns and degrees in metre columns, a missing minus sign, 0, 0 from a device without a fix)
are put right where that is unambiguous, with a note, and are problems where it is not.

Conversions use pyproj's best available operation between EPSG:4326 and EPSG:27700: without the
OSTN15 grid (not shipped with pyproj, and never downloaded here) that is the OSGB36 7-parameter
Helmert transformation, good to 2-5 m; it reproduces ONSPD's lat/long for SW1A 1AA to 3 cm.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from geo.crs import to_bng, to_lonlat
from geo.locate.located import (
    MIN_PRECISION_M,
    NO_LOCATION,
    Located,
    Outcome,
    finish,
    paired,
    within,
)
from geo.locate.numbers import Numbers, parse_numbers
from geo.schema import (
    BNG_EASTING_RANGE,
    BNG_NORTHING_RANGE,
    UK_LAT_RANGE,
    UK_LON_RANGE,
)

__all__ = ["locate_en", "locate_lonlat"]

_METRES_PER_DEGREE: Final = 111_320.0
#: A coordinate bigger than this cannot be degrees, and as metres it is off the grid's origin.
_NOT_DEGREES: Final = 1_000.0


def locate_lonlat(lon: pd.Series, lat: pd.Series) -> Located:
    """Locate longitude/latitude columns (WGS84 degrees, numbers or text).

    Text is stripped and may carry hemisphere letters or degree signs ("51.5072N", "0.1276 W").
    Precision comes from the decimal places given (6 dp ~ 0.1 m, floored to 1 m; 3 dp ~ 111 m);
    floats lose trailing zeros, so pass the text where it matters.

    Common mistakes are caught:

    - latitude and longitude swapped (the latitude is a UK longitude and the longitude a UK
      latitude: the ranges do not overlap) -> swapped back, with a note;
    - British National Grid metres in both columns -> used as easting (the longitude column) and
      northing (the latitude column), swapped only where only the other reading is on the grid,
      with a note; metres in only one column -> a problem naming it;
    - 0, 0 (a device without a fix), a point outside the UK box of :mod:`geo.schema` (with a hint
      where only the longitude's minus sign is missing), blanks -> problems.
    """
    lon, lat = paired(lon, lat, ("lon", "lat"))
    return _locate_lonlat(
        parse_numbers(lon, degrees=True), parse_numbers(lat, degrees=True), lon.index
    )


def _locate_lonlat(x: Numbers, y: Numbers, index: pd.Index) -> Located:
    outcome = Outcome(len(index))
    outcome.fail(x.blank & y.blank, NO_LOCATION)
    outcome.fail(x.blank, "latitude given but no longitude")
    outcome.fail(y.blank, "longitude given but no latitude")
    outcome.fail(y.bad, lambda rows: "latitude '" + y.shown(rows) + "' is not a number")
    outcome.fail(x.bad, lambda rows: "longitude '" + x.shown(rows) + "' is not a number")
    lon, lat = x.value.copy(), y.value.copy()
    outcome.fail(
        (lon == 0) & (lat == 0),
        "latitude and longitude are both 0, which devices record when they have no fix",
    )

    metres_x, metres_y = np.abs(lon) > _NOT_DEGREES, np.abs(lat) > _NOT_DEGREES
    outcome.fail(
        metres_y & ~metres_x,
        lambda rows: (
            "latitude looks like an easting or northing ("
            + y.shown(rows)
            + "); put British National Grid metres in Easting and Northing columns"
        ),
    )
    outcome.fail(
        metres_x & ~metres_y,
        lambda rows: (
            "longitude looks like an easting or northing ("
            + x.shown(rows)
            + "); put British National Grid metres in Easting and Northing columns"
        ),
    )
    as_metres = metres_x & metres_y & ~outcome.failed
    easting, northing = np.full(len(lon), np.nan), np.full(len(lon), np.nan)
    if as_metres.any():
        outcome.add_note(as_metres, "easting/northing given in latitude/longitude columns")
        e, n = _checked_grid(
            lon, lat, as_metres, outcome, x=x, y=y, where=" (in the longitude/latitude columns)"
        )
        easting[as_metres], northing[as_metres] = e[as_metres], n[as_metres]

    degrees = ~as_metres & ~outcome.failed
    outcome.fail(
        degrees & (np.abs(lat) > 90),
        lambda rows: "latitude " + y.shown(rows) + " is not between -90 and 90",
    )
    outcome.fail(
        degrees & (np.abs(lon) > 180),
        lambda rows: "longitude " + x.shown(rows) + " is not between -180 and 180",
    )
    degrees &= ~outcome.failed
    in_box = within(lon, UK_LON_RANGE) & within(lat, UK_LAT_RANGE)
    swapped = degrees & ~in_box & within(lat, UK_LON_RANGE) & within(lon, UK_LAT_RANGE)
    lon, lat = np.where(swapped, lat, lon), np.where(swapped, lon, lat)
    lon_decimals = np.where(swapped, y.decimals, x.decimals)
    lat_decimals = np.where(swapped, x.decimals, y.decimals)
    outcome.add_note(swapped, "latitude and longitude were swapped")

    outside = degrees & ~(within(lon, UK_LON_RANGE) & within(lat, UK_LAT_RANGE))

    def where_given(rows: np.ndarray) -> pd.Series:
        return "latitude " + y.shown(rows) + ", longitude " + x.shown(rows)

    outcome.fail(
        outside & within(-lon, UK_LON_RANGE) & within(lat, UK_LAT_RANGE),
        lambda rows: (
            where_given(rows) + " is outside Great Britain and Northern Ireland; "
            "a place west of Greenwich needs a minus sign on its longitude"
        ),
    )
    outcome.fail(
        outside, lambda rows: where_given(rows) + " is outside Great Britain and Northern Ireland"
    )

    degrees &= ~outcome.failed
    easting[degrees], northing[degrees] = to_bng(lon[degrees], lat[degrees])
    metres = as_metres & ~outcome.failed
    lon = np.where(as_metres, np.nan, lon)
    lat = np.where(as_metres, np.nan, lat)
    lon[metres], lat[metres] = to_lonlat(easting[metres], northing[metres])
    precision = np.where(
        metres, MIN_PRECISION_M, _degree_precision(lat, lat_decimals, lon_decimals)
    )
    return finish(
        index, outcome, lon=lon, lat=lat, easting=easting, northing=northing, precision_m=precision
    )


def _checked_grid(
    easting: np.ndarray,
    northing: np.ndarray,
    rows: np.ndarray,
    outcome: Outcome,
    *,
    x: Numbers,
    y: Numbers,
    where: str = "",
) -> tuple[np.ndarray, np.ndarray]:
    """Check eastings/northings of ``rows`` against the grid, swapping them where unambiguous.

    A pair is swapped only when it is off the grid as given and on it when swapped (an easting
    over 700 km that is a valid northing, with a northing that is a valid easting); when both
    readings are on the grid, the order given is kept.
    """
    on_grid = within(easting, BNG_EASTING_RANGE) & within(northing, BNG_NORTHING_RANGE)
    swapped = (
        rows & ~on_grid & within(northing, BNG_EASTING_RANGE) & within(easting, BNG_NORTHING_RANGE)
    )
    easting, northing = np.where(swapped, northing, easting), np.where(swapped, easting, northing)
    outcome.add_note(swapped, "easting and northing were swapped")
    bad_e = rows & ~within(easting, BNG_EASTING_RANGE)
    bad_n = rows & ~within(northing, BNG_NORTHING_RANGE)
    outcome.fail(
        bad_e & bad_n,
        lambda r: (
            "easting "
            + x.shown(r)
            + " and northing "
            + y.shown(r)
            + where
            + " are outside the British National Grid"
            + " (easting 0 to 700,000, northing 0 to 1,300,000)"
        ),
    )
    outcome.fail(
        bad_e,
        lambda r: (
            "easting " + x.shown(r) + where + " is outside the British National Grid (0 to 700,000)"
        ),
    )
    outcome.fail(
        bad_n,
        lambda r: (
            "northing "
            + y.shown(r)
            + where
            + " is outside the British National Grid (0 to 1,300,000)"
        ),
    )
    return easting, northing


def locate_en(easting: pd.Series, northing: pd.Series) -> Located:
    """Locate British National Grid easting/northing columns (metres, numbers or text).

    Text may use thousands separators ("531,040"). Precision is 1 m: trailing zeros cannot tell
    a rounded value from an exact one, so a coarse "530000, 180000" is still taken as exact.

    Swapped pairs are put right only when unambiguous (see :func:`_checked_grid`); degrees in
    both columns (each with decimals, one a UK longitude and the other a UK latitude, either
    way round) are used as longitude/latitude with a note: on the grid they would be within
    61 m of its origin, in the sea south-west of Scilly. 0, 0 is a problem (no position), as
    are values off the grid. Irish Grid metres cannot be told from British ones and are read as
    British; give Northern Ireland positions as lon/lat or Irish grid references.
    """
    easting, northing = paired(easting, northing, ("easting", "northing"))
    x, y = parse_numbers(easting, degrees=False), parse_numbers(northing, degrees=False)
    outcome = Outcome(len(easting))
    outcome.fail(x.blank & y.blank, NO_LOCATION)
    outcome.fail(x.blank, "northing given but no easting")
    outcome.fail(y.blank, "easting given but no northing")
    outcome.fail(x.bad, lambda rows: "easting '" + x.shown(rows) + "' is not a number")
    outcome.fail(y.bad, lambda rows: "northing '" + y.shown(rows) + "' is not a number")
    e, n = x.value, y.value
    outcome.fail((e == 0) & (n == 0), "easting and northing are both 0, which means no position")

    looks_degrees = ~outcome.failed & (x.decimals > 0) & (y.decimals > 0)
    plain = looks_degrees & within(e, UK_LON_RANGE) & within(n, UK_LAT_RANGE)
    swapped = looks_degrees & ~plain & within(n, UK_LON_RANGE) & within(e, UK_LAT_RANGE)
    degrees = plain | swapped
    lon = np.where(plain, e, np.where(swapped, n, np.nan))
    lat = np.where(plain, n, np.where(swapped, e, np.nan))
    outcome.add_note(degrees, "longitude/latitude given in easting/northing columns")
    outcome.add_note(swapped, "latitude and longitude were swapped")

    metres = ~outcome.failed & ~degrees
    e, n = _checked_grid(e, n, metres, outcome, x=x, y=y)
    metres &= ~outcome.failed
    easting_out = np.where(metres, e, np.nan)
    northing_out = np.where(metres, n, np.nan)
    lon[metres], lat[metres] = to_lonlat(e[metres], n[metres])
    easting_out[degrees], northing_out[degrees] = to_bng(lon[degrees], lat[degrees])
    precision = np.where(
        degrees,
        _degree_precision(
            lat, np.where(plain, y.decimals, x.decimals), np.where(plain, x.decimals, y.decimals)
        ),
        MIN_PRECISION_M,
    )
    return finish(
        easting.index,
        outcome,
        lon=lon,
        lat=lat,
        easting=easting_out,
        northing=northing_out,
        precision_m=precision,
    )


def _degree_precision(
    lat: np.ndarray, lat_decimals: np.ndarray, lon_decimals: np.ndarray
) -> np.ndarray:
    """Metres spanned by the last decimal place of the latitude or longitude, the larger."""
    north_south = _METRES_PER_DEGREE * 10.0 ** -lat_decimals.astype(float)
    east_west = _METRES_PER_DEGREE * np.cos(np.radians(lat)) * 10.0 ** -lon_decimals.astype(float)
    return np.fmax(north_south, east_west)
