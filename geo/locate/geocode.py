"""Locations as people write them -> points: coordinates, OS grid references, postcodes, places.

Every ``locate_*`` function and ``lookup`` method takes one pandas Series per input column and
returns a :class:`Located`: one entry per input row, in the same order and with the same index,
holding the point in both CRSs (``lon``/``lat`` in :data:`~geo.schema.DISPLAY_CRS`,
``easting``/``northing`` in :data:`~geo.schema.WORKING_CRS`), how precise it is, and either why
the row was not located (``problem``) or something worth saying about it (``note``). Nothing
raises for a bad row; errors are raised only for unusable lookup files (:class:`GeocodeError`)
and unreadable ones (:class:`InputFileError`).

All work is vectorised over whole columns; a million rows of coordinates take about a second.
Messages are built only for the rows that need them.

Precision (``precision_m``) is the radius, in metres, within which the real place should lie:

- coordinates: the size of the last decimal place given (6 dp -> 0.11 m, 3 dp -> 111 m);
  eastings/northings: 1 m;
- grid references: half the diagonal of the square the reference denotes (the farthest any point
  of the square is from its centre, where the point is put): ``TQ3080`` (1 km) -> 707 m;
- postcodes: :data:`POSTCODE_PRECISION_M` by the directory's positional quality;
- places: the gazetteer's radius column, else the larger of 50 m and the position's precision.

Nothing is ever more precise than :data:`MIN_PRECISION_M`. Anything coarser than
:data:`COARSE_PRECISION_M` gets a note saying so.

Conversions use pyproj's best available operation between EPSG:4326 and EPSG:27700: without the
OSTN15 grid (not shipped with pyproj, and never downloaded here) that is the OSGB36 7-parameter
Helmert transformation, good to 2-5 m; it reproduces ONSPD's lat/long for SW1A 1AA to 3 cm.
"""

from __future__ import annotations

import csv
import io
import re
import string
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from geo.crs import to_bng, to_lonlat, transform
from geo.errors import GeocodeError, InputFileError
from geo.schema import (
    BNG_EASTING_RANGE,
    BNG_NORTHING_RANGE,
    DISPLAY_CRS,
    UK_LAT_RANGE,
    UK_LON_RANGE,
)

#: The problem of a row that holds nothing to locate (the caller may try another column).
NO_LOCATION: Final = "no location given"
#: No location is reported as more precise than this, whatever the input claims.
MIN_PRECISION_M: Final = 1.0
#: Located rows less precise than this get a note saying how precise they are.
COARSE_PRECISION_M: Final = 1_000.0
#: Radius of a gazetteer place when its file gives none.
DEFAULT_PLACE_PRECISION_M: Final = 50.0
#: Precision of a postcode's point, by positional quality: ONSPD/NSPL ``gridind`` (``osgrdind``)
#: 1-9, or Code-Point Open's indicator divided by 10. A postcode unit (about 15 addresses) spans
#: roughly 100 m, so a well-placed postcode point is within 100 m of where someone gave it for:
#: 1 within the building of the address nearest the postcode mean, 2 the same by inspection,
#: 3 within 50 m, 4 mean of the addresses (and 0: quality not given). 5 is imputed by ONS from
#: neighbouring postcodes (250 m), 6 is the postcode *sector* mean, mostly PO boxes (1 km), 8 is a
#: postcode terminated before Gridlink, at its last known position (250 m). 9 means no position.
POSTCODE_PRECISION_M: Final[dict[int, float]] = {
    0: 100.0,
    1: 100.0,
    2: 100.0,
    3: 100.0,
    4: 100.0,
    5: 250.0,
    6: 1_000.0,
    7: 100.0,
    8: 250.0,
}

_METRES_PER_DEGREE: Final = 111_320.0
#: A coordinate bigger than this cannot be degrees, and as metres it is off the grid's origin.
_NOT_DEGREES: Final = 1_000.0
#: Irish Grid (Northern Ireland's OS grid references and ONSPD's eastings for BT postcodes).
_IRISH_GRID_CRS: Final = "EPSG:29903"
#: Texts that mean "nothing here" in a coordinate column.
_BLANK_WORDS: Final = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "--"})
#: Letters of OS grid squares, in order, without I.
_GRID_LETTERS: Final = "ABCDEFGHJKLMNOPQRSTUVWXYZ"


# --------------------------------------------------------------------------- transformations


def _irish_grid_to_lonlat(easting: ArrayLike, northing: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    return transform(_IRISH_GRID_CRS, DISPLAY_CRS, easting, northing)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class Located:
    """Where each input row is, one entry per row in input order (``problem`` keeps the index).

    Attributes
    ----------
    lon, lat, easting, northing : numpy.ndarray
        The point in EPSG:4326 and EPSG:27700; NaN where the row was not located.
    precision_m : numpy.ndarray
        Radius in metres within which the place should be; NaN where not located.
    problem : pandas.Series
        Why the row was not located (a short reason for an import report), else None.
    note : pandas.Series
        Something worth saying about a located row (e.g. "terminated postcode"), else None.
    ok : numpy.ndarray
        True where the row was located.
    """

    lon: np.ndarray
    lat: np.ndarray
    easting: np.ndarray
    northing: np.ndarray
    precision_m: np.ndarray
    problem: pd.Series
    note: pd.Series
    ok: np.ndarray

    def __len__(self) -> int:
        return len(self.ok)

    @property
    def index(self) -> pd.Index:
        """The index of the input rows."""
        return self.problem.index

    def to_frame(self) -> pd.DataFrame:
        """All fields as one frame on the input index."""
        return pd.DataFrame(
            {
                "lon": self.lon,
                "lat": self.lat,
                "easting": self.easting,
                "northing": self.northing,
                "precision_m": self.precision_m,
                "problem": self.problem,
                "note": self.note,
                "ok": self.ok,
            },
            index=self.index,
        )


Message = str | Callable[[np.ndarray], pd.Series]


class _Outcome:
    """Problems and notes being worked out row by row, a mask at a time.

    The first problem found for a row wins; notes accumulate, joined by "; ". A message is a
    string, or a function of the row mask giving one text per selected row, called only for the
    rows that still need it.
    """

    def __init__(self, size: int) -> None:
        self.problem = np.full(size, None, dtype=object)
        self.note = np.full(size, None, dtype=object)
        self.failed = np.zeros(size, dtype=bool)

    def fail(self, mask: np.ndarray, message: Message) -> None:
        rows = mask & ~self.failed
        if rows.any():
            self.problem[rows] = _texts(message, rows)
            self.failed |= rows

    def add_note(self, mask: np.ndarray, message: Message) -> None:
        rows = mask & ~self.failed
        if rows.any():
            self.note[rows] = _join_texts(self.note[rows], _texts(message, rows))


def _texts(message: Message, rows: np.ndarray) -> object:
    if isinstance(message, str):
        return message
    return pd.Series(message(rows)).to_numpy(dtype=object, na_value=None)


def _join_texts(first: np.ndarray, second: object, *, sep: str = "; ") -> np.ndarray:
    """Join two columns of optional texts elementwise: "a; b", or whichever is not None."""
    left = pd.Series(first, dtype="string")
    right = pd.Series(second, index=left.index, dtype="string")
    joined = (left + sep + right).fillna(left).fillna(right)
    return joined.to_numpy(dtype=object, na_value=None)


def _finish(
    index: pd.Index,
    outcome: _Outcome,
    *,
    lon: np.ndarray,
    lat: np.ndarray,
    easting: np.ndarray,
    northing: np.ndarray,
    precision_m: np.ndarray,
) -> Located:
    """Blank out failed rows, floor and annotate precision, and package the result."""
    finite = np.isfinite(lon) & np.isfinite(lat) & np.isfinite(easting) & np.isfinite(northing)
    outcome.fail(~finite, "the position could not be converted between lon/lat and metres")
    ok = ~outcome.failed
    precision = np.where(ok, np.fmax(precision_m, MIN_PRECISION_M), np.nan)
    outcome.add_note(
        ok & (precision > COARSE_PRECISION_M),
        lambda rows: "only precise to about " + _distance_text(precision[rows]),
    )
    note = np.where(ok, outcome.note, None)

    def kept(values: np.ndarray) -> np.ndarray:
        return np.where(ok, values, np.nan)

    return Located(
        lon=kept(lon),
        lat=kept(lat),
        easting=kept(easting),
        northing=kept(northing),
        precision_m=precision,
        problem=pd.Series(outcome.problem, index=index, dtype=object),
        note=pd.Series(note, index=index, dtype=object),
        ok=ok,
    )


def _distance_text(metres: np.ndarray) -> pd.Series:
    km = np.asarray(metres, dtype=float) / 1000.0
    rounded = pd.Series(np.where(km < 10, np.round(km, 1), np.round(km)))
    return rounded.astype(str).str.removesuffix(".0") + " km"


# --------------------------------------------------------------------------- inputs


def _pick(values: pd.Series, rows: np.ndarray) -> pd.Series:
    """The selected rows, renumbered from 0, so texts built from several columns line up."""
    return values[rows].reset_index(drop=True)


def _as_series(values: pd.Series | ArrayLike, argument: str) -> pd.Series:
    if isinstance(values, pd.Series):
        return values
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"{argument} must be one column (a Series), not a DataFrame")
    return pd.Series(values)


def _paired(
    first: pd.Series, second: pd.Series, names: tuple[str, str]
) -> tuple[pd.Series, pd.Series]:
    first, second = _as_series(first, names[0]), _as_series(second, names[1])
    if len(first) != len(second):
        raise ValueError(
            f"{names[0]} has {len(first)} rows but {names[1]} has {len(second)}; "
            "pass two columns of the same frame"
        )
    if not first.index.equals(second.index):
        raise ValueError(
            f"{names[0]} and {names[1]} have different indexes; pass columns of one frame"
        )
    return first, second


def _within(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    return (values >= bounds[0]) & (values <= bounds[1])


@dataclass(frozen=True, eq=False)
class _Numbers:
    """A column of numbers as written: values, decimal places, blanks and non-numbers."""

    source: pd.Series
    value: np.ndarray
    decimals: np.ndarray
    blank: np.ndarray
    bad: np.ndarray

    def shown(self, rows: np.ndarray) -> pd.Series:
        """The values of the selected rows as text, for messages."""
        values = _pick(self.source, rows)
        if is_numeric_dtype(values) and not is_bool_dtype(values):
            return values.astype(float).astype(str).str.removesuffix(".0")
        return values.astype("string").str.strip()


def _to_float(text: pd.Series) -> np.ndarray:
    """Text to floats, NaN where blank or not a number.

    pyarrow's cast is 20 times faster than ``pd.to_numeric`` but refuses a whole column for one
    bad value; such columns (and non-pyarrow strings) take the slow, forgiving path.
    """
    if getattr(text.dtype, "storage", None) == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        try:
            floats = pc.cast(pa.array(text.array), pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        else:
            return np.asarray(floats.to_numpy(zero_copy_only=False), dtype=float)
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _decimals_of(values: np.ndarray) -> np.ndarray:
    """Decimal places of floats (trailing zeros are lost: pass text to keep them)."""
    decimals = np.full(values.shape, 10, dtype=np.int64)
    pending = np.isfinite(values)
    for places in range(10):
        scaled = values * 10.0**places
        exact = pending & (np.abs(scaled - np.round(scaled)) <= 1e-9 + 1e-12 * np.abs(scaled))
        decimals[exact] = places
        pending &= ~exact
    return decimals


# Patterns stay strings, not compiled, so pandas can hand them to pyarrow's fast kernels.
_HEMISPHERE_NUMBER: Final = (
    r"^(?P<before>[NSEW])?\s*"
    r"(?P<number>[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+))"
    r"\s*°?\s*(?P<after>[NSEW])?$"
)
_THOUSANDS_NUMBER: Final = r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$"


def _parse_numbers(values: pd.Series, *, degrees: bool) -> _Numbers:
    """Numbers from numbers or text, keeping the decimal places the text gave.

    Text may carry a hemisphere letter and a degree sign ("51.5°N", "W 0.12", with ``degrees``)
    or thousands separators ("531,040", without). Blank cells and words like "NA" are blank.
    """
    if is_numeric_dtype(values) and not is_bool_dtype(values):
        value = values.to_numpy(dtype=float, na_value=np.nan)
        blank = np.isnan(value)
        bad = np.isinf(value)
        value = np.where(bad, np.nan, value)
        return _Numbers(values, value, _decimals_of(value), blank, bad)

    text = values.astype("string").str.strip()
    missing = text.isna().to_numpy()
    value = _to_float(text.mask(text.eq("")))
    dot = text.str.find(".").to_numpy(dtype=float, na_value=-1)
    length = text.str.len().to_numpy(dtype=float, na_value=0)
    decimals = np.where(dot >= 0, length - dot - 1, 0).astype(np.int64)
    exponent = text.str.contains("e", case=False, regex=False).to_numpy(dtype=bool, na_value=False)
    decimals[exponent] = _decimals_of(value[exponent])

    unparsed = ~missing & np.isnan(value)
    blank = missing.copy()
    if unparsed.any():
        odd = text[unparsed]
        blank_word = odd.str.lower().isin(_BLANK_WORDS).to_numpy()
        blank[np.flatnonzero(unparsed)[blank_word]] = True
        rows = np.flatnonzero(unparsed)[~blank_word]
        if len(rows):
            parsed, places = _parse_unusual(text.iloc[rows], degrees=degrees)
            value[rows], decimals[rows] = parsed, places
    bad = ~blank & ~np.isfinite(value)
    value = np.where(bad | blank, np.nan, value)
    return _Numbers(values, value, decimals, blank, bad)


def _parse_unusual(text: pd.Series, *, degrees: bool) -> tuple[np.ndarray, np.ndarray]:
    """Numbers written with hemisphere letters, degree signs, decimal commas or thousands."""
    upper = text.str.upper()
    if degrees:
        parts = upper.str.extract(_HEMISPHERE_NUMBER)
        number = parts["number"].str.replace(",", ".", regex=False)
        negative = (parts["before"].isin(["S", "W"]) | parts["after"].isin(["S", "W"])).to_numpy()
    else:
        number = upper.where(upper.str.fullmatch(_THOUSANDS_NUMBER)).str.replace(
            ",", "", regex=False
        )
        negative = np.zeros(len(text), dtype=bool)
    value = _to_float(number)
    value = np.where(negative, -np.abs(value), value)
    dot = number.str.find(".").to_numpy(dtype=float, na_value=-1)
    length = number.str.len().to_numpy(dtype=float, na_value=0)
    return value, np.where(dot >= 0, length - dot - 1, 0).astype(np.int64)


def _degree_precision(
    lat: np.ndarray, lat_decimals: np.ndarray, lon_decimals: np.ndarray
) -> np.ndarray:
    """Metres spanned by the last decimal place of the latitude or longitude, the larger."""
    north_south = _METRES_PER_DEGREE * 10.0 ** -lat_decimals.astype(float)
    east_west = _METRES_PER_DEGREE * np.cos(np.radians(lat)) * 10.0 ** -lon_decimals.astype(float)
    return np.fmax(north_south, east_west)


# --------------------------------------------------------------------------- coordinates


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
    lon, lat = _paired(lon, lat, ("lon", "lat"))
    return _locate_lonlat(
        _parse_numbers(lon, degrees=True), _parse_numbers(lat, degrees=True), lon.index
    )


def _locate_lonlat(x: _Numbers, y: _Numbers, index: pd.Index) -> Located:
    outcome = _Outcome(len(index))
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
    in_box = _within(lon, UK_LON_RANGE) & _within(lat, UK_LAT_RANGE)
    swapped = degrees & ~in_box & _within(lat, UK_LON_RANGE) & _within(lon, UK_LAT_RANGE)
    lon, lat = np.where(swapped, lat, lon), np.where(swapped, lon, lat)
    lon_decimals = np.where(swapped, y.decimals, x.decimals)
    lat_decimals = np.where(swapped, x.decimals, y.decimals)
    outcome.add_note(swapped, "latitude and longitude were swapped")

    outside = degrees & ~(_within(lon, UK_LON_RANGE) & _within(lat, UK_LAT_RANGE))

    def where_given(rows: np.ndarray) -> pd.Series:
        return "latitude " + y.shown(rows) + ", longitude " + x.shown(rows)

    outcome.fail(
        outside & _within(-lon, UK_LON_RANGE) & _within(lat, UK_LAT_RANGE),
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
    return _finish(
        index, outcome, lon=lon, lat=lat, easting=easting, northing=northing, precision_m=precision
    )


def _checked_grid(
    easting: np.ndarray,
    northing: np.ndarray,
    rows: np.ndarray,
    outcome: _Outcome,
    *,
    x: _Numbers,
    y: _Numbers,
    where: str = "",
) -> tuple[np.ndarray, np.ndarray]:
    """Check eastings/northings of ``rows`` against the grid, swapping them where unambiguous.

    A pair is swapped only when it is off the grid as given and on it when swapped (an easting
    over 700 km that is a valid northing, with a northing that is a valid easting); when both
    readings are on the grid, the order given is kept.
    """
    on_grid = _within(easting, BNG_EASTING_RANGE) & _within(northing, BNG_NORTHING_RANGE)
    swapped = (
        rows
        & ~on_grid
        & _within(northing, BNG_EASTING_RANGE)
        & _within(easting, BNG_NORTHING_RANGE)
    )
    easting, northing = np.where(swapped, northing, easting), np.where(swapped, easting, northing)
    outcome.add_note(swapped, "easting and northing were swapped")
    bad_e = rows & ~_within(easting, BNG_EASTING_RANGE)
    bad_n = rows & ~_within(northing, BNG_NORTHING_RANGE)
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
    easting, northing = _paired(easting, northing, ("easting", "northing"))
    x, y = _parse_numbers(easting, degrees=False), _parse_numbers(northing, degrees=False)
    outcome = _Outcome(len(easting))
    outcome.fail(x.blank & y.blank, NO_LOCATION)
    outcome.fail(x.blank, "northing given but no easting")
    outcome.fail(y.blank, "easting given but no northing")
    outcome.fail(x.bad, lambda rows: "easting '" + x.shown(rows) + "' is not a number")
    outcome.fail(y.bad, lambda rows: "northing '" + y.shown(rows) + "' is not a number")
    e, n = x.value, y.value
    outcome.fail((e == 0) & (n == 0), "easting and northing are both 0, which means no position")

    looks_degrees = ~outcome.failed & (x.decimals > 0) & (y.decimals > 0)
    plain = looks_degrees & _within(e, UK_LON_RANGE) & _within(n, UK_LAT_RANGE)
    swapped = looks_degrees & ~plain & _within(n, UK_LON_RANGE) & _within(e, UK_LAT_RANGE)
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
    return _finish(
        easting.index,
        outcome,
        lon=lon,
        lat=lat,
        easting=easting_out,
        northing=northing_out,
        precision_m=precision,
    )


# --------------------------------------------------------------------------- grid references

#: An upper-cased grid reference with its spaces made plain: letters, then up to two digit groups.
_GRID_REFERENCE: Final = "^[A-Z]{1,2} *[0-9]*( +[0-9]+)?$"
_OTHER_SPACES: Final = "[\t\xa0]"


def parse_grid_refs(refs: pd.Series) -> Located:
    """Locate OS grid references ("TQ 30047 80037", "TQ3080", "tq 300 800", "J 33 74").

    Two letters (the 500 km and 100 km squares of the British National Grid, no I) and then an
    even number of digits, 0 to 10: half the easting within the 100 km square, half the
    northing; spaces anywhere between the parts, but two groups of digits must be the same
    length. One letter is an Irish Grid reference (Northern Ireland), noted as such.

    A reference denotes a square (``TQ3080``: the 1 km square whose south-west corner is
    E 530000, N 180000); the point is its centre, and ``precision_m`` half its diagonal (the
    farthest any point of the square can be from the centre): 10 digits 1 m, 8 digits 7 m,
    6 digits 71 m, 4 digits 707 m, 2 digits 7.1 km, none 71 km.
    """
    refs = _as_series(refs, "refs")
    outcome = _Outcome(len(refs))
    text = refs.astype("string").str.strip()
    outcome.fail((text.isna() | text.eq("")).to_numpy(), NO_LOCATION)
    # Whole-column string kernels only (no regex groups, which pandas runs row by row in Python).
    upper = text.str.upper().str.replace(_OTHER_SPACES, " ", regex=True).fillna("")
    two_letters = upper.str.slice(1, 2).str.isalpha()
    letters = upper.str.slice(0, 2).where(two_letters, upper.str.slice(0, 1))
    rest = upper.str.lstrip(string.ascii_uppercase).str.lstrip(" ")
    digits = rest.str.replace(" ", "", regex=False)
    count = digits.str.len().to_numpy(dtype=int)
    first_group = rest.str.find(" ").to_numpy(dtype=int)  # its length where there are two, else -1

    def invalid(reason: str) -> Callable[[np.ndarray], pd.Series]:
        return lambda rows: (
            "'" + _pick(text, rows) + "' is not a valid OS grid reference (" + reason + ")"
        )

    outcome.fail(
        ~upper.str.fullmatch(_GRID_REFERENCE).to_numpy(dtype=bool, na_value=False),
        invalid("two letters then an even number of digits, like TQ 30047 80037"),
    )
    outcome.fail(
        letters.str.contains("I", regex=False).to_numpy(), invalid("grid letters never use I")
    )
    outcome.fail(
        (first_group >= 0) & (2 * first_group != count),
        invalid("the easting and northing parts have different lengths"),
    )
    outcome.fail(count % 2 == 1, invalid("an odd number of digits"))
    outcome.fail(count > 10, invalid("more than 10 digits"))

    square_e, square_n = _square_origins(letters)
    british = (letters.str.len() == 2).to_numpy()
    on_grid = (
        (square_e >= BNG_EASTING_RANGE[0])
        & (square_e < BNG_EASTING_RANGE[1])
        & (square_n >= BNG_NORTHING_RANGE[0])
        & (square_n < BNG_NORTHING_RANGE[1])
    )
    outcome.fail(
        british & ~on_grid,
        lambda rows: (
            "'"
            + _pick(text, rows)
            + "' is not a valid OS grid reference ("
            + _pick(letters, rows)
            + " is not a square of the British National Grid)"
        ),
    )

    half = count // 2
    size = 10.0 ** (5 - half)
    offset_e, offset_n = np.zeros(len(refs)), np.zeros(len(refs))
    for places in range(1, 6):
        rows = (half == places) & ~outcome.failed
        if rows.any():
            offset_e[rows] = _to_float(digits[rows].str.slice(0, places))
            offset_n[rows] = _to_float(digits[rows].str.slice(places))
    grid_e = square_e + offset_e * size + size / 2
    grid_n = square_n + offset_n * size + size / 2

    irish = ~british & ~outcome.failed
    outcome.add_note(irish, "Irish Grid reference")
    lon, lat = np.full(len(refs), np.nan), np.full(len(refs), np.nan)
    easting, northing = np.full(len(refs), np.nan), np.full(len(refs), np.nan)
    gb = british & ~outcome.failed
    easting[gb], northing[gb] = grid_e[gb], grid_n[gb]
    lon[gb], lat[gb] = to_lonlat(grid_e[gb], grid_n[gb])
    lon[irish], lat[irish] = _irish_grid_to_lonlat(grid_e[irish], grid_n[irish])
    easting[irish], northing[irish] = to_bng(lon[irish], lat[irish])
    return _finish(
        refs.index,
        outcome,
        lon=lon,
        lat=lat,
        easting=easting,
        northing=northing,
        precision_m=size / np.sqrt(2),
    )


def _square_origins(letters: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """South-west corners (metres) of the 100 km squares named by grid letters.

    Two letters: British National Grid (first letter the 500 km square, S at the false origin);
    one letter: Irish Grid (V at its origin). NaN where a letter is not a grid letter.
    """
    number = {letter: float(i) for i, letter in enumerate(_GRID_LETTERS)}
    first = letters.str.slice(0, 1).map(number).to_numpy(dtype=float, na_value=np.nan)
    second = letters.str.slice(1, 2).map(number).to_numpy(dtype=float, na_value=np.nan)
    british = (letters.str.len() == 2).to_numpy()
    square_e = np.where(british, ((first - 2) % 5) * 5 + second % 5, first % 5)
    square_n = np.where(
        british, (19 - np.floor(first / 5) * 5) - np.floor(second / 5), 4 - np.floor(first / 5)
    )
    return square_e * 100_000.0, square_n * 100_000.0


# --------------------------------------------------------------------------- postcodes

_POSTCODE: Final = r"^(?:GIR|[A-Z]{1,2}[0-9][A-Z0-9]?)[0-9][A-Z]{2}$"
_OUTWARD_ONLY: Final = r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9]?$"
#: Spaces (including no-break ones), dots and hyphens: dropped from postcodes before matching.
_POSTCODE_SEPARATORS: Final = "[-. \t\xa0]+"


def _compact(values: pd.Series) -> pd.Series:
    """Upper case, without spaces, dots or hyphens ("bn1 1aa" -> "BN11AA")."""
    return values.astype("string").str.upper().str.replace(_POSTCODE_SEPARATORS, "", regex=True)


def normalise_postcode(values: pd.Series) -> pd.Series:
    """Postcodes in the standard form ("bn11aa", "BN1  1AA" -> "BN1 1AA"); <NA> if not one.

    Only the shape is checked (outward code, space, inward code), so pseudo-postcodes like
    ZZ99 3VZ survive; whether a postcode exists is the directory's business.

    Examples
    --------
    >>> normalise_postcode(pd.Series(["bn11aa", " BN10 7AA", "BN1  1AA", "nope"])).tolist()
    ['BN1 1AA', 'BN10 7AA', 'BN1 1AA', <NA>]
    """
    values = _as_series(values, "values")
    compact = _compact(values)
    valid = compact.str.fullmatch(_POSTCODE).fillna(False).astype(bool)
    spaced = compact.str.slice(stop=-3) + " " + compact.str.slice(start=-3)  # inward: 3 chars
    return spaced.where(valid).astype("string").rename(values.name)


def is_no_fixed_abode(postcodes: pd.Series) -> np.ndarray:
    """True for 'no fixed abode' markers: NHS ZZ99 pseudo-postcodes (any "ZZ99 xxx"), "NFA".

    Examples
    --------
    >>> is_no_fixed_abode(pd.Series(["ZZ99 3VZ", "zz993cz", "N.F.A.", "BN1 1AA", None])).tolist()
    [True, True, True, False, False]
    """
    compact = _compact(_as_series(postcodes, "postcodes")).str.replace(r"[^A-Z0-9]", "", regex=True)
    marker = compact.str.startswith("ZZ99") | compact.isin(["NFA", "NOFIXEDABODE"])
    return marker.to_numpy(dtype=bool, na_value=False)


_CODEPOINT_COLUMNS: Final = (
    "Postcode",
    "Positional_quality_indicator",
    "Eastings",
    "Northings",
    "Country_code",
    "NHS_regional_HA_code",
    "NHS_HA_code",
    "Admin_county_code",
    "Admin_district_code",
    "Admin_ward_code",
)

#: Column names (regular expressions, matched in order against lower-cased headers).
_DIRECTORY_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "postcode": ("pcds", "pcd", "pcd2", "pcd7", "pcd8", "postcode", "post_code", "pc"),
    "easting": ("east1m", "oseast1m", "eastings?", "ea"),
    "northing": ("north1m", "osnrth1m", "northings?", "no"),
    "lat": ("lat", "latitude"),
    "lon": ("long", "lon", "longitude", "lng"),
    "quality": ("gridind", "osgrdind", "positional_quality_indicator", "pq", "quality"),
    "terminated": ("doterm",),
    "ward": (r"wd\d\dcd", "osward", "ward", "admin_ward_code", "wc"),
}
_DIRECTORY_NUMBERS: Final = ("easting", "northing", "lat", "lon", "quality")


def _match_columns(headers: Sequence[str], patterns: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Canonical name -> header, the first pattern that matches winning (latest year if several)."""
    normal = {re.sub(r"[\s\-]+", "_", str(h).strip().lower()): str(h) for h in headers}
    found: dict[str, str] = {}
    for canonical, choices in patterns.items():
        for pattern in choices:
            hits = sorted(name for name in normal if re.fullmatch(pattern, name))
            if hits:
                found[canonical] = normal[hits[-1]]
                break
    return found


@dataclass(frozen=True)
class _CsvSource:
    label: str
    opener: Callable[[], IO[bytes]]


@contextmanager
def _csv_sources(path: Path) -> Iterator[list[_CsvSource]]:
    """The CSV tables in a file: the file itself, or the data CSVs inside a zip.

    In a zip, CSVs under a documentation folder are skipped, and ONSPD's per-area
    ``multi_csv`` copies are skipped when the whole table is there too; several remaining
    files (Code-Point Open's one file per postcode area) are read as one table.
    """
    if not path.is_file():
        raise InputFileError(f"{path}: no such file")
    if not zipfile.is_zipfile(path):
        yield [_CsvSource(path.name, lambda: path.open("rb"))]
        return
    with ExitStack() as stack:
        try:
            archive = stack.enter_context(zipfile.ZipFile(path))
            names = [i.filename for i in archive.infolist() if not i.is_dir()]
        except (zipfile.BadZipFile, OSError) as err:
            raise InputFileError(f"{path}: cannot open the zip file ({err})") from err
        csvs = [
            n
            for n in names
            if n.lower().endswith(".csv")
            and not any(re.match(r"doc|user.?guide", part, re.I) for part in n.split("/")[:-1])
        ]
        whole = [n for n in csvs if "multi_csv" not in n.lower()]
        csvs = whole or csvs
        if not csvs:
            raise GeocodeError(
                f"{path}: the zip holds no data CSV (found {', '.join(names[:10]) or 'nothing'}); "
                "give the ONSPD/NSPL or Code-Point Open zip as published, or its CSV"
            )
        yield [
            _CsvSource(f"{path.name}:{name}", lambda name=name: archive.open(name)) for name in csvs
        ]


def _sniff(source: _CsvSource) -> tuple[list[str], str]:
    """The first row's fields and the text encoding of a CSV."""
    with source.opener() as raw:
        head = raw.readline(1 << 16)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            line = head.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputFileError(f"{source.label}: not a text file (neither UTF-8 nor Windows-1252)")
    fields = next(csv.reader([line.rstrip("\r\n")]), [])
    return [f.strip() for f in fields], encoding


class PostcodeDirectory:
    """Postcode -> point, from ONSPD, NSPL, OS Code-Point Open or a postcode/lat/long list.

    Build it once with :meth:`from_file` and keep it: a 1M-row NSPL loads in about 4 s here (the
    whole UK, 2.7M rows, three times that; better ship the council's area), Code-Point Open's BN
    area file (22k rows) in about 0.2 s. :meth:`lookup` then takes about 0.2 s per 100,000.

    Rows kept "known but no position" (quality 9/90, ONSPD's lat 99.999999, Code-Point's 0, 0,
    or blank coordinates) make :meth:`lookup` say so rather than "not in the directory".
    Northern Ireland (BT) postcodes: ONSPD gives their eastings on the Irish Grid, so their
    position comes from ``lat``/``long``, or from the Irish Grid where those are absent.
    """

    def __init__(self, table: pd.DataFrame, *, name: str) -> None:
        """Wrap a prepared table (see :meth:`from_file`): indexed by normalised postcode."""
        self._table = table
        self.name = name

    def __len__(self) -> int:
        return len(self._table)

    def __repr__(self) -> str:
        return f"PostcodeDirectory({self.name!r}, {len(self):,} postcodes)"

    @classmethod
    def from_file(cls, path: str | Path) -> PostcodeDirectory:
        """Read a postcode directory, detecting its kind from its header (or lack of one).

        Accepted: ONSPD or NSPL CSVs with pre-2025 headers (``pcds``, ``oseast1m``,
        ``osnrth1m``, ``osgrdind``, ``doterm``, ``osward``/``ward``, ``lat``, ``long``) or
        2025+ headers (``pcd7``/``pcd8``/``pcds``, ``east1m``, ``north1m``, ``gridind``,
        ``wdYYcd``...), Code-Point Open area files as published (no header, 10 columns) or
        with its long or short header, any CSV with a postcode and lat/long or
        easting/northing columns, and zips of these as published.

        Raises
        ------
        InputFileError
            The file is missing or unreadable.
        GeocodeError
            The columns needed cannot be found; the message names the file, the columns found
            and those needed.
        """
        path = Path(path)
        frames, kinds = [], []
        with _csv_sources(path) as sources:
            for source in sources:
                frame, kind = _read_directory_csv(source)
                frames.append(frame)
                kinds.append(kind)
        if len(set(kinds)) > 1:
            raise GeocodeError(
                f"{path}: the zip mixes kinds of postcode file ({', '.join(sorted(set(kinds)))}); "
                "give one directory at a time"
            )
        frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        if not normalise_postcode(frame["postcode"].head(1000)).notna().any():
            raise GeocodeError(
                f"{path}: no postcodes in the postcode column "
                f"({frame['postcode'].head(3).tolist()!r}...); is it the right file?"
            )
        return cls(_directory_table(frame, kind=kinds[0]), name=f"{path.name} ({kinds[0]})")

    def lookup(self, postcodes: pd.Series) -> Located:
        """Locate postcodes (any spacing or case) in the directory.

        Terminated postcodes are located, with the note "terminated postcode (ended YYYY-MM)".
        ZZ99 pseudo-postcodes and "NFA" are never located. Precision follows
        :data:`POSTCODE_PRECISION_M`; sector means and imputed positions get a note.
        """
        postcodes = _as_series(postcodes, "postcodes")
        outcome = _Outcome(len(postcodes))
        text = postcodes.astype("string").str.strip()
        outcome.fail((text.isna() | text.eq("")).to_numpy(), NO_LOCATION)
        compact = _compact(text)
        keys = normalise_postcode(text)
        zz99 = compact.str.startswith("ZZ99").to_numpy(dtype=bool, na_value=False)
        outcome.fail(
            zz99 & keys.eq("ZZ99 3VZ").to_numpy(dtype=bool, na_value=False),
            "ZZ99 3VZ is a 'no fixed abode' pseudo-postcode and is never geocoded",
        )
        outcome.fail(
            zz99,
            lambda rows: (
                _shown_postcode(keys, text, rows)
                + " is an NHS pseudo-postcode (ZZ99), not a place, and is never geocoded"
            ),
        )
        outcome.fail(
            is_no_fixed_abode(text),
            lambda rows: "'" + _pick(text, rows) + "' means no fixed abode and is never geocoded",
        )
        invalid = keys.isna().to_numpy()
        outcome.fail(
            invalid & compact.str.fullmatch(_OUTWARD_ONLY).to_numpy(dtype=bool, na_value=False),
            lambda rows: (
                "'"
                + _pick(text, rows)
                + "' is only part of a postcode; the full postcode (like BN1 1AA) is needed"
            ),
        )
        outcome.fail(
            invalid,
            lambda rows: "'" + _pick(text, rows) + "' is not a valid UK postcode",
        )

        position = self._table.index.get_indexer(keys.fillna(""))
        found = position >= 0
        row = np.where(found, position, 0)
        table = self._table
        outcome.fail(
            ~found,
            lambda rows: (
                _pick(keys, rows) + " is not in the postcode directory (" + self.name + ")"
            ),
        )
        has_position = found & table["has_position"].to_numpy()[row]
        outcome.fail(
            ~has_position,
            lambda rows: _pick(keys, rows) + " is in the postcode directory but has no position",
        )
        ended = table["terminated"].iloc[row].reset_index(drop=True)
        terminated = found & ended.notna().to_numpy()
        outcome.add_note(
            terminated,
            lambda rows: ("terminated postcode (ended " + _month_text(ended[rows]) + ")").fillna(
                "terminated postcode"
            ),
        )
        quality = table["quality"].to_numpy()[row]
        outcome.add_note(
            found & (quality == 6),
            "position is the centre of the postcode sector, not the postcode",
        )
        outcome.add_note(
            found & (quality == 5), "position estimated by ONS from neighbouring postcodes"
        )

        def taken(column: str) -> np.ndarray:
            return np.where(found, table[column].to_numpy()[row], np.nan)

        return _finish(
            postcodes.index,
            outcome,
            lon=taken("lon"),
            lat=taken("lat"),
            easting=taken("easting"),
            northing=taken("northing"),
            precision_m=taken("precision_m"),
        )

    def ward_codes(self, postcodes: pd.Series) -> pd.Series:
        """The directory's ward code for each postcode (<NA> if unknown or not given)."""
        postcodes = _as_series(postcodes, "postcodes")
        position = self._table.index.get_indexer(normalise_postcode(postcodes).fillna(""))
        wards = self._table["ward"].to_numpy(dtype=object, na_value=None)[np.maximum(position, 0)]
        wards = np.where(position >= 0, wards, None)
        return pd.Series(wards, index=postcodes.index, dtype="string", name="ward_code")


def _shown_postcode(keys: pd.Series, text: pd.Series, rows: np.ndarray) -> pd.Series:
    return _pick(keys, rows).fillna(_pick(text, rows).str.upper())


def _month_text(values: pd.Series) -> pd.Series:
    """ONSPD's ``doterm`` (YYYYMM) as "YYYY-MM"; other text as given."""
    text = values.astype("string").str.strip().reset_index(drop=True)
    parts = text.str.extract(r"^(\d{4})(\d{2})$")
    return (parts[0] + "-" + parts[1]).fillna(text)


def _read_directory_csv(source: _CsvSource) -> tuple[pd.DataFrame, str]:
    """One CSV of a postcode directory as raw columns named canonically, and its kind."""
    fields, encoding = _sniff(source)
    headerless = bool(fields) and bool(normalise_postcode(pd.Series(fields[:1])).notna().iloc[0])
    if headerless:
        if len(fields) != len(_CODEPOINT_COLUMNS):
            raise GeocodeError(
                f"{source.label}: the first row is data (it starts with the postcode "
                f"{fields[0]!r}) with {len(fields)} columns, but the only directory read without a "
                f"header is OS Code-Point Open ({len(_CODEPOINT_COLUMNS)} columns); add a header "
                "row naming the postcode, easting/northing or lat/long columns"
            )
        headers, kind = list(_CODEPOINT_COLUMNS), "Code-Point Open"
    else:
        headers = fields
        kind = ""
    columns = _match_columns(headers, _DIRECTORY_COLUMNS)
    has_en = {"easting", "northing"} <= columns.keys()
    has_ll = {"lat", "lon"} <= columns.keys()
    if "postcode" not in columns or not (has_en or has_ll):
        shown = ", ".join(headers[:25]) + (
            f" and {len(headers) - 25} more" if len(headers) > 25 else ""
        )
        raise GeocodeError(
            f"{source.label}: not a postcode directory I can read: "
            f"found columns {shown or 'none'}; "
            "need a postcode column (pcds, pcd, pcd7, pcd8, postcode) and either easting and "
            "northing (east1m/oseast1m, north1m/osnrth1m, Eastings/Northings) or lat and long"
        )
    if not kind:
        kind = _directory_kind(set(columns.values()), columns)
    wanted = {header: canonical for canonical, header in columns.items()}
    try:
        with source.opener() as raw:
            frame = pd.read_csv(
                raw,
                header=None if headerless else 0,
                names=headers if headerless else None,
                usecols=list(wanted),
                dtype=dict.fromkeys(wanted, "string"),  # numbers are coerced below
                encoding=encoding,
                skipinitialspace=True,
                engine="c",
            )
    except (ValueError, OSError, pd.errors.ParserError) as err:
        raise InputFileError(f"{source.label}: cannot read as CSV ({err})") from err
    frame = frame.rename(columns=wanted)
    for canonical in _DIRECTORY_NUMBERS:
        if canonical in frame:
            text = frame[canonical].str.strip()
            frame[canonical] = _to_float(text.mask(text.eq("")))
    return frame, kind


def _directory_kind(headers: set[str], columns: dict[str, str]) -> str:
    lower = {h.strip().lower() for h in headers}
    if columns.get("quality", "").lower() in {"positional_quality_indicator", "pq"}:
        return "Code-Point Open"
    if lower & {"east1m", "north1m", "gridind", "pcd7", "pcd8"}:
        return "ONSPD/NSPL (2025+ headers)"
    if lower & {"oseast1m", "osnrth1m", "osgrdind"}:
        return "ONSPD/NSPL (pre-2025 headers)"
    return "postcode list"


def _directory_table(frame: pd.DataFrame, *, kind: str) -> pd.DataFrame:
    """Raw directory columns -> one row per postcode with both positions and precision."""
    postcode = normalise_postcode(frame["postcode"])
    frame = frame[postcode.notna().to_numpy()].reset_index(drop=True)
    postcode = postcode.dropna().reset_index(drop=True)
    size = len(frame)

    def numbers(column: str) -> np.ndarray:
        if column not in frame:
            return np.full(size, np.nan)
        return frame[column].to_numpy(dtype=float, na_value=np.nan)

    quality = numbers("quality")
    if kind == "Code-Point Open" or quality[np.isfinite(quality)].max(initial=0) > 9:
        quality = quality / 10
    quality = np.where(np.isfinite(quality), np.round(quality), 0).astype(np.int8)
    easting, northing, lat, lon = (
        numbers("easting"),
        numbers("northing"),
        numbers("lat"),
        numbers("lon"),
    )
    has_en = np.isfinite(easting) & np.isfinite(northing) & ~((easting == 0) & (northing == 0))
    has_ll = (
        np.isfinite(lat)
        & np.isfinite(lon)
        & (np.abs(lat) <= 90)  # ONSPD writes 99.999999 where there is no position
        & ~((lat == 0) & (lon == 0))
    )
    irish = postcode.str.startswith("BT").to_numpy(dtype=bool, na_value=False)
    british_en = has_en & ~irish

    out_lon, out_lat = np.where(has_ll, lon, np.nan), np.where(has_ll, lat, np.nan)
    out_e, out_n = np.where(british_en, easting, np.nan), np.where(british_en, northing, np.nan)
    need_ll = british_en & ~has_ll
    out_lon[need_ll], out_lat[need_ll] = to_lonlat(easting[need_ll], northing[need_ll])
    irish_only = irish & has_en & ~has_ll
    out_lon[irish_only], out_lat[irish_only] = _irish_grid_to_lonlat(
        easting[irish_only], northing[irish_only]
    )
    need_en = ~british_en & np.isfinite(out_lon)
    out_e[need_en], out_n[need_en] = to_bng(out_lon[need_en], out_lat[need_en])

    has_position = (
        (quality != 9)
        & np.isfinite(out_lon)
        & np.isfinite(out_lat)
        & np.isfinite(out_e)
        & np.isfinite(out_n)
    )
    precision = pd.Series(quality).map(POSTCODE_PRECISION_M).to_numpy(dtype=float, na_value=np.nan)
    terminated = (
        frame["terminated"].str.strip().replace("", pd.NA)
        if "terminated" in frame
        else pd.Series(pd.NA, index=frame.index, dtype="string")
    )
    table = pd.DataFrame(
        {
            "easting": out_e,
            "northing": out_n,
            "lon": out_lon,
            "lat": out_lat,
            "precision_m": np.where(has_position, precision, np.nan),
            "has_position": has_position,
            "quality": quality,
            "terminated": terminated.astype("string"),
            "ward": frame["ward"].str.strip() if "ward" in frame else pd.NA,
        },
    )
    table.index = pd.Index(postcode, name="postcode")
    # One row per postcode: a live one with a position wins over a terminated or unplaced copy.
    order = np.lexsort((~has_position, terminated.notna().to_numpy()))
    table = table.iloc[order]
    return table[~table.index.duplicated(keep="first")]


# --------------------------------------------------------------------------- places


def _place_keys(names: pd.Series) -> pd.Series:
    """Place names compared loosely: case, accents, spacing and punctuation ignored.

    Examples
    --------
    >>> names = pd.Series(["Station underpass", "station  Underpass.", "St. Mary's & Café"])
    >>> _place_keys(names).tolist()
    ['station underpass', 'station underpass', 'st marys and cafe']
    """
    return (
        names.astype(object)  # Python's re: \W knows every alphabet, pyarrow's RE2 only ASCII
        .str.normalize("NFKD")
        .str.replace(r"[\u0300-\u036f]", "", regex=True)
        .str.casefold()
        .str.replace("&", " and ", regex=False)
        .str.replace(r"['’‘`]", "", regex=True)
        .str.replace(r"[\W_]+", " ", regex=True)
        .str.strip()
        .astype("string")
    )


_GAZETTEER_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "name": ("name", "place", "place_name", "location", "location_name", "site", "site_name"),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "long", "lng", "longitude"),
    "easting": ("eastings?", "east", "os_eastings?"),
    "northing": ("northings?", "north", "os_northings?"),
    "grid_ref": (
        "grid_?ref",
        "grid_?reference",
        "os_grid_?ref(erence)?",
        "ngr",
        "osgr",
    ),
    "precision": ("precision_m", "precision", "radius_m", "radius", "accuracy_m", "accuracy"),
    "aliases": ("aliases", "alias", "also_known_as", "other_names"),
}


def _read_text(path: Path) -> str:
    """A small text file as UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputFileError(f"{path}: cannot read ({err.strerror or err})") from err
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputFileError(
        f"{path}: not a text file (neither UTF-8 nor Windows-1252); save it as CSV"
    )


class Gazetteer:
    """The user's own named places (a bench, an underpass, a car park) -> points.

    Names match loosely (case, accents, spacing and punctuation ignored): "Station underpass"
    is "station  Underpass.". Each place may have aliases.
    """

    def __init__(self, places: pd.DataFrame, keys: pd.Series, *, name: str) -> None:
        """Wrap prepared places (see :meth:`from_frame`) and key -> place row."""
        self._places = places
        self._keys = keys
        self.name = name

    def __len__(self) -> int:
        return len(self._places)

    def __repr__(self) -> str:
        return f"Gazetteer({self.name!r}, {len(self)} places)"

    @property
    def places(self) -> pd.DataFrame:
        """One row per place: name, lon, lat, easting, northing, precision_m."""
        return self._places.copy()

    @classmethod
    def from_file(cls, path: str | Path) -> Gazetteer:
        """Read a gazetteer CSV (UTF-8, UTF-8 with BOM, or Windows-1252; comma, semicolon or tab).

        Columns: a name (``name``, ``place`` or ``location``), a position as ``lat`` + ``lon``,
        ``easting`` + ``northing`` or a ``grid_ref`` (rows may mix them), an optional
        ``precision_m`` (or ``radius``) and optional ``aliases`` separated by ";" or "|".

        Raises
        ------
        InputFileError
            The file is missing, unreadable or empty.
        GeocodeError
            Columns are missing, a row cannot be placed, or one name is given to places at
            different positions; the message names the file and rows.
        """
        path = Path(path)
        text = _read_text(path)
        first_line = text.split("\n", 1)[0]
        sep = ";" if first_line.count(";") > first_line.count(",") else ","
        sep = "\t" if first_line.count("\t") > first_line.count(sep) else sep
        try:
            frame = pd.read_csv(
                io.StringIO(text),
                sep=sep,
                dtype="string",
                keep_default_na=False,
                skip_blank_lines=False,  # so row numbers in messages are the file's
            )
        except (pd.errors.EmptyDataError, pd.errors.ParserError) as err:
            raise InputFileError(f"{path}: cannot read as CSV ({err})") from err
        return cls.from_frame(frame, name=path.name)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, name: str = "gazetteer") -> Gazetteer:
        """Build from a frame with the columns of :meth:`from_file` (rows numbered as in a CSV)."""
        columns = _match_columns(list(frame.columns), _GAZETTEER_COLUMNS)
        has_position = (
            {"lat", "lon"} <= columns.keys()
            or {"easting", "northing"} <= columns.keys()
            or "grid_ref" in columns
        )
        if "name" not in columns or not has_position:
            raise GeocodeError(
                f"{name}: found columns {', '.join(map(str, frame.columns)) or 'none'}; "
                "a gazetteer "
                "needs a name column (name, place or location) and a position: lat and lon, "
                "easting and northing, or grid_ref"
            )
        frame = frame.astype("string").fillna("")
        filled = frame.apply(lambda column: column.str.strip().ne("")).any(axis=1).to_numpy()
        row_numbers = np.flatnonzero(filled) + 2  # as in the file: the header is row 1
        frame = frame[filled].reset_index(drop=True)
        if frame.empty:
            raise GeocodeError(f"{name}: no places in it; add one row per place under the header")
        names = frame[columns["name"]].str.strip()

        attempts: list[tuple[str, str, Located]] = []
        if {"lat", "lon"} <= columns.keys():
            located = locate_lonlat(frame[columns["lon"]], frame[columns["lat"]])
            attempts.append(("coordinates", "latitude/longitude", located))
        if {"easting", "northing"} <= columns.keys():
            located = locate_en(frame[columns["easting"]], frame[columns["northing"]])
            attempts.append(("coordinates", "easting/northing", located))
        if "grid_ref" in columns:
            attempts.append(
                ("grid_ref", "grid reference", parse_grid_refs(frame[columns["grid_ref"]]))
            )
        located, _ = _first_located(attempts, frame.index)

        precision = located.precision_m
        bad_radius = np.zeros(len(frame), dtype=bool)
        if "precision" in columns:
            radius = _parse_numbers(frame[columns["precision"]], degrees=False)
            bad_radius = ~radius.blank & ~(radius.value > 0)
            given = ~radius.blank & ~bad_radius
            precision = np.where(given, radius.value, np.fmax(precision, DEFAULT_PLACE_PRECISION_M))
        else:
            precision = np.fmax(precision, DEFAULT_PLACE_PRECISION_M)

        problems = located.problem.to_numpy(dtype=object)
        problems = np.where(
            bad_radius, "the precision/radius is not a positive number of metres", problems
        )
        problems = np.where(names.eq("").to_numpy(), "it has no name", problems)
        failed = np.flatnonzero(pd.notna(problems))
        if len(failed):
            listed = "; ".join(
                f"row {row_numbers[i]} ({names.iloc[i] or 'no name'!r}): {problems[i]}"
                for i in failed[:5]
            )
            more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
            raise GeocodeError(
                f"{name}: {len(failed)} places cannot be placed: {listed}{more}; fix these rows"
            )

        places = pd.DataFrame(
            {
                "name": names,
                "lon": located.lon,
                "lat": located.lat,
                "easting": located.easting,
                "northing": located.northing,
                "precision_m": precision,
            }
        )
        aliases = (
            frame[columns["aliases"]] if "aliases" in columns else pd.Series("", index=frame.index)
        )
        keys = _gazetteer_keys(places, aliases, row_numbers, name=name)
        return cls(places, keys, name=name)

    def lookup(self, names: pd.Series) -> Located:
        """Locate place names; a name not in the gazetteer is a problem saying to add it."""
        names = _as_series(names, "names")
        outcome = _Outcome(len(names))
        text = names.astype("string").str.strip()
        outcome.fail((text.isna() | text.eq("")).to_numpy(), NO_LOCATION)
        # Names repeat (a few hundred places over a million rows): match each distinct one once.
        codes, distinct = pd.factorize(text)
        matched = self._keys.index.get_indexer(_place_keys(pd.Series(distinct)).fillna(""))
        position = np.append(matched, -1)[codes]  # code -1 (blank) -> -1
        found = position >= 0
        outcome.fail(
            ~found,
            lambda rows: (
                "'" + _pick(text, rows) + "' is not in the gazetteer; add it "
                "to " + self.name + " with its position"
            ),
        )
        row = np.where(found, self._keys.to_numpy()[np.maximum(position, 0)], 0)

        def taken(column: str) -> np.ndarray:
            return np.where(found, self._places[column].to_numpy(dtype=float)[row], np.nan)

        return _finish(
            names.index,
            outcome,
            lon=taken("lon"),
            lat=taken("lat"),
            easting=taken("easting"),
            northing=taken("northing"),
            precision_m=taken("precision_m"),
        )


def _gazetteer_keys(
    places: pd.DataFrame, aliases: pd.Series, row_numbers: np.ndarray, *, name: str
) -> pd.Series:
    """Name and alias keys -> place row; a key naming places over 1 m apart is an error."""
    alias_lists = aliases.fillna("").str.split(r"[;|]", regex=True)
    spelled = pd.concat([places["name"], alias_lists.explode().fillna("").str.strip()]).rename(
        "spelled"
    )
    entries = spelled.to_frame().assign(key=_place_keys(spelled)).reset_index(names="place")
    entries = entries[entries["key"].ne("")].drop_duplicates(["key", "place"])
    first = entries.groupby("key")["place"].transform("first").to_numpy()
    own = entries["place"].to_numpy()
    apart = np.hypot(
        places["easting"].to_numpy()[own] - places["easting"].to_numpy()[first],
        places["northing"].to_numpy()[own] - places["northing"].to_numpy()[first],
    )
    clash = entries["key"][apart > 1.0].unique()
    if len(clash):
        described = []
        for key in clash[:5]:
            rows = entries.loc[entries["key"].eq(key), "place"].to_numpy()
            described.append(f"'{key}' (rows " + ", ".join(str(row_numbers[r]) for r in rows) + ")")
        raise GeocodeError(
            f"{name}: the same name is given to places at different positions: "
            + "; ".join(described)
            + "; give each place its own name or alias"
        )
    entries = entries.drop_duplicates("key")
    return pd.Series(entries["place"].to_numpy(), index=pd.Index(entries["key"], name="key"))


# --------------------------------------------------------------------------- all together


def _first_located(
    attempts: Sequence[tuple[str, str, Located]], index: pd.Index
) -> tuple[Located, pd.Series]:
    """Per row, the first attempt that located it; and which source that was.

    Rows located by none get every given source's problem ("label: problem", joined), or
    :data:`NO_LOCATION` when no source had anything. Rows located by a later source get a note
    naming the earlier sources that failed.
    """
    size = len(index)
    fields = {
        f: np.full(size, np.nan) for f in ("lon", "lat", "easting", "northing", "precision_m")
    }
    source = np.full(size, None, dtype=object)
    note = np.full(size, None, dtype=object)
    earlier = np.full(size, None, dtype=object)  # problems of sources given but not usable
    done = np.zeros(size, dtype=bool)
    for name, label, located in attempts:
        take = located.ok & ~done
        for field, values in fields.items():
            values[take] = getattr(located, field)[take]
        source[take] = name
        winner_note = located.note.to_numpy(dtype=object)[take]
        passed_over = earlier[take]
        instead = pd.Series(passed_over, dtype="string") + "; used the " + label + " instead"
        note[take] = _join_texts(instead.to_numpy(dtype=object, na_value=None), winner_note)
        done |= take
        problem = located.problem.to_numpy(dtype=object)
        given = ~located.ok & ~done & (problem != NO_LOCATION)
        earlier[given] = _join_texts(
            earlier[given],
            (label + ": " + pd.Series(problem[given], dtype="string")).to_numpy(dtype=object),
        )
    failed = ~done
    problem = np.where(failed, earlier, None)
    problem = np.where(failed & pd.isna(problem), NO_LOCATION, problem)
    result = Located(
        lon=fields["lon"],
        lat=fields["lat"],
        easting=fields["easting"],
        northing=fields["northing"],
        precision_m=fields["precision_m"],
        problem=pd.Series(problem, index=index, dtype=object),
        note=pd.Series(np.where(done, note, None), index=index, dtype=object),
        ok=done,
    )
    return result, pd.Series(source, index=index, dtype=object, name="location_source")


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
    column's problem, or :data:`NO_LOCATION` if all were blank.

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
    series = {k: _as_series(v, k) for k, v in given.items() if v is not None}
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
    return _first_located(attempts, index)
