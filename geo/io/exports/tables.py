"""Tables people open: CSV for spreadsheets and JSON for other programs.

Both write times and dates as ISO text and figures rounded for people (:func:`for_people`):
a rate of 20.553576322280076 is written 20.6. CSV is UTF-8 with a byte-order mark (as Excel
opens it) and every cell a spreadsheet would run as a formula is neutralised
(:func:`geo.io.spreadsheet.neutralise_formula`). Map features become rows with the
``lon``/``lat`` of a point on each (EPSG:4326).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.io.spreadsheet import neutralise_formula
from geo.schema import DISPLAY_CRS

__all__ = [
    "DECIMALS",
    "features_json",
    "features_table",
    "for_people",
    "iso_times",
    "table_csv",
    "table_json",
]

#: Decimal places of the figures people read, by column: rates and percentages to 1, scores
#: and trends to 2, shares to 3, coordinates to 0.1 m or 6 decimals of a degree (0.1 m).
DECIMALS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "rate_per_10k": 1,
        "change_pct": 1,
        "emerging_score": 2,
        "trend": 2,
        "gi_z": 2,
        "score": 2,
        "share_covered": 3,
        "easting": 1,
        "northing": 1,
        "lon": 6,
        "lat": 6,
    }
)
#: Columns named with these endings are metres, minutes or speeds: 1 decimal place.
_ENDINGS: Final = (("_m", 1), ("_minutes", 1), ("_kmh", 1))
#: Probabilities keep significant figures, so a tiny one does not print as 0.
_SIGNIFICANT: Final[Mapping[str, int]] = MappingProxyType({"gi_p": 3, "gi_q": 3})
#: Places for any other column of fractions; whole numbers (counts) are written as integers.
_OTHER: Final = 2


def for_people(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with its figures rounded as people read them.

    Columns named in :data:`DECIMALS` (or ending ``_m``, ``_minutes``) are rounded to those
    places; probabilities (``gi_p``, ``gi_q``) keep 3 significant figures; other columns of
    floats that hold whole numbers (counts and populations with gaps) become integers, and any
    other floats get 2 places. Integers, text (``"<5"``, ``"*"``) and missing values are kept.

    Examples
    --------
    >>> table = pd.DataFrame({"rate_per_10k": [20.553576322280076], "population": [7298.0]})
    >>> for_people(table).to_dict("records")
    [{'rate_per_10k': 20.6, 'population': 7298}]
    """
    out = pd.DataFrame(frame).copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_float_dtype(values.dtype):
            out[column] = _round_floats(str(column), values)
        elif pd.api.types.is_object_dtype(values.dtype):
            out[column] = values.map(lambda v, c=str(column): _round_cell(c, v))
    return out


def table_csv(frame: pd.DataFrame) -> str:
    """A table as CSV text with formulas neutralised (no geometry column)."""
    table = for_people(iso_times(frame.drop(columns="geometry", errors="ignore")))
    return table.map(neutralise_formula).to_csv(index=False)


def table_json(frame: pd.DataFrame) -> str:
    """A table as a JSON list of objects, times as ISO text, missing values as null."""
    table = for_people(iso_times(frame.drop(columns="geometry", errors="ignore")))
    records = json.loads(table.to_json(orient="records", force_ascii=False))
    return json.dumps(records, ensure_ascii=False, indent=1)


def features_table(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Features as a table: the geometry replaced by ``lon``/``lat`` of a point on it."""
    shown = frame.to_crs(DISPLAY_CRS) if frame.crs is not None else frame
    points = shown.geometry.representative_point()
    return pd.DataFrame(shown.drop(columns="geometry")).assign(
        lon=points.x.round(6), lat=points.y.round(6)
    )


def features_json(frame: gpd.GeoDataFrame) -> str:
    """Features as a JSON list of objects with ``lon``/``lat`` (EPSG:4326)."""
    return table_json(features_table(frame))


def write_csv(value: pd.DataFrame, path: Path, *, content: str = "table") -> int:
    """Write a table (or ``content="features"``, as rows with lon/lat) as CSV; return the rows
    written."""
    table = features_table(value) if content == "features" else value  # type: ignore[arg-type]
    path.write_bytes(table_csv(table).encode("utf-8-sig"))
    return len(table)


def write_json(value: pd.DataFrame, path: Path, *, content: str = "table") -> int:
    """Write a table (or ``content="features"``, as rows with lon/lat) as JSON; return the rows
    written."""
    table = features_table(value) if content == "features" else value  # type: ignore[arg-type]
    path.write_text(table_json(table), encoding="utf-8")
    return len(table)


def iso_times(frame: pd.DataFrame) -> pd.DataFrame:
    """Times and dates as ISO text, so every format writes them the same way."""
    out = pd.DataFrame(frame).copy()
    for column in out.columns:
        values = out[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(
            values.dtype
        ):
            out[column] = values.map(lambda v: None if pd.isna(v) else v.isoformat())
        elif values.dtype == object:
            out[column] = values.map(lambda v: v.isoformat() if isinstance(v, date) else v)
    return out


def _places(column: str) -> int:
    if column in DECIMALS:
        return DECIMALS[column]
    return next((n for ending, n in _ENDINGS if column.endswith(ending)), _OTHER)


def _named(column: str) -> bool:
    return column in DECIMALS or column.endswith(tuple(ending for ending, _ in _ENDINGS))


def _round_floats(column: str, values: pd.Series) -> pd.Series:
    numbers = values.to_numpy(float)
    if column in _SIGNIFICANT:
        return pd.Series(_significant(numbers, _SIGNIFICANT[column]), index=values.index)
    known = numbers[~np.isnan(numbers)]
    whole = len(known) and np.isfinite(known).all() and np.array_equal(known, np.round(known))
    if whole and not _named(column):
        return values.astype("Int64")
    return values.round(_places(column))


def _round_cell(column: str, value: object) -> object:
    """One cell of a column of mixed values (numbers and "<5"): numbers rounded, the rest kept."""
    if not isinstance(value, float) or not np.isfinite(value):
        return value
    if column in _SIGNIFICANT:
        return float(_significant(np.array([value]), _SIGNIFICANT[column])[0])
    if not _named(column) and value.is_integer():
        return int(value)
    return round(value, _places(column))


def _significant(numbers: np.ndarray, digits: int) -> np.ndarray:
    """``numbers`` rounded to ``digits`` significant figures (0, NaN and inf kept)."""
    out = numbers.astype(float).copy()
    usable = np.isfinite(out) & (out != 0)
    places = digits - 1 - np.floor(np.log10(np.abs(out[usable]))).astype(int)
    out[usable] = [round(v, int(p)) for v, p in zip(out[usable], places, strict=True)]
    return out
