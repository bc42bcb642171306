"""Nights as whole numbers, the way every analysis counts them.

A night is dated by its evening (see :mod:`geo.schema`); the store keeps it as a date in the
``night`` column. Analyses work on whole days since 1970-01-01, so that blocks of nights,
windows and differences are integer arithmetic.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

import numpy as np
import pandas as pd

EPOCH: Final = date(1970, 1, 1)
#: What :func:`night_numbers` gives for a record without a night.
NO_NIGHT: Final = np.iinfo(np.int64).min


def night_numbers(records: pd.DataFrame) -> np.ndarray:
    """The ``night`` column as whole days since 1970-01-01 (:data:`NO_NIGHT` where missing).

    >>> night_numbers(pd.DataFrame({"night": [pd.Timestamp("1970-01-03"), None]})).tolist()
    [2, -9223372036854775808]
    """
    night = pd.to_datetime(records["night"])
    if isinstance(night.dtype, pd.DatetimeTZDtype):
        night = night.dt.tz_localize(None)
    return night.to_numpy("datetime64[D]").astype(np.int64)


def day_number(value: date) -> int:
    """A date as whole days since 1970-01-01."""
    return (value - EPOCH).days


def day_date(number: int) -> date:
    """The date of a day number."""
    return EPOCH + timedelta(days=int(number))
