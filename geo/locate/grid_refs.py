"""OS grid references -> points: "TQ 30047 80037", "TQ3080", "J 33 74" (Irish Grid).

A reference denotes a square; the point is its centre, and the precision half the square's
diagonal: the farthest any point of the square is from its centre (``TQ3080``, 1 km: 707 m).
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from geo.crs import to_bng, to_lonlat, transform
from geo.locate.located import NO_LOCATION, Located, Outcome, as_series, finish, pick
from geo.locate.numbers import to_float
from geo.schema import BNG_EASTING_RANGE, BNG_NORTHING_RANGE, DISPLAY_CRS

__all__ = ["irish_grid_to_lonlat", "parse_grid_refs"]

#: Irish Grid (Northern Ireland's OS grid references and ONSPD's eastings for BT postcodes).
_IRISH_GRID_CRS: Final = "EPSG:29903"
#: Letters of OS grid squares, in order, without I.
_GRID_LETTERS: Final = "ABCDEFGHJKLMNOPQRSTUVWXYZ"
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
    refs = as_series(refs, "refs")
    outcome = Outcome(len(refs))
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
            "'" + pick(text, rows) + "' is not a valid OS grid reference (" + reason + ")"
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
            + pick(text, rows)
            + "' is not a valid OS grid reference ("
            + pick(letters, rows)
            + " is not a square of the British National Grid)"
        ),
    )

    half = count // 2
    size = 10.0 ** (5 - half)
    offset_e, offset_n = np.zeros(len(refs)), np.zeros(len(refs))
    for places in range(1, 6):
        rows = (half == places) & ~outcome.failed
        if rows.any():
            offset_e[rows] = to_float(digits[rows].str.slice(0, places))
            offset_n[rows] = to_float(digits[rows].str.slice(places))
    grid_e = square_e + offset_e * size + size / 2
    grid_n = square_n + offset_n * size + size / 2

    irish = ~british & ~outcome.failed
    outcome.add_note(irish, "Irish Grid reference")
    lon, lat = np.full(len(refs), np.nan), np.full(len(refs), np.nan)
    easting, northing = np.full(len(refs), np.nan), np.full(len(refs), np.nan)
    gb = british & ~outcome.failed
    easting[gb], northing[gb] = grid_e[gb], grid_n[gb]
    lon[gb], lat[gb] = to_lonlat(grid_e[gb], grid_n[gb])
    lon[irish], lat[irish] = irish_grid_to_lonlat(grid_e[irish], grid_n[irish])
    easting[irish], northing[irish] = to_bng(lon[irish], lat[irish])
    return finish(
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


def irish_grid_to_lonlat(easting: ArrayLike, northing: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Irish Grid metres (EPSG:29903) to longitude/latitude; NaN where they cannot be."""
    return transform(_IRISH_GRID_CRS, DISPLAY_CRS, easting, northing)
