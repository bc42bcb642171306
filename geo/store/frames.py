"""Frames as every backend gives them back: one set of conversions, so that the embedded store
and the shared one answer with the very same columns and dtypes.

Both backends hand over times as ISO text with an offset, nights as ISO dates and flags as
integers (:func:`typed_columns`), a postcode directory's rows as stored
(:func:`postcode_frame`), and kept tables as JSON (:func:`kept_table_data`,
:func:`kept_table_frame`).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd

from geo.schema import DTYPES, TABLES, TIMEZONE


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
