"""Nights: which night a moment belongs to, windows of the last N nights, blocks of nights.

A night is dated by its evening: a sighting at 02:00 on the 5th belongs to the night of the 4th,
and the night rolls over at :data:`~geo.schema.NIGHT_ROLLOVER_HOUR` (12:00) local time, read on
the clock on the wall, so a day when the clocks change is no different. The store keeps each
record's night as a date in the ``night`` column.

Analyses count nights as whole days since 1970-01-01 (:func:`night_numbers`), so that windows,
blocks and differences are integer arithmetic. Every window and block here includes both ends:

- :func:`nights_ending` gives the first and last of the N nights ending on a night;
- :func:`block_of` says which block of N nights, counted back from a night, a night is in, and
  :func:`block_nights` gives each block's first and last night;
- :func:`block_start` and :func:`whole_blocks_end` fix blocks to a calendar (weeks Monday to
  Sunday, say) instead of to the last night.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Final, TypeVar

import numpy as np
import pandas as pd

from geo.errors import AnalysisError
from geo.schema import NIGHT_ROLLOVER_HOUR, TIMEZONE

EPOCH: Final = date(1970, 1, 1)
#: What :func:`night_numbers` gives for a record without a night.
NO_NIGHT: Final = np.iinfo(np.int64).min

Night = TypeVar("Night", int, np.ndarray, date, pd.Timestamp)
Stamps = TypeVar("Stamps", pd.Timestamp, pd.Series)


def night_of(stamps: Stamps) -> Stamps:
    """The night a moment belongs to: the naive midnight of the evening it began.

    Aware times are read in Europe/London; naive ones are taken as local already. Missing
    times stay missing.

    Examples
    --------
    Two in the morning belongs to the evening before; noon starts the next night.

    >>> night_of(pd.Timestamp("2026-11-05 02:00", tz="Europe/London"))
    Timestamp('2026-11-04 00:00:00')
    >>> night_of(pd.Series(pd.to_datetime(["2026-11-05 11:59", "2026-11-05 12:00"]))).tolist()
    [Timestamp('2026-11-04 00:00:00'), Timestamp('2026-11-05 00:00:00')]

    On the morning the clocks go back (25 October 2026), 11:30 is still the night of the 24th
    (twelve hours earlier by the clock is 23:30 on the 24th; thirteen hours have passed).

    >>> night_of(pd.Timestamp("2026-10-25 11:30", tz="Europe/London"))
    Timestamp('2026-10-24 00:00:00')
    """
    shift = pd.Timedelta(hours=NIGHT_ROLLOVER_HOUR)
    if isinstance(stamps, pd.Series):
        wall = stamps
        if isinstance(wall.dtype, pd.DatetimeTZDtype):
            wall = wall.dt.tz_convert(TIMEZONE).dt.tz_localize(None)
        return (wall - shift).dt.normalize()
    wall = stamps if stamps.tzinfo is None else stamps.tz_convert(TIMEZONE).tz_localize(None)
    return (wall - shift).normalize()


def night_numbers(records: pd.DataFrame) -> np.ndarray:
    """The ``night`` column as whole days since 1970-01-01 (:data:`NO_NIGHT` where missing).

    >>> night_numbers(pd.DataFrame({"night": [pd.Timestamp("1970-01-03"), None]})).tolist()
    [2, -9223372036854775808]
    """
    night = pd.to_datetime(records["night"])
    if isinstance(night.dtype, pd.DatetimeTZDtype):
        night = night.dt.tz_localize(None)
    return night.to_numpy("datetime64[D]").astype(np.int64)


def latest_night(records: pd.DataFrame) -> date | None:
    """The latest night of any record, None when there are no records.

    >>> latest_night(pd.DataFrame({"night": pd.to_datetime(["2026-11-03", "2026-11-04"])}))
    datetime.date(2026, 11, 4)
    >>> latest_night(pd.DataFrame({"night": []})) is None
    True
    """
    nights = pd.to_datetime(records["night"]).dropna()
    return None if nights.empty else pd.Timestamp(nights.max()).date()


def night_number(value: object, *, name: str) -> int | None:
    """A night given as a date (or datetime, Timestamp, ISO text) as days since 1970-01-01.

    A time of day is ignored: the date is the evening's. ``name`` is the argument's name for
    the message when ``value`` is not a date.

    >>> night_number("1970-01-08", name="end"), night_number(None, name="end")
    (7, None)
    """
    if value is None:
        return None
    if isinstance(value, date | datetime | pd.Timestamp | str | np.datetime64):
        try:
            stamp = pd.Timestamp(value)
        except ValueError:
            stamp = pd.NaT
        if stamp is not pd.NaT:
            return int(stamp.tz_localize(None).normalize().value // 86_400_000_000_000)
    raise AnalysisError(
        f"{name} must be a night's date (the evening it began), got {value!r}; "
        f"e.g. {name}=date(2026, 11, 23)"
    )


def day_number(value: date) -> int:
    """A date as whole days since 1970-01-01."""
    return (value - EPOCH).days


def day_date(number: int) -> date:
    """The date of a day number."""
    return EPOCH + timedelta(days=int(number))


def nights_ending(end: Night, nights: int) -> tuple[Night, Night]:
    """The first and last of the ``nights`` nights ending on ``end`` (both included).

    ``end`` is a date, a Timestamp (a midnight) or a night number, and the first night is of
    the same kind.

    Examples
    --------
    The last 7 nights to Saturday 7 November are the 1st to the 7th; one night is itself.

    >>> nights_ending(date(2026, 11, 7), 7)
    (datetime.date(2026, 11, 1), datetime.date(2026, 11, 7))
    >>> nights_ending(14, 1)
    (14, 14)
    """
    if isinstance(nights, bool) or not isinstance(nights, int | np.integer) or nights < 1:
        raise AnalysisError(f"nights must be a whole number, at least 1; got {nights!r}")
    if isinstance(end, int | np.integer | np.ndarray):
        return end - (nights - 1), end
    return end - timedelta(days=int(nights) - 1), end


def block_of(nights: np.ndarray, *, end: int, length: int) -> np.ndarray:
    """Which block of ``length`` nights each night is in, counting back from ``end``.

    Block 0 is the ``length`` nights ending on ``end``, block 1 the ones before it, and so on;
    nights after ``end`` get negative numbers.

    >>> block_of(np.array([15, 14, 8, 7, 1, 0]), end=14, length=7).tolist()
    [-1, 0, 0, 1, 1, 2]
    """
    return (end - np.asarray(nights)) // length


def block_nights(blocks: np.ndarray, *, end: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """The first and last night of each block numbered as in :func:`block_of`.

    >>> first, last = block_nights(np.arange(3), end=14, length=7)
    >>> first.tolist(), last.tolist()
    ([8, 1, -6], [14, 7, 0])
    """
    last = end - np.asarray(blocks) * length
    return last - length + 1, last


def block_start(night: int, *, length: int, anchor: int) -> int:
    """The first night of the calendar block holding ``night``.

    Calendar blocks are ``length`` nights long and one starts on night ``anchor``. Night 0 is
    Thursday 1 January 1970, so with ``anchor=4`` (a Monday) weeks run Monday to Sunday.

    >>> block_start(12, length=7, anchor=4), block_start(10, length=7, anchor=4)
    (11, 4)
    """
    return anchor + ((night - anchor) // length) * length


def whole_blocks_end(night: int, *, length: int, anchor: int) -> int:
    """The last night of the latest calendar block (see :func:`block_start`) whose nights have
    all passed by ``night``.

    >>> whole_blocks_end(17, length=7, anchor=4), whole_blocks_end(16, length=7, anchor=4)
    (17, 10)
    """
    return anchor + ((night - anchor + 1) // length) * length - 1
