"""Numbers in location columns as people write them, keeping the decimal places they gave.

Coordinates arrive as floats or as text ("51.5072N", "W 0.1276", "531,040", "NA"); how many
decimal places were given is how precise the position is, so it is kept alongside the value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from geo.locate.located import pick

#: Texts that mean "nothing here" in a coordinate column.
_BLANK_WORDS: Final = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "--"})

# Patterns stay strings, not compiled, so pandas can hand them to pyarrow's fast kernels.
_HEMISPHERE_NUMBER: Final = (
    r"^(?P<before>[NSEW])?\s*"
    r"(?P<number>[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+))"
    r"\s*°?\s*(?P<after>[NSEW])?$"
)
_THOUSANDS_NUMBER: Final = r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$"


@dataclass(frozen=True, eq=False)
class Numbers:
    """A column of numbers as written: values, decimal places, blanks and non-numbers."""

    source: pd.Series
    value: np.ndarray
    decimals: np.ndarray
    blank: np.ndarray
    bad: np.ndarray

    def shown(self, rows: np.ndarray) -> pd.Series:
        """The values of the selected rows as text, for messages."""
        values = pick(self.source, rows)
        if is_numeric_dtype(values) and not is_bool_dtype(values):
            return values.astype(float).astype(str).str.removesuffix(".0")
        return values.astype("string").str.strip()


def to_float(text: pd.Series) -> np.ndarray:
    """Text to floats, NaN where blank or not a number.

    pyarrow's cast is 20 times faster than ``pd.to_numeric`` but refuses a whole column for one
    bad value; such columns (and non-pyarrow strings) take the slow, forgiving path.

    Examples
    --------
    >>> to_float(pd.Series(["51.5", None, "x"], dtype="string")).tolist()
    [51.5, nan, nan]
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
    with np.errstate(over="ignore", invalid="ignore"):  # 1e308 scaled is inf: never exact
        for places in range(10):
            scaled = values * 10.0**places
            exact = pending & (np.abs(scaled - np.round(scaled)) <= 1e-9 + 1e-12 * np.abs(scaled))
            decimals[exact] = places
            pending &= ~exact
    return decimals


def parse_numbers(values: pd.Series, *, degrees: bool) -> Numbers:
    """Numbers from numbers or text, keeping the decimal places the text gave.

    Text may carry a hemisphere letter and a degree sign ("51.5°N", "W 0.12", with ``degrees``)
    or thousands separators ("531,040", without). Blank cells and words like "NA" are blank.

    Examples
    --------
    >>> numbers = parse_numbers(pd.Series(["51.50", "0.12 W", "NA"]), degrees=True)
    >>> numbers.value.tolist(), numbers.decimals.tolist(), numbers.blank.tolist()
    ([51.5, -0.12, nan], [2, 2, 0], [False, False, True])
    """
    if is_numeric_dtype(values) and not is_bool_dtype(values):
        value = values.to_numpy(dtype=float, na_value=np.nan)
        blank = np.isnan(value)
        bad = np.isinf(value)
        value = np.where(bad, np.nan, value)
        return Numbers(values, value, _decimals_of(value), blank, bad)

    text = values.astype("string").str.strip()
    missing = text.isna().to_numpy()
    value = to_float(text.mask(text.eq("")))
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
    return Numbers(values, value, decimals, blank, bad)


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
    value = to_float(number)
    value = np.where(negative, -np.abs(value), value)
    dot = number.str.find(".").to_numpy(dtype=float, na_value=-1)
    length = number.str.len().to_numpy(dtype=float, na_value=0)
    return value, np.where(dot >= 0, length - dot - 1, 0).astype(np.int64)
