"""How boundary messages list and count things, and how a name given by a user is matched."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def match_name(wanted: str, names: Sequence[str]) -> str | None:
    """The name equal to ``wanted``, else the only one equal ignoring case."""
    if wanted in names:
        return wanted
    folded = [name for name in names if name.casefold() == wanted.strip().casefold()]
    return folded[0] if len(folded) == 1 else None


def first_line(err: Exception, gdal_path: str) -> str:
    """The first line of a GDAL error, without the path GDAL puts in it."""
    return str(err).splitlines()[0].replace(f"'{gdal_path}' ", "").strip() if str(err) else ""


def as_text(values: pd.Series) -> pd.Series:
    """Values as stripped strings, with missing and blank values as NA (integral floats: 12)."""
    if pd.api.types.is_float_dtype(values):
        present = values.dropna()
        if (present == present.round()).all():
            values = values.astype("Int64")
    text = values.astype("str").str.strip()
    return text.mask(text == "")


def count(n: int, noun: str) -> str:
    """``n`` and the noun, plural unless ``n`` is 1: "1 area", "3 areas"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def agree(n: int, one: str, many: str) -> str:
    """The verb that agrees with ``n``: ``one`` when it is 1, else ``many``."""
    return one if n == 1 else many


def some(items: Sequence[str] | pd.Series, *, limit: int = 10) -> str:
    """Items joined by commas, the first ``limit`` of them, then "and N more"."""
    listed = [str(item) for item in items]
    if len(listed) <= limit:
        return ", ".join(listed)
    return f"{', '.join(listed[:limit])} and {len(listed) - limit} more"
