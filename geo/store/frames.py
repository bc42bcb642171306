"""Frames as every backend gives them back: one set of conversions, so that the embedded store
and the shared one answer with the very same columns and dtypes.

Both backends hand over times as ISO text with an offset, nights as ISO dates and flags as
integers (:func:`typed_columns`), a postcode directory's rows as stored
(:func:`postcode_frame`), kept tables as JSON (:func:`kept_table_data`,
:func:`kept_table_frame`), and a layer's areas with their shapes as WKB (:func:`areas_frame`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.schema import DISPLAY_CRS, DTYPES, TABLES, TIMEZONE
from geo.store.memo import ColumnMemo

#: The columns of a layer's areas, in order; ``geometry`` comes from the backend as WKB.
AREA_COLUMNS: Final = (
    "area_code",
    "area_name",
    "area_type",
    "parent_code",
    "population",
    "geometry",
)


def per_distinct(values: pd.Series, convert: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``convert(values)`` worked out once per distinct value (nights and times recur)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    converted = convert(pd.Series(uniques, dtype=object))
    return pd.Series(converted.array.take(codes), index=values.index, dtype=converted.dtype)


def typed_columns(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame``'s columns of ``table`` as their :mod:`geo.schema` types, as a new frame: times
    from ISO text with an offset, nights from ISO dates, flags from integers."""
    frame = frame.copy(deep=False)  # copy-on-write: the caller's frame is left as it was
    for column in TABLES[table]:
        if column.name not in frame:
            continue
        if column.type == "timestamp":
            frame[column.name] = per_distinct(
                frame[column.name],
                lambda text: pd.to_datetime(text, utc=True).dt.tz_convert(TIMEZONE),
            )
        elif column.type == "date":
            frame[column.name] = per_distinct(frame[column.name], pd.to_datetime)
        elif column.type == "flag":
            frame[column.name] = frame[column.name].astype(DTYPES["flag"])
    return frame


def postcode_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of a stored postcode directory (``postcode`` first) with their types, by postcode,
    as a new frame."""
    frame = frame.copy(deep=False)
    for column in ("easting", "northing", "lon", "lat", "precision_m"):
        frame[column] = pd.to_numeric(frame[column]).astype(float)
    frame["has_position"] = frame["has_position"].astype(bool)
    frame["quality"] = frame["quality"].fillna(0).astype(np.int8)
    for column in ("terminated", "ward"):
        frame[column] = frame[column].astype("string")
    return frame.set_index("postcode")


def kept_table_data(table: pd.DataFrame) -> bytes:
    """A kept table (gazetteer, ward context) as the JSON both backends keep it as."""
    cells = table.astype(object).where(table.notna(), None).to_numpy(dtype=object).tolist()
    return json.dumps({"columns": [str(c) for c in table.columns], "rows": cells}).encode()


def kept_table_frame(data: bytes | str) -> pd.DataFrame:
    """The kept table :func:`kept_table_data` wrote, every cell as stored."""
    kept = json.loads(data)
    return pd.DataFrame(kept["rows"], columns=kept["columns"], dtype=object)


def areas_frame(
    memo: ColumnMemo, *, layer: str, version: str, read: Callable[[], pd.DataFrame]
) -> gpd.GeoDataFrame:
    """The areas of ``layer`` at data ``version``: ``read()`` gives their rows (the columns
    of :data:`AREA_COLUMNS`, shapes as WKB) once a version, kept typed in ``memo``.

    A page reads the wards several times a rerun; turning their WKB into shapes was most of
    each read. Each call gets a frame of its own: changing it leaves the kept columns as
    they were (shapes themselves cannot be changed).
    """
    scope = f"areas@{layer}"
    kept = memo.get(scope, version, AREA_COLUMNS)
    if len(kept) < len(AREA_COLUMNS):
        frame = read()
        # a layer without any population reads as None: numbers always
        frame["population"] = pd.to_numeric(frame["population"]).astype(float)
        frame["geometry"] = pd.Series(shapely.from_wkb(frame["geometry"].to_numpy()), dtype=object)
        kept = {name: frame[name] for name in AREA_COLUMNS}
        memo.keep(scope, version, kept)
    columns = pd.DataFrame({name: kept[name] for name in AREA_COLUMNS[:-1]})
    shapes = kept["geometry"].to_numpy(dtype=object, copy=True)
    return gpd.GeoDataFrame(columns, geometry=shapes, crs=DISPLAY_CRS)
