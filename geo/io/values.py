"""Turning the text of cells into canonical values: dates, yes/no, people, nationality, age.

Each parser is vectorised over a Series of text and returns the values plus, where a value
could not be understood, a problem per row (``None`` where the value was fine or blank).

A file of a million rows holds far fewer distinct cells (a few thousand dates, three people
counts, one blank column), and every parser's answer for a row depends on that row's cells
alone, so each parser works on the distinct values and spreads the answers back to the rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

import numpy as np
import pandas as pd

from geo.io.nationalities import EU_EEA_WORDS, NON_EU_WORDS, UK_WORDS
from geo.schema import NIGHT_ROLLOVER_HOUR, RECORD_KINDS, TIMEZONE, VISIT

#: Date formats tried in order, UK day-first before anything else.
_DATE_FORMATS: Final[tuple[str, ...]] = (
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
    "%d/%m/%y %H:%M",
    "%d/%m/%y",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d %b %Y %H:%M",
    "%d %b %Y",
    "%d %B %Y %H:%M",
    "%d %B %Y",
    "%Y-%m-%dT%H:%M:%S.%f",
)
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")
_ISO_WITH_OFFSET = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$"
)

#: Earliest date accepted; anything before is taken as a typing error.
EARLIEST: Final = pd.Timestamp("2000-01-01", tz=TIMEZONE)


#: Below this many rows a parser works on the rows themselves.
_DISTINCT_FROM: Final = 2_000


def _distinct(*columns: pd.Series) -> tuple[list[pd.Series], np.ndarray] | None:
    """The distinct rows of ``columns`` (one row each) and, per row, its distinct row.

    ``None`` when working on distinct values would not pay: few rows, or most rows distinct.
    Missing values count as values (``None`` and NaN are the same one).
    """
    n = len(columns[0])
    if n < _DISTINCT_FROM:
        return None
    codes = np.zeros(n, dtype=np.int64)
    for column in columns:
        cells = column.to_numpy()
        if len(cells) and bool((cells == cells[0]).all()):
            continue  # one value throughout (a column the file does not have): code 0
        column_codes, uniques = pd.factorize(column, use_na_sentinel=False)
        if len(uniques) > 0.8 * n:
            return None
        codes = codes * len(uniques) + column_codes
    inverse, distinct = pd.factorize(codes)
    if len(distinct) > 0.8 * n:
        return None
    first = np.empty(len(distinct), dtype=np.int64)
    first[inverse] = np.arange(n)  # any row stands for its distinct value
    return [column.iloc[first].reset_index(drop=True) for column in columns], inverse


def _spread(values: pd.Series, inverse: np.ndarray, index: pd.Index) -> pd.Series:
    """Answers for distinct values -> answers for rows (same dtype)."""
    return pd.Series(values.array.take(inverse), index=index, dtype=values.dtype, name=values.name)


def _per_distinct(
    parse: Callable[..., tuple[pd.Series, ...]], *columns: pd.Series
) -> tuple[pd.Series, ...]:
    """``parse(*columns)``, worked out once per distinct row of ``columns``."""
    distinct = _distinct(*columns)
    if distinct is None:
        return parse(*columns)
    uniques, inverse = distinct
    return tuple(_spread(r, inverse, columns[0].index) for r in parse(*uniques))


def _none_where_missing(problem: pd.Series) -> pd.Series:
    """Problems as text or ``None`` (pandas turns ``None`` into NaN when text is assigned)."""
    return problem.astype(object).where(problem.notna(), None)


def _normalise_time(time: pd.Series) -> pd.Series:
    """'2340', '23.40', '23:40:00', '11:40pm' -> 'HH:MM[:SS]' text ('' stays '')."""
    text = time.fillna("").astype(str).str.strip().str.lower()
    text = text.str.replace(r"^(\d{1,2})[.h](\d{2})$", r"\1:\2", regex=True)
    text = text.str.replace(r"^(\d{2})(\d{2})$", r"\1:\2", regex=True)
    # Excel writes times of day as 1899-12-30T23:40:00 or 23:40:00
    text = text.str.replace(r"^1899-12-3[01]t", "", regex=True)
    pm = text.str.extract(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)$")
    has_ampm = pm[0].notna()
    if has_ampm.any():
        hour = pm.loc[has_ampm, 0].astype(int) % 12 + np.where(pm.loc[has_ampm, 2] == "pm", 12, 0)
        minute = pm.loc[has_ampm, 1].fillna("00")
        text.loc[has_ampm] = hour.map("{:02d}".format) + ":" + minute
    return text


def parse_datetimes(
    date: pd.Series,
    time: pd.Series | None = None,
    *,
    now: pd.Timestamp | None = None,
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse UK dates (and optional separate times) into Europe/London timestamps.

    Returns ``(observed_at, night, problem)``: timezone-aware timestamps (NaT where not parsed),
    the night each belongs to as a ``datetime64`` date (a sighting before noon belongs to the
    previous evening's night; a date with no time belongs to the night of that date), and a
    problem per row. Ambiguous clock-change times (01:00-02:00 in late October) are read as the
    first of the two (BST); times that do not exist in spring are moved forward an hour.
    """
    now = now or pd.Timestamp.now(tz=TIMEZONE)

    def parse(*columns: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
        return _parse_datetimes(columns[0], columns[1] if len(columns) > 1 else None, now=now)

    observed, night, problem = _per_distinct(parse, *([date] if time is None else [date, time]))
    return observed, night, problem


#: Dates beyond what nanosecond timestamps hold (a year typed as 3000) are moved to these before
#: conversion; they are then rejected as in the future or before 2000 like any other.
_FAR_PAST: Final = pd.Timestamp("1700-01-01")
_FAR_FUTURE: Final = pd.Timestamp("2200-01-01")


def _as_ns(values: pd.Series) -> pd.Series:
    return values.clip(_FAR_PAST, _FAR_FUTURE).astype("datetime64[ns]")


def _parse_datetimes(
    date: pd.Series, time: pd.Series | None, *, now: pd.Timestamp
) -> tuple[pd.Series, pd.Series, pd.Series]:
    text = date.fillna("").astype(str).str.strip()
    if time is not None:
        clock = _normalise_time(time)
        text = (text + " " + clock).str.strip()
    text = text.str.replace(r"\s+", " ", regex=True)
    blank = text.eq("")
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    remaining = ~blank
    with_offset = remaining & text.str.match(_ISO_WITH_OFFSET.pattern)
    if with_offset.any():
        aware = pd.to_datetime(text[with_offset], format="ISO8601", utc=True, errors="coerce")
        local = aware.dt.tz_convert(TIMEZONE).dt.tz_localize(None)
        parsed.loc[with_offset] = _as_ns(local)
        remaining &= ~with_offset
    for fmt in _DATE_FORMATS:
        if not remaining.any():
            break
        attempt = pd.to_datetime(text[remaining], format=fmt, errors="coerce")
        good = attempt.notna()
        if good.any():
            parsed.loc[good[good].index] = _as_ns(attempt[good])
            remaining.loc[good[good].index] = False
    has_time = text.str.contains(_HAS_TIME)
    observed = parsed.dt.tz_localize(
        TIMEZONE, ambiguous=np.ones(len(parsed), dtype=bool), nonexistent=pd.Timedelta(hours=1)
    )
    day = parsed.dt.normalize()
    before_noon = has_time & (parsed.dt.hour < NIGHT_ROLLOVER_HOUR)
    night = day.where(~before_noon, day - pd.Timedelta(days=1))
    problem = pd.Series(None, index=text.index, dtype=object)
    problem[blank] = "no date given"
    problem[remaining & ~blank] = "not a date in a format understood (e.g. 04/11/2026 23:40)"
    problem[observed.notna() & (observed > now + pd.Timedelta(days=1))] = "date is in the future"
    problem[observed.notna() & (observed < EARLIEST)] = "date is before 2000"
    bad = problem.notna()
    observed[bad] = pd.NaT
    night[bad] = pd.NaT
    return observed, night, _none_where_missing(problem)


_YES: Final = {
    "y",
    "yes",
    "true",
    "t",
    "1",
    "x",
    "✓",
    "✔",
    "yes confirmed",
    "confirmed",
    "required",
    "needed",
    "yes needed",
    "yes required",
}
_NO: Final = {"n", "no", "false", "f", "0", "none", "not needed", "not required", "no need"}
_UNKNOWN: Final = {
    "",
    "unknown",
    "not known",
    "n k",
    "nk",
    "not recorded",
    "not asked",
    "prefer not to say",
    "declined",
    "unsure",
    "n a",
    "na",
    "-",
    "?",
}


def parse_yes_no(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Yes/no cells -> nullable 0/1 (``<NA>`` where unknown or blank) and a problem per row."""
    result, problem = _per_distinct(_parse_yes_no, values)
    return result, problem


def _parse_yes_no(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    key = (
        values.fillna("")
        .astype(str)
        .str.strip()
        .str.lower()
        .str.replace(r"[^0-9a-z✓✔]+", " ", regex=True)
        .str.strip()
    )
    result = pd.Series(pd.NA, index=values.index, dtype="Int8")
    result[key.isin(_YES)] = 1
    result[key.isin(_NO)] = 0
    understood = key.isin(_YES | _NO | _UNKNOWN)
    problem = pd.Series(None, index=values.index, dtype=object)
    problem[~understood] = "not a yes/no value"
    return result, _none_where_missing(problem)


def parse_people(values: pd.Series, *, default: int = 1) -> tuple[pd.Series, pd.Series]:
    """People counted: whole numbers 0-500; blank means ``default``."""

    def parse(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
        return _parse_people(cells, default=default)

    result, problem = _per_distinct(parse, values)
    return result, problem


def _parse_people(values: pd.Series, *, default: int) -> tuple[pd.Series, pd.Series]:
    text = values.fillna("").astype(str).str.strip()
    number = pd.to_numeric(text, errors="coerce")
    result = number.fillna(default)
    problem = pd.Series(None, index=values.index, dtype=object)
    bad_text = text.ne("") & number.isna()
    problem[bad_text] = "people is not a number"
    problem[number.notna() & (number % 1 != 0)] = "people is not a whole number"
    problem[number.notna() & (number < 0)] = "people is negative"
    problem[number.notna() & (number > 500)] = "people is over 500 at one place"
    result = result.where(problem.isna(), 0).astype("int64")
    return result, _none_where_missing(problem)


def parse_sex(values: pd.Series) -> pd.Series:
    """'M', 'Male', 'man' -> 'male'; 'F', 'Female', 'woman' -> 'female'; others kept short."""
    (sex,) = _per_distinct(lambda cells: (_parse_sex(cells),), values)
    return sex


def _parse_sex(values: pd.Series) -> pd.Series:
    key = values.fillna("").astype(str).str.strip().str.lower()
    out = pd.Series("unknown", index=values.index, dtype=object)
    out[key.isin({"m", "male", "man", "boy"})] = "male"
    out[key.isin({"f", "female", "woman", "girl"})] = "female"
    other = key.isin(
        {
            "non binary",
            "non-binary",
            "nonbinary",
            "other",
            "trans",
            "transgender",
            "x",
            "nb",
            "self describe",
            "self-describe",
        }
    )
    out[other] = "other"
    return out


#: Bands an age is put in. They split at 25/26 as the government's rough sleeping snapshot
#: (under 18, 18-25, 26 and over) and CHAIN's reports do, so every band falls in one of those.
AGE_BANDS: Final[tuple[str, ...]] = (
    "under 18",
    "18-25",
    "26-35",
    "36-45",
    "46-55",
    "56-65",
    "66+",
)


def parse_age_band(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """An age or an age band -> one of :data:`AGE_BANDS` (text kept when it is another band).

    Returns the band and a nullable under-18 indicator derived from it.
    """
    band, under_18 = _per_distinct(_parse_age_band, values)
    return band, under_18


def _parse_age_band(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = values.fillna("").astype(str).str.strip().str.lower()
    age = pd.to_numeric(text, errors="coerce")
    edges = [-1, 17, 25, 35, 45, 55, 65, 200]
    from_age = pd.cut(age, bins=edges, labels=list(AGE_BANDS)).astype(object)
    band = text.where(text.ne(""), None).astype(object)
    band = band.where(age.isna(), from_age)
    under = band.isin({"under 18", "u18", "<18", "under18", "0-17", "16-17", "child"})
    band = band.where(~under, "under 18")
    band = band.where(~(age.notna() & ((age < 0) | (age > 120))), None)
    under_18 = pd.Series(pd.NA, index=values.index, dtype="Int8")
    under_18[band.notna()] = 0
    under_18[band.eq("under 18")] = 1
    return band, under_18


def nationality_group(values: pd.Series) -> tuple[pd.Series, list[str]]:
    """Nationality text -> UK, EU/EEA, non-EU or unknown, and the values not recognised.

    Unrecognised values are grouped as ``unknown`` rather than guessed, and returned so the
    import report can list them for someone to add.
    """
    distinct = _distinct(values)
    if distinct is None:
        return _nationality_group(values)
    (uniques,), inverse = distinct
    group, unrecognised = _nationality_group(uniques)
    return _spread(group, inverse, values.index), unrecognised


def _nationality_group(values: pd.Series) -> tuple[pd.Series, list[str]]:
    key = values.fillna("").astype(str).str.strip().str.lower()
    key = key.str.replace(r"[^a-z ]+", " ", regex=True).str.replace(r"\s+", " ", regex=True)
    key = key.str.strip()
    out = pd.Series("unknown", index=values.index, dtype=object)
    out[key.isin(UK_WORDS)] = "UK"
    out[key.isin(EU_EEA_WORDS)] = "EU/EEA"
    out[key.isin(NON_EU_WORDS)] = "non-EU"
    unknown_words = _UNKNOWN | {"not stated", "unknown nationality", "refused"}
    unrecognised = sorted(
        set(values[out.eq("unknown") & ~key.isin(unknown_words)].fillna("").astype(str).str.strip())
    )
    return out, unrecognised


def normalise_kind(
    values: pd.Series, *, default: str, people: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """Record kind from a kind column (or ``default``); a row with 0 people is a visit."""

    def parse(cells: pd.Series, counts: pd.Series) -> tuple[pd.Series, pd.Series]:
        return _normalise_kind(cells, default=default, people=counts)

    kind, problem = _per_distinct(parse, values, people)
    return kind, problem


def _normalise_kind(
    values: pd.Series, *, default: str, people: pd.Series
) -> tuple[pd.Series, pd.Series]:
    key = values.fillna("").astype(str).str.strip().str.lower()
    key = key.str.replace(r"[^a-z0-9]+", "_", regex=True).str.strip("_")
    aliases = {
        "street_count": "street_count",
        "count": "street_count",
        "street count": "street_count",
        "sighting": "street_count",
        "rough_sleeper_count": "street_count",
        "outreach_contact": "outreach_contact",
        "contact": "outreach_contact",
        "outreach": "outreach_contact",
        "referral": "referral",
        "visit": "visit",
        "patrol": "visit",
        "no_one_found": "visit",
        "check": "visit",
        "welfare_check": "visit",
    }
    kind = key.map(lambda k: aliases.get(k, aliases.get(k.replace("_", " ")))).astype(object)
    problem = pd.Series(None, index=values.index, dtype=object)
    problem[key.ne("") & kind.isna()] = f"kind is not one of {', '.join(RECORD_KINDS)}"
    kind = kind.where(key.ne(""), default)
    kind = kind.where(~(people.eq(0) & kind.ne(VISIT) & problem.isna()), VISIT)
    return kind, _none_where_missing(problem)
