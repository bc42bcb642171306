"""Nights: the rollover at noon, the days the clocks change, windows and blocks, empty frames.

Every answer is worked out by hand in the comments. The clocks go forward at 01:00 GMT on
Sunday 29 March 2026 and back at 02:00 BST on Sunday 25 October 2026.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from geo.analysis.coverage import agency_coverage
from geo.errors import AnalysisError
from geo.nights import (
    NO_NIGHT,
    block_nights,
    block_of,
    block_start,
    day_number,
    latest_night,
    night_number,
    night_numbers,
    night_of,
    nights_ending,
    whole_blocks_end,
)

LONDON = "Europe/London"


def _local(*stamps: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(stamps))).dt.tz_localize(LONDON)


def _dates(nights: pd.Series) -> list[str]:
    return [stamp.date().isoformat() for stamp in nights]


# --------------------------------------------------------------------------- night_of


def test_the_night_rolls_over_at_noon() -> None:
    found = night_of(_local("2026-11-05 02:00", "2026-11-05 11:59", "2026-11-05 12:00"))
    assert _dates(found) == ["2026-11-04", "2026-11-04", "2026-11-05"]
    # a night is dated by its evening: 23:59 on the 5th and 00:00 on the 6th are one night
    assert _dates(night_of(_local("2026-11-05 23:59", "2026-11-06 00:00"))) == ["2026-11-05"] * 2


def test_the_rollover_reads_the_clock_when_the_clocks_go_forward() -> None:
    # 29 March: 01:00 GMT becomes 02:00 BST. Noon on the clock starts the 29th, although only
    # 11 hours have passed since midnight: 12:30 BST minus 12 elapsed hours would be 23:30 GMT
    # on the 28th, which is why the rollover is read on the clock.
    stamps = ("2026-03-29 00:30", "2026-03-29 11:59", "2026-03-29 12:00", "2026-03-29 12:30")
    assert _dates(night_of(_local(*stamps))) == ["2026-03-28"] * 2 + ["2026-03-29"] * 2


def test_the_rollover_reads_the_clock_when_the_clocks_go_back() -> None:
    # 25 October: 02:00 BST becomes 01:00 GMT, so 01:30 happens twice; both belong to the
    # 24th. 11:30 GMT is 13 hours after midnight but still before noon on the clock: the 24th.
    first = pd.Timestamp("2026-10-25 01:30").tz_localize(LONDON, ambiguous=True)  # BST
    second = pd.Timestamp("2026-10-25 01:30").tz_localize(LONDON, ambiguous=False)  # GMT
    assert second - first == pd.Timedelta(hours=1)
    assert night_of(first) == night_of(second) == pd.Timestamp("2026-10-24")
    assert night_of(pd.Timestamp("2026-10-25 11:30", tz=LONDON)) == pd.Timestamp("2026-10-24")
    assert night_of(pd.Timestamp("2026-10-25 12:00", tz=LONDON)) == pd.Timestamp("2026-10-25")


def test_other_zones_are_read_in_london_and_naive_times_are_local() -> None:
    # 11:30 UTC on 1 July is 12:30 BST: the night of the 1st
    assert night_of(pd.Timestamp("2026-07-01 11:30", tz="UTC")) == pd.Timestamp("2026-07-01")
    assert night_of(pd.Timestamp("2026-07-01 11:30")) == pd.Timestamp("2026-06-30")
    naive = pd.Series(pd.to_datetime(["2026-07-01 11:30", None]))
    found = night_of(naive)
    assert found.iloc[0] == pd.Timestamp("2026-06-30")
    assert pd.isna(found.iloc[1])


def test_an_empty_frame_has_no_nights() -> None:
    empty = pd.DataFrame({"night": pd.Series([], dtype="datetime64[us]")})
    assert night_numbers(empty).tolist() == []
    assert latest_night(empty) is None
    assert night_of(_local()).empty
    assert latest_night(pd.DataFrame({"night": [None, None]})) is None


def test_night_numbers_and_dates() -> None:
    frame = pd.DataFrame({"night": pd.to_datetime(["1970-01-01", None, "2024-01-01"])})
    assert night_numbers(frame).tolist() == [0, NO_NIGHT, 19_723]  # 54 years and 13 leap days
    assert day_number(date(2024, 1, 1)) == 19_723
    assert latest_night(frame) == date(2024, 1, 1)
    assert night_number(pd.Timestamp("2024-01-01 23:00"), name="end") == 19_723
    with pytest.raises(AnalysisError, match=r"end must be a night's date .*got 'soon'"):
        night_number("soon", name="end")


# --------------------------------------------------------------------------- windows


def test_the_last_n_nights_include_both_ends() -> None:
    assert nights_ending(date(2026, 11, 7), 7) == (date(2026, 11, 1), date(2026, 11, 7))
    assert nights_ending(date(2026, 3, 1), 2) == (date(2026, 2, 28), date(2026, 3, 1))
    stamp = pd.Timestamp("2026-11-07")
    assert nights_ending(stamp, 28) == (pd.Timestamp("2026-10-11"), stamp)
    assert nights_ending(100, 14) == (87, 100)  # 87..100 is 14 nights
    for bad in (0, -1, 1.5, True):
        with pytest.raises(AnalysisError, match="nights must be a whole number, at least 1"):
            nights_ending(100, bad)  # type: ignore[arg-type]


def test_the_coverage_window_ends_on_the_night_of_a_timestamp_on_a_clock_change() -> None:
    # A visit on the night of the 24th counts for a one-night window ending at 11:30 on the
    # 25th (still that night); a visit on the night of the 23rd does not.
    records = pd.DataFrame(
        {
            "kind": ["visit", "visit"],
            "agency": ["Harbour Light", "St Anne's"],
            "observed_at": _local("2026-10-24 23:00", "2026-10-23 23:00"),
            "easting": [530_000.0, 530_000.0],
            "northing": [104_000.0, 104_000.0],
        }
    )
    end = pd.Timestamp("2026-10-25 11:30", tz=LONDON)
    table = agency_coverage(records, days=1, end=end).set_index("agency")
    assert table["visits"].to_dict() == {"Harbour Light": 1, "St Anne's": 0}


# --------------------------------------------------------------------------- blocks


def test_blocks_count_back_from_the_last_night() -> None:
    # weeks ending on night 20: block 0 is 14..20, block 1 is 7..13, block 2 is 0..6
    nights = np.arange(-1, 22)
    blocks = block_of(nights, end=20, length=7)
    assert blocks[nights == 21].tolist() == [-1]
    assert blocks[nights == 20].tolist() == [0] and blocks[nights == 14].tolist() == [0]
    assert blocks[nights == 13].tolist() == [1] and blocks[nights == -1].tolist() == [3]
    first, last = block_nights(blocks, end=20, length=7)
    assert ((first <= nights) & (nights <= last)).all()
    assert (last - first + 1 == 7).all()


def test_calendar_blocks_are_monday_to_sunday() -> None:
    monday = day_number(date(2024, 1, 1))
    sunday, saturday = day_number(date(2026, 11, 22)), day_number(date(2026, 11, 21))
    # the week of Saturday 21 November 2026 starts on Monday the 16th and is not over
    assert block_start(saturday, length=7, anchor=monday) == day_number(date(2026, 11, 16))
    assert whole_blocks_end(saturday, length=7, anchor=monday) == day_number(date(2026, 11, 15))
    assert whole_blocks_end(sunday, length=7, anchor=monday) == sunday
    # one-night blocks: every night is a whole block
    assert whole_blocks_end(saturday, length=1, anchor=monday) == saturday
