"""Referral follow-up: was each referral (a public alert, say) followed up, and was anyone found?

A referral is **followed up** when any agency was present (a visit, an outreach contact or a
street count: :data:`~geo.schema.PRESENCE_KINDS`) within ``walk_m`` metres (default 200) of
where it was made, at the referral's time or up to ``within_hours`` hours after it (default 48;
both ends included). ``hours_to_follow_up`` is the time to the first such record.

Someone was **found** when one of those records is a contact or a street count: a record of
people. A visit never counts as found, whatever its outcome says: a visit is the record of an
agency that was there and found nobody (``people`` 0, :mod:`geo.schema`), and an outcome is
free text that no rule here reads.

Follow-ups are judged at a moment, ``end``: the latest time of any record (by default), or the
end of the night asked for (noon the next day, when that night rolls over). Records after it
are not known yet, so they count for nothing. A referral not followed up whose window is still
open at that moment is **pending**; one whose window has passed is **not followed up**.

Figures per area and period count the referrals made there, by the night of the referral (a
night is dated by its evening), in the ward figures' periods
(:func:`geo.analysis.ward_figures.period_blocks`); every referral falls in exactly one of
``found``, ``not_located`` (followed up, nobody found: the share a national evaluation put at a
third to a half), ``not_followed_up`` and ``pending``, so::

    followed_up = found + not_located
    referrals = followed_up + not_followed_up + pending

The total row covers the areas of the layer: referrals outside every area are in neither.
A referral without a location cannot be followed up within a distance: it is counted, and never
followed up. Who may see which figures is :mod:`geo.privacy.figures`' business.

How it is fast: presence records are put in square cells ``walk_m`` wide and sorted by cell,
then time, so the records of one cell within a referral's window are one run of that order,
found by binary search for every referral and each of the nine cells around it at once. The
runs are then walked a record at a time for all referrals together, each stopping at its first
record close enough or at one later than the best found so far (see :func:`_earliest`). Times
are compared in whole nanoseconds, so a record exactly ``within_hours`` after still counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from geo.analysis.ward_figures import (
    DEFAULT_PERIODS,
    PERIODS,
    Period,
    period_blocks,
    period_labels,
)
from geo.errors import AnalysisError
from geo.locate.areas import area_positions
from geo.nights import NO_NIGHT, block_of, day_date, night_number, night_numbers
from geo.schema import DISPLAY_CRS, NIGHT_ROLLOVER_HOUR, PRESENCE_KINDS, TIMEZONE, VISIT

if TYPE_CHECKING:
    import geopandas as gpd

    from geo.privacy.roles import Role

#: The kind of record a referral is.
REFERRAL: Final = "referral"
#: How far from a referral, in metres, an agency's presence follows it up (DESIGN.md).
FOLLOW_UP_WALK_M: Final = 200.0
#: How many hours after a referral an agency's presence still follows it up (DESIGN.md).
FOLLOW_UP_HOURS: Final = 48.0
#: What :func:`follow_ups` reads of each record.
FOLLOW_UP_READS: Final[tuple[str, ...]] = (
    "record_id",
    "kind",
    "observed_at",
    "night",
    "easting",
    "northing",
    "area_code",
)
#: Figures per area and period (and in the total row), in the order they are given.
REFERRAL_COLUMNS: Final[tuple[str, ...]] = (
    "referrals",
    "followed_up",
    "found",
    "not_located",
    "not_followed_up",
    "pending",
)
#: The parts each referral falls in exactly one of.
OUTCOMES: Final[tuple[str, ...]] = ("found", "not_located", "not_followed_up", "pending")

_PERIOD_COLUMNS: Final = ("period", "period_start", "period_end", "nights")
#: The largest distance and window asked for: a walk of 10 km, a window of a year.
_MOST_WALK_M: Final = 10_000.0
_MOST_HOURS: Final = 24.0 * 366
_NS_PER_HOUR: Final = 3_600_000_000_000


@dataclass(frozen=True)
class ReferralFigures:
    """Referral follow-up figures per area and period (``areas``) and for all areas
    (``totals``), with the distance and hours that counted as a follow-up.

    ``role`` and ``threshold`` say whose view it is once
    :func:`geo.privacy.figures.view_referrals` has applied a role (None: exact figures).
    """

    areas: pd.DataFrame
    totals: pd.DataFrame
    period: str
    walk_m: float
    within_hours: float
    role: Role | None = None
    threshold: int | None = None


def follow_ups(
    records: pd.DataFrame,
    *,
    walk_m: float = FOLLOW_UP_WALK_M,
    within_hours: float = FOLLOW_UP_HOURS,
    end: date | datetime | None = None,
) -> pd.DataFrame:
    """Whether each referral was followed up, how soon, and whether someone was found.

    ``records`` need :data:`FOLLOW_UP_READS`; ``observed_at`` is read in Europe/London when it
    has no timezone. ``end`` is the moment follow-ups are judged at (see :func:`judged_at`):
    referrals and presence records after it are left out.

    Returns
    -------
    DataFrame
        One row per referral, with the index of its record in ``records`` and in the same
        order: ``record_id``, ``referred_at``, ``night``, ``area_code``, ``followed_up``,
        ``hours_to_follow_up`` (NaN when not followed up), ``found`` and ``pending``.

    Examples
    --------
    A referral at 22:00, a contact 30 m away 20 hours later, and a visit on the spot 60 hours
    later (after the 48-hour window):

    >>> at = pd.to_datetime(["2026-11-02 22:00", "2026-11-03 18:00", "2026-11-05 10:00"])
    >>> seen = pd.DataFrame({"record_id": ["r", "c", "v"],
    ...     "kind": ["referral", "outreach_contact", "visit"],
    ...     "observed_at": at.tz_localize("Europe/London"), "night": at.normalize(),
    ...     "easting": [531000.0, 531030.0, 531000.0], "northing": 105000.0,
    ...     "area_code": "E1"})
    >>> out = follow_ups(seen)
    >>> out[["followed_up", "hours_to_follow_up", "found", "pending"]].to_numpy().tolist()
    [[True, 20.0, True, False]]
    """
    _check_window(walk_m=walk_m, within_hours=within_hours)
    _check_reads(records, FOLLOW_UP_READS)
    found = _follow_ups(records, walk_m=walk_m, within_hours=within_hours, end=end)
    rows = found.rows
    return pd.DataFrame(
        {
            "record_id": records["record_id"].iloc[rows].to_numpy(object),
            "referred_at": records["observed_at"].iloc[rows].array,
            "night": records["night"].iloc[rows].array,
            "area_code": records["area_code"].iloc[rows].to_numpy(object),
            "followed_up": found.followed_up,
            "hours_to_follow_up": found.hours,
            "found": found.found,
            "pending": found.pending,
        },
        index=records.index[rows],
    )


def judged_at(records: pd.DataFrame, *, end: date | datetime | None = None) -> pd.Timestamp | None:
    """The moment follow-ups are judged at, in Europe/London (None: no record has a time).

    ``end`` is a night (a date: the moment that night ends, noon the next day), a moment (a
    datetime; read in Europe/London without a timezone), or None: the latest ``observed_at``.

    >>> judged_at(pd.DataFrame({"observed_at": []}), end=date(2026, 11, 3))
    Timestamp('2026-11-04 12:00:00+0000', tz='Europe/London')
    """
    ns = _moment_ns(records, end=end)
    return None if ns is None else pd.Timestamp(ns, tz="UTC").tz_convert(TIMEZONE)


def referral_figures(
    records: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    walk_m: float = FOLLOW_UP_WALK_M,
    within_hours: float = FOLLOW_UP_HOURS,
    period: Period = "month",
    start: date | None = None,
    end: date | None = None,
    periods: int = DEFAULT_PERIODS,
    placed: bool = False,
    aligned: bool = False,
) -> ReferralFigures:
    """Referrals, followed up, found, not located, not followed up and pending, per area and
    period, from exact records.

    ``records`` need :data:`FOLLOW_UP_READS` and, unless ``placed`` (their ``area_code``
    refers to ``areas``), ``lon``/``lat``. ``period``, ``start``, ``end``, ``periods`` and
    ``aligned`` are :func:`geo.analysis.ward_figures.summarise`'s; follow-ups are judged at
    the end of night ``end``, else at the latest record (see :func:`judged_at`).
    """
    _check_window(walk_m=walk_m, within_hours=within_hours)
    if period not in PERIODS:
        raise AnalysisError(f"period must be one of {', '.join(PERIODS)}; got {period!r}")
    if period == "range" and (start is None or end is None):
        raise AnalysisError("a 'range' period needs both a first and a last night (--from, --to)")
    if isinstance(periods, bool) or not isinstance(periods, int) or periods < 1:
        raise AnalysisError(f"periods must be a whole number, at least 1; got {periods!r}")
    _check_reads(records, (*FOLLOW_UP_READS, *([] if placed else ["lon", "lat"])))
    if not placed and areas.crs is not None and not areas.crs.equals(DISPLAY_CRS):
        areas = areas.to_crs(DISPLAY_CRS)

    first, last, length, n_periods = period_blocks(
        night_numbers(records),
        period=period,
        start=start,
        end=end,
        periods=periods,
        aligned=aligned,
    )
    found = _follow_ups(records, walk_m=walk_m, within_hours=within_hours, end=end)
    nights = night_numbers(records.iloc[found.rows])
    codes = pd.Index(areas["area_code"].astype(str))
    area = area_positions(records.iloc[found.rows], codes, geometries=areas.geometry, placed=placed)
    block = block_of(nights, end=last, length=length)
    shown = (nights != NO_NIGHT) & (nights >= first) & (nights <= last) & (area >= 0)
    outcome = {
        "found": found.found,
        "not_located": found.followed_up & ~found.found,
        "not_followed_up": ~found.followed_up & ~found.pending,
        "pending": found.pending,
    }
    n_cells = len(codes) * n_periods
    cell = area[shown] * n_periods + block[shown]
    counts = {
        name: np.bincount(cell[part[shown]], minlength=n_cells) for name, part in outcome.items()
    }
    labels = period_labels(last=last, length=length, first=first, n_blocks=n_periods)
    grid = pd.DataFrame(
        {
            "area_code": np.repeat(codes.to_numpy(object), n_periods),
            "area_name": np.repeat(areas["area_name"].astype(str).to_numpy(object), n_periods),
            "_block": np.tile(np.arange(n_periods), len(codes)),
        }
    )
    grid = _with_counts(grid, counts)
    totals = _with_counts(
        labels.copy(),
        {
            name: values.reshape(len(codes), n_periods).sum(axis=0)
            for name, values in counts.items()
        },
    )
    by_area = grid.merge(labels, on="_block").sort_values(
        ["period_start", "area_code"], kind="stable"
    )
    return ReferralFigures(
        areas=by_area.loc[
            :, ["area_code", "area_name", *_PERIOD_COLUMNS, *REFERRAL_COLUMNS]
        ].reset_index(drop=True),
        totals=totals.sort_values("period_start")
        .loc[:, [*_PERIOD_COLUMNS, *REFERRAL_COLUMNS]]
        .reset_index(drop=True),
        period=period,
        walk_m=float(walk_m),
        within_hours=float(within_hours),
    )


def headline(figures: ReferralFigures) -> str:
    """The latest period's totals in one line of plain words, as the role sees them.

    "12 referrals in the month to 28 Nov 2026; 8 followed up within 48 hours; someone found
    at 5". A small count reads "fewer than 5"; one hidden to protect a small one "a hidden
    number".
    """
    totals = figures.totals
    if totals.empty:
        return "no referrals"
    latest = totals.iloc[-1]
    referrals, followed, found = (_words(latest[c]) for c in ("referrals", "followed_up", "found"))
    noun = "referral" if referrals == "1" else "referrals"
    return (
        f"{referrals[:1].upper()}{referrals[1:]} {noun} {_period_words(figures.period, latest)};"
        f" {followed} followed up within {_number(figures.within_hours)} hours;"
        f" someone found at {found}"
    )


# -- helpers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Found:
    """Per referral (positions ``rows`` in the records, in order): the answers."""

    rows: np.ndarray
    followed_up: np.ndarray
    hours: np.ndarray
    found: np.ndarray
    pending: np.ndarray


def _check_window(*, walk_m: float, within_hours: float) -> None:
    for name, value, unit, default, most in (
        ("walk_m", walk_m, "metres", FOLLOW_UP_WALK_M, _MOST_WALK_M),
        ("within_hours", within_hours, "hours", FOLLOW_UP_HOURS, _MOST_HOURS),
    ):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not 0 < value <= most
        ):
            raise AnalysisError(
                f"{name} must be a number of {unit} above 0 and at most {most:,g} (the"
                f" default is {_number(default)}); got {value!r}"
            )


def _check_reads(records: pd.DataFrame, reads: tuple[str, ...]) -> None:
    missing = [c for c in reads if c not in records.columns]
    if missing:
        raise AnalysisError(
            f"records has no column {', '.join(missing)}; referral follow-up needs it"
        )


def _stamps_ns(values: pd.Series) -> np.ndarray:
    """Times as whole nanoseconds since 1970 UTC (naive ones read in Europe/London); missing
    times are NaT's integer (the smallest int64)."""
    stamps = pd.to_datetime(values)
    if not isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_localize(TIMEZONE, ambiguous="NaT", nonexistent="NaT")
    return (
        stamps.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[ns]").view(np.int64)
    )


def _moment_ns(records: pd.DataFrame, *, end: date | datetime | None) -> int | None:
    if end is None:
        ns = _stamps_ns(records["observed_at"])
        ns = ns[ns != NO_NIGHT]
        return int(ns.max()) if len(ns) else None
    if isinstance(end, datetime):
        moment = pd.Timestamp(end)
        moment = moment.tz_localize(TIMEZONE) if moment.tzinfo is None else moment
        return int(moment.tz_convert("UTC").value)
    night = night_number(end, name="end")
    ends = pd.Timestamp(day_date(night + 1)) + pd.Timedelta(hours=NIGHT_ROLLOVER_HOUR)
    return int(ends.tz_localize(TIMEZONE).tz_convert("UTC").value)


def _follow_ups(
    records: pd.DataFrame, *, walk_m: float, within_hours: float, end: date | datetime | None
) -> _Found:
    when = _stamps_ns(records["observed_at"])
    timed = when != NO_NIGHT  # NaT is the smallest int64, as NO_NIGHT is
    moment = _moment_ns(records, end=end)
    if moment is not None:
        timed &= when <= moment
    kind = records["kind"]
    easting = records["easting"].to_numpy(float)
    northing = records["northing"].to_numpy(float)
    placed = np.isfinite(easting) & np.isfinite(northing)
    rows = np.flatnonzero(kind.isin([REFERRAL]).to_numpy(dtype=bool) & timed)
    present = kind.isin(PRESENCE_KINDS).to_numpy(dtype=bool) & timed & placed
    people = present & ~kind.isin([VISIT]).to_numpy(dtype=bool)
    window = int(round(within_hours * _NS_PER_HOUR))
    asked = rows[placed[rows]]
    points = (easting, northing, when)
    asked_points = tuple(v[asked] for v in points)
    first = np.full(len(rows), _NONE, dtype=np.int64)
    first_found = np.full(len(rows), _NONE, dtype=np.int64)
    inside = placed[rows]
    for out, which in ((first, present), (first_found, people)):
        seen = np.flatnonzero(which)
        out[inside] = _earliest(
            asked_points, tuple(v[seen] for v in points), walk_m=walk_m, window=window
        )
    followed_up = first <= window
    hours = np.where(followed_up, first / _NS_PER_HOUR, np.nan)
    still_open = when[rows] + window > (moment if moment is not None else np.iinfo(np.int64).max)
    return _Found(
        rows=rows,
        followed_up=followed_up,
        hours=hours,
        found=first_found <= window,
        pending=~followed_up & still_open,
    )


#: No follow-up: a delay larger than any window.
_NONE: Final = np.iinfo(np.int64).max
#: The eight cells around a cell, and itself.
_NEIGHBOURS: Final = tuple((dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1))


def _earliest(
    referrals: tuple[np.ndarray, np.ndarray, np.ndarray],
    seen: tuple[np.ndarray, np.ndarray, np.ndarray],
    *,
    walk_m: float,
    window: int,
) -> np.ndarray:
    """For each referral (easting, northing, time in nanoseconds), the delay to the first of
    the records ``seen`` within ``walk_m`` metres and from 0 to ``window`` nanoseconds after it
    (:data:`_NONE`: none).

    Records are put in square cells ``walk_m`` wide and sorted by cell, then time: the records
    of one cell in a referral's window are then one run of that order, found by binary search
    for the referral and each of the nine cells around it. The runs are walked a record at a
    time, all at once: a run stops at its first record close enough, or at one later than the
    best found so far for its referral (every later one is later still).
    """
    best = np.full(len(referrals[0]), _NONE, dtype=np.int64)
    if not len(referrals[0]) or not len(seen[0]):
        return best
    seen_cx, seen_cy = (np.floor(v / walk_m).astype(np.int64) for v in seen[:2])
    ref_cx, ref_cy = (np.floor(v / walk_m).astype(np.int64) for v in referrals[:2])
    low_x, low_y = seen_cx.min() - 1, seen_cy.min() - 1
    width = int(seen_cy.max() - low_y) + 2  # a row of cells empty each side: no wrapping
    # a referral beyond the cells around every record has nothing near: left out
    within = (ref_cx >= low_x) & (ref_cx <= seen_cx.max() + 1)
    within &= (ref_cy >= low_y) & (ref_cy - low_y < width)
    ask = np.flatnonzero(within)
    seen_cell = (seen_cx - low_x) * width + (seen_cy - low_y)
    ref_cell = (ref_cx[ask] - low_x) * width + (ref_cy[ask] - low_y)
    # times as ranks among every time searched for, so cell and time fit one int64 key
    ref_t = referrals[2][ask]
    times, rank = np.unique(np.concatenate([seen[2], ref_t, ref_t + window]), return_inverse=True)
    n_seen, n_ask = len(seen_cell), len(ask)
    seen_rank, start_rank, stop_rank = np.split(rank, [n_seen, n_seen + n_ask])
    span = len(times) + 1
    order = np.lexsort((seen_rank, seen_cell))
    key = seen_cell[order] * span + seen_rank[order]
    seen_e, seen_n, seen_t = (values[order] for values in seen)
    # referrals in the same order, so each binary search below asks for sorted keys (faster)
    by = np.lexsort((start_rank, ref_cell))
    ask, start_rank, stop_rank, ref_cell = ask[by], start_rank[by], stop_rank[by], ref_cell[by]
    ref_e, ref_n, ref_t = (values[ask] for values in referrals)
    best = best[ask]
    reach = walk_m * walk_m
    # the referral's own cell first: its best so far then cuts the runs of the cells around
    for stage in ((0, 0),), _NEIGHBOURS[:4] + _NEIGHBOURS[5:]:
        runs = []
        for dx, dy in stage:
            around = ref_cell + dx * width + dy
            lo = np.searchsorted(key, around * span + start_rank, side="left")
            hi = np.searchsorted(key, around * span + stop_rank, side="right")
            some = np.flatnonzero(lo < hi)
            some = some[seen_t[lo[some]] - ref_t[some] < best[some]]
            runs.append((some, lo[some], hi[some]))
        who, at, end = (np.concatenate(parts) for parts in zip(*runs, strict=True))
        while len(who):
            delay = seen_t[at] - ref_t[who]
            near = (seen_e[at] - ref_e[who]) ** 2 + (seen_n[at] - ref_n[who]) ** 2 <= reach
            np.minimum.at(best, who[near], delay[near])
            go_on = ~near & (delay < best[who]) & (at + 1 < end)
            who, at, end = who[go_on], at[go_on] + 1, end[go_on]
    out = np.full(len(referrals[0]), _NONE, dtype=np.int64)
    out[ask] = best
    return out


def _with_counts(frame: pd.DataFrame, counts: dict[str, np.ndarray]) -> pd.DataFrame:
    out = frame.copy()
    parts = {name: np.asarray(counts[name], dtype=np.int64) for name in OUTCOMES}
    out["followed_up"] = parts["found"] + parts["not_located"]
    out["referrals"] = out["followed_up"].to_numpy() + parts["not_followed_up"] + parts["pending"]
    for name in OUTCOMES:
        out[name] = parts[name]
    return out


def _words(value: object) -> str:
    if isinstance(value, str):
        if value.startswith("<"):  # "<5": fewer than 5
            return f"fewer than {value[1:]}"
        return "a hidden number" if value == "*" else value
    return str(int(value))  # type: ignore[call-overload]


def _number(value: float) -> str:
    return f"{value:g}"


def _period_words(period: str, row: pd.Series) -> str:
    end = row["period_end"]
    to = f"{end.day} {end:%b %Y}"
    if period == "night":
        return f"on the night of {to}"
    if period in ("week", "month") and int(row["nights"]) == (7 if period == "week" else 30):
        return f"in the {period} to {to}"
    begin = row["period_start"]
    return f"from {begin.day} {begin:%b %Y} to {to}"
