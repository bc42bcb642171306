"""Agency coverage, coverage gaps and overlaps, ward shares, and the nearest services to a site.

Coverage (see DESIGN.md) is the area within a walking distance (default 200 m) of an agency's
presence in the last N nights (default 7). Rules chosen here:

- **Presence** ("someone went there") is a record of kind ``visit``, ``outreach_contact`` or
  ``street_count``: a street count is a visit by the counting agency. Referrals are not presence
  (they are usually reports by someone else). Every function takes ``presence=`` to change this.
- **Demand** is every record that is not a ``visit`` (sightings), or a frame of persistent sites
  or hotspot cells made elsewhere. A count or contact covers its own place, so among sightings
  the gaps are mostly referrals; gaps matter most for persistent sites and hotspots.
- **The window** is whole nights: the ``days`` nights ending with the night of ``end``, a night
  being dated by its evening (``night`` column; a record before noon belongs to the evening
  before: see :mod:`geo.nights`). ``end`` defaults to the latest night in the records (the
  data's "now", not the clock); a date gives that night; a timestamp (naive means local time)
  gives its night and also drops records after it. Records without a ``night`` column get one
  from ``observed_at``.
- **Time of day** uses the local (Europe/London) hour of ``observed_at``: night is 19:00 to
  06:59, day is 07:00 to 18:59 (:data:`NIGHT_HOURS`). It filters presence only.
- **Within** ``walk_m`` means a straight-line distance at most ``walk_m`` metres (inclusive),
  measured in EPSG:27700 with KD-tree radius queries (exact, no polygon buffers).

Inputs are DataFrames or GeoDataFrames with ``easting``/``northing`` (EPSG:27700 metres); a
GeoDataFrame without them is reprojected. Only the columns the police role gets are read, so
police views (points snapped to 100 m) work too. Inputs are never changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from geo.analysis.discs import union_area
from geo.analysis.nearby import as_numbers, latest_near, names_near, spots, take_found
from geo.errors import AnalysisError
from geo.nights import night_of, nights_ending
from geo.schema import (
    DEMAND_KINDS,
    PRESENCE_KINDS,
    RECORD_KINDS,
    SERVICE_TYPES,
    TIMEZONE,
    WORKING_CRS,
)

__all__ = [
    "DEFAULT_DAYS",
    "DEFAULT_WALK_M",
    "NIGHT_HOURS",
    "PRESENCE_KINDS",
    "agency_coverage",
    "demand_coverage",
    "gaps",
    "gaps_among",
    "nearest_services",
    "overlaps",
    "overlaps_among",
    "ward_coverage",
]

#: Local hours of the night: from ``NIGHT_HOURS[0]``:00 to ``NIGHT_HOURS[1]``:00 (excluded).
NIGHT_HOURS: Final = (19, 7)
DEFAULT_DAYS: Final = 7
DEFAULT_WALK_M: Final = 200.0

TimeOfDay = Literal["any", "night", "day"]
TIMES_OF_DAY: Final[tuple[str, ...]] = ("any", "night", "day")
End = pd.Timestamp | datetime | date | None

_RECORD_NEEDS: Final = ("kind", "agency", "observed_at")
_DEMAND_NEEDS: Final = ("people",)
_COVERED_NEEDS: Final = ("people", "n_agencies", "days_since_visit")


# --------------------------------------------------------------------------- public functions


def agency_coverage(
    records: pd.DataFrame,
    *,
    days: int = DEFAULT_DAYS,
    walk_m: float = DEFAULT_WALK_M,
    end: End = None,
    time_of_day: TimeOfDay = "any",
    presence: tuple[str, ...] = PRESENCE_KINDS,
    shapes: bool = True,
) -> gpd.GeoDataFrame:
    """The area each agency covered in the window: one row per agency, in EPSG:27700.

    ``shapes=False`` leaves the shapes out (empty polygons) for a table that shows only the
    area, which is then the circles' own (:func:`geo.analysis.discs.union_area`), and quick.

    Returns
    -------
    GeoDataFrame
        ``agency``; ``visits`` (presence records of kinds other than ``outreach_contact`` in the
        window: visits and street counts), ``contacts`` (``outreach_contact`` records in the
        window), ``last_visit`` (latest presence in the window, NaT if none), ``area_m2`` and
        ``geometry`` (union of ``walk_m`` circles, drawn as 32-gons; ``area_m2`` is the true
        circles' area, :func:`geo.analysis.discs.union_area`). Every agency with any presence
        record is listed, with zeros and an empty polygon when it was not out in the window;
        sorted by agency.
    """
    _check_options(days=days, walk_m=walk_m, time_of_day=time_of_day, presence=presence)
    frame = _records_frame(records, argument="records")
    window = _Window.make(frame, days=days, end=end)
    is_presence = frame["kind"].isin(presence).to_numpy(dtype=bool)
    names = pd.Series(frame.loc[is_presence, "agency"].unique()).dropna()  # few: sort those
    agencies = np.unique(names.astype(str).to_numpy(dtype=object))
    seen = frame.loc[is_presence & window.inside(frame, time_of_day=time_of_day)]
    seen = seen.loc[np.isfinite(seen["easting"]) & np.isfinite(seen["northing"])]
    return _agency_table(seen, agencies=agencies, walk_m=walk_m, shapes=shapes)


def demand_coverage(
    demand: pd.DataFrame,
    records: pd.DataFrame,
    *,
    days: int = DEFAULT_DAYS,
    walk_m: float = DEFAULT_WALK_M,
    end: End = None,
    time_of_day: TimeOfDay = "any",
    presence: tuple[str, ...] = PRESENCE_KINDS,
) -> pd.DataFrame:
    """Which agencies covered each place of demand, and when anyone last went there.

    Parameters
    ----------
    demand
        Persistent sites, hotspot cells or sightings: ``easting``, ``northing``, ``people``
        (and usually a ``demand`` label and an id column, kept as they are).
    records
        Records as :meth:`geo.store.Store.records` returns them (any role).

    Returns
    -------
    DataFrame
        A copy of ``demand`` (same index) with ``covered_by`` (agencies present within
        ``walk_m`` in the window and time of day, sorted, joined by "; ", "" when none),
        ``n_agencies``, ``last_visit`` (latest presence within ``walk_m`` up to ``end``, at any
        age and any time of day; NaT if never) and ``days_since_visit`` (nights from that
        visit's night to ``end``'s night: 0 is tonight; NaN if never). Rows without
        coordinates are never covered.
    """
    _check_options(days=days, walk_m=walk_m, time_of_day=time_of_day, presence=presence)
    places = _demand_frame(demand, argument="demand")
    frame = _records_frame(records, argument="records")
    window = _Window.make(frame, days=days, end=end)
    return _cover(
        places,
        frame,
        window=window,
        walk_m=walk_m,
        time_of_day=time_of_day,
        presence=presence,
        out=demand,
    )


def gaps(
    demand: pd.DataFrame,
    records: pd.DataFrame,
    *,
    days: int = DEFAULT_DAYS,
    walk_m: float = DEFAULT_WALK_M,
    end: End = None,
    time_of_day: TimeOfDay = "any",
    presence: tuple[str, ...] = PRESENCE_KINDS,
) -> gpd.GeoDataFrame:
    """Coverage gaps: demand no agency covered in the window, most urgent first.

    Ranked by ``people`` (most first), then ``days_since_visit`` (never visited first, then the
    longest since anyone went). Columns as :func:`demand_coverage` plus ``rank`` (1 = most
    urgent) and a Point ``geometry`` in EPSG:27700. With the coverage already worked out,
    :func:`gaps_among` gives the same.
    """
    covered = demand_coverage(
        demand,
        records,
        days=days,
        walk_m=walk_m,
        end=end,
        time_of_day=time_of_day,
        presence=presence,
    )
    return _gaps(covered)


def overlaps(
    demand: pd.DataFrame,
    records: pd.DataFrame,
    *,
    days: int = DEFAULT_DAYS,
    walk_m: float = DEFAULT_WALK_M,
    end: End = None,
    time_of_day: TimeOfDay = "any",
    presence: tuple[str, ...] = PRESENCE_KINDS,
) -> gpd.GeoDataFrame:
    """Overlaps: demand covered by two or more agencies, while some demand is a gap.

    Empty (same columns) when every place of demand is covered: agencies meeting at a place is
    only waste while somewhere else goes without. Sorted by ``n_agencies`` then ``people``
    (most first). Columns as :func:`demand_coverage` plus a Point ``geometry`` in EPSG:27700.
    With the coverage already worked out, :func:`overlaps_among` gives the same.
    """
    covered = demand_coverage(
        demand,
        records,
        days=days,
        walk_m=walk_m,
        end=end,
        time_of_day=time_of_day,
        presence=presence,
    )
    return _overlaps(covered)


def gaps_among(covered: pd.DataFrame, *, top: int | None = None) -> gpd.GeoDataFrame:
    """The coverage gaps among places whose coverage is worked out, ranked as :func:`gaps`.

    ``covered`` is what :func:`demand_coverage` returns (or rows of it), so one coverage
    answers the gaps, the overlaps and the places' own table without being worked out again.
    ``top`` keeps only that many, the most urgent (the first rows of the whole ranking).
    """
    _check_columns(covered, _COVERED_NEEDS, argument="covered")
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 0):
        raise AnalysisError(f"top={top!r}: give how many gaps to keep (0 or more), or None")
    return _gaps(covered, top=top)


def overlaps_among(covered: pd.DataFrame) -> gpd.GeoDataFrame:
    """The overlaps among places whose coverage is worked out, as :func:`overlaps` finds them.

    ``covered`` is what :func:`demand_coverage` returns; the overlaps are listed only while
    one of its places is a gap.
    """
    _check_columns(covered, _COVERED_NEEDS, argument="covered")
    return _overlaps(covered)


def ward_coverage(
    records: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    days: int = DEFAULT_DAYS,
    walk_m: float = DEFAULT_WALK_M,
    end: End = None,
    time_of_day: TimeOfDay = "any",
    presence: tuple[str, ...] = PRESENCE_KINDS,
    demand: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per ward, the share of the people seen in the window who were within reach of an agency.

    Demand is the records of kinds other than ``visit`` in the window (or, with ``demand=``, a
    frame of sites or hotspots), counted in ``people``; a place is covered as in
    :func:`demand_coverage` (presence anywhere, also over the ward boundary). Records are put
    in wards by their ``area_code`` (worked out on import); frames without one are joined to
    ``areas`` by location. Demand without coordinates counts as not covered.

    Returns
    -------
    DataFrame
        One row per area of ``areas`` (same index and order): ``area_code``, ``area_name``,
        ``demand_people``, ``covered_people`` and ``share_covered`` (NaN where nobody was seen).
    """
    _check_options(days=days, walk_m=walk_m, time_of_day=time_of_day, presence=presence)
    _check_columns(areas, ("area_code", "geometry"), argument="areas")
    frame = _records_frame(records, argument="records")
    window = _Window.make(frame, days=days, end=end)
    if demand is None:
        is_demand = frame["kind"].isin(DEMAND_KINDS).to_numpy(dtype=bool)
        wanted = is_demand & window.inside(frame, time_of_day="any")
        places = frame.loc[wanted]
    else:
        places = _demand_frame(demand, argument="demand")
    covered = _cover(
        places,
        frame,
        window=window,
        walk_m=walk_m,
        time_of_day=time_of_day,
        presence=presence,
        out=places,
    )
    codes = _area_codes(covered, areas)
    people = covered["people"].to_numpy(float)
    tally = pd.DataFrame(
        {
            "area_code": codes,
            "demand_people": people,
            "covered_people": np.where(covered["n_agencies"].to_numpy() > 0, people, 0.0),
        }
    )
    sums = tally.groupby("area_code", sort=False)[["demand_people", "covered_people"]].sum()
    out = pd.DataFrame(index=areas.index)
    out["area_code"] = areas["area_code"].to_numpy()
    out["area_name"] = (
        areas["area_name"].to_numpy() if "area_name" in areas.columns else out["area_code"]
    )
    found = sums.reindex(out["area_code"].to_numpy())
    out["demand_people"] = found["demand_people"].fillna(0).to_numpy().astype(np.int64)
    out["covered_people"] = found["covered_people"].fillna(0).to_numpy().astype(np.int64)
    demand_people = out["demand_people"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = out["covered_people"].to_numpy(float) / demand_people
    out["share_covered"] = np.where(demand_people > 0, share, np.nan)
    return out


def nearest_services(sites: pd.DataFrame, services: pd.DataFrame) -> pd.DataFrame:
    """Straight-line distance from each site to the nearest service of each type.

    Returns
    -------
    DataFrame
        A copy of ``sites`` (same index) with, for every type in
        :data:`geo.schema.SERVICE_TYPES`, ``nearest_<type>_m`` (metres, rounded to 1 m; NaN
        where there is no service of that type or the site has no coordinates) and
        ``nearest_<type>`` (the service's name; None likewise).
    """
    places = _xy_frame(sites, argument="sites")
    _check_columns(services, ("name", "service_type"), argument="services")
    shops = _xy_frame(services, argument="services")
    xy = places[["easting", "northing"]].to_numpy(float)
    valid = np.isfinite(xy).all(axis=1)
    shop_xy = shops[["easting", "northing"]].to_numpy(float)
    shop_ok = np.isfinite(shop_xy).all(axis=1)
    types = services["service_type"].to_numpy(dtype=object)
    names = services["name"].to_numpy(dtype=object)
    out = sites.copy()
    for service_type in SERVICE_TYPES:
        metres = np.full(len(xy), np.nan)
        name = np.full(len(xy), None, dtype=object)
        mine = np.flatnonzero(shop_ok & (types == service_type))
        if len(mine) and valid.any():
            distance, nearest = cKDTree(shop_xy[mine]).query(xy[valid], k=1)
            metres[valid] = np.round(distance)
            name[valid] = names[mine[nearest]]
        out[f"nearest_{service_type}_m"] = metres
        out[f"nearest_{service_type}"] = pd.Series(name, index=out.index, dtype=object)
    return out


# --------------------------------------------------------------------------- the window


@dataclass(frozen=True)
class _Window:
    """The nights of the analysis and, for a timestamp ``end``, the moment it ends.

    ``last`` and ``first`` are naive midnights of the last and first evenings (None when there
    are no records to date the window by); ``cutoff`` is a tz-aware timestamp or None.
    """

    last: pd.Timestamp | None
    first: pd.Timestamp | None
    cutoff: pd.Timestamp | None

    @classmethod
    def make(cls, frame: pd.DataFrame, *, days: int, end: End) -> _Window:
        cutoff = None
        if end is None:
            nights = frame["night"].dropna()
            if nights.empty:
                return cls(None, None, None)
            last = nights.max()
        elif isinstance(end, datetime):  # pd.Timestamp is a datetime
            cutoff = pd.Timestamp(end)
            cutoff = (
                cutoff.tz_localize(TIMEZONE)
                if cutoff.tzinfo is None
                else cutoff.tz_convert(TIMEZONE)
            )
            last = night_of(cutoff)
        elif isinstance(end, date):
            last = pd.Timestamp(end)
        else:
            raise AnalysisError(
                f"end={end!r}: give a date (the evening of the last night), a timestamp, or None "
                "for the latest night in the records"
            )
        first, last = nights_ending(pd.Timestamp(last).normalize(), days)
        return cls(last, first, cutoff)

    def up_to_end(self, frame: pd.DataFrame) -> np.ndarray:
        """Records on or before the last night (and before the cutoff)."""
        if self.last is None:
            return np.zeros(len(frame), dtype=bool)
        keep = (frame["night"] <= self.last).to_numpy(dtype=bool, na_value=False)
        if self.cutoff is not None:
            keep = keep & (frame["observed_at"] <= self.cutoff).to_numpy(dtype=bool, na_value=False)
        return keep

    def inside(self, frame: pd.DataFrame, *, time_of_day: str) -> np.ndarray:
        """Records in the window's nights and the time of day asked for."""
        keep = self.up_to_end(frame)
        if self.first is not None:
            keep = keep & (frame["night"] >= self.first).to_numpy(dtype=bool, na_value=False)
        if time_of_day != "any":
            hour = frame["observed_at"].dt.hour.to_numpy(dtype=float, na_value=np.nan)
            night = (hour >= NIGHT_HOURS[0]) | (hour < NIGHT_HOURS[1])
            wanted = night if time_of_day == "night" else ~night & np.isfinite(hour)
            keep = keep & wanted
        return keep


# --------------------------------------------------------------------------- input frames


def _check_options(
    *, days: int, walk_m: float, time_of_day: str, presence: tuple[str, ...]
) -> None:
    if isinstance(days, bool) or not isinstance(days, int | np.integer) or days < 1:
        raise AnalysisError(f"days={days!r}: give a whole number of nights, 1 or more (e.g. 7)")
    if isinstance(walk_m, bool) or not isinstance(walk_m, int | float) or not walk_m > 0:
        raise AnalysisError(
            f"walk_m={walk_m!r}: give a walking distance in metres above 0 (e.g. 200)"
        )
    if not np.isfinite(walk_m):
        raise AnalysisError(f"walk_m={walk_m!r}: give a finite walking distance in metres")
    if time_of_day not in TIMES_OF_DAY:
        raise AnalysisError(f"time_of_day={time_of_day!r}: choose one of {', '.join(TIMES_OF_DAY)}")
    unknown = sorted(set(presence) - set(RECORD_KINDS))
    if isinstance(presence, str) or unknown or not presence:
        raise AnalysisError(
            f"presence={presence!r}: give a tuple of record kinds from {', '.join(RECORD_KINDS)}"
        )


def _check_columns(frame: object, columns: tuple[str, ...], *, argument: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise AnalysisError(f"{argument}: expected a DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AnalysisError(
            f"{argument} has no column {', '.join(missing)} (columns: "
            f"{', '.join(map(str, frame.columns)) or 'none'}); give the frame the store returns"
        )


def _xy_frame(frame: pd.DataFrame, *, argument: str) -> pd.DataFrame:
    """``easting``/``northing`` as floats, from the columns or else a GeoDataFrame's points."""
    if not isinstance(frame, pd.DataFrame):
        raise AnalysisError(f"{argument}: expected a DataFrame, got {type(frame).__name__}")
    if {"easting", "northing"} <= set(frame.columns):
        return pd.DataFrame(
            {
                "easting": pd.to_numeric(frame["easting"], errors="coerce").to_numpy(float),
                "northing": pd.to_numeric(frame["northing"], errors="coerce").to_numpy(float),
            },
            index=frame.index,
        )
    if isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None and len(frame):
        points = frame.geometry.to_crs(WORKING_CRS)
        empty = points.is_empty.to_numpy() | points.isna().to_numpy()
        x = np.where(empty, np.nan, points.x.where(~empty).to_numpy(float))
        y = np.where(empty, np.nan, points.y.where(~empty).to_numpy(float))
        return pd.DataFrame({"easting": x, "northing": y}, index=frame.index)
    if isinstance(frame, gpd.GeoDataFrame) and len(frame) == 0:
        return pd.DataFrame({"easting": [], "northing": []}, index=frame.index, dtype=float)
    _check_columns(frame, ("easting", "northing"), argument=argument)
    raise AssertionError("unreachable")


def _records_frame(records: pd.DataFrame, *, argument: str) -> pd.DataFrame:
    """The columns coverage reads, with ``night`` worked out from ``observed_at`` if absent."""
    _check_columns(records, _RECORD_NEEDS, argument=argument)
    xy = _xy_frame(records, argument=argument)
    observed = records["observed_at"]
    if not isinstance(observed.dtype, pd.DatetimeTZDtype):
        observed = pd.to_datetime(observed, errors="coerce")
        if observed.dt.tz is None:
            observed = observed.dt.tz_localize(TIMEZONE, ambiguous="NaT", nonexistent="NaT")
    observed = observed.dt.tz_convert(TIMEZONE)
    if "night" in records.columns:
        night = pd.to_datetime(records["night"], errors="coerce")
    else:
        night = night_of(observed)
    out = xy.assign(
        kind=records["kind"].array,  # as they come: made objects only where needed
        agency=records["agency"].array,
        people=(
            pd.to_numeric(records["people"], errors="coerce").fillna(0).to_numpy(float)
            if "people" in records.columns
            else 0.0
        ),
    )
    out["observed_at"] = observed.array
    out["night"] = night.array
    if "area_code" in records.columns:
        out["area_code"] = records["area_code"].array
    return out


def _demand_frame(demand: pd.DataFrame, *, argument: str) -> pd.DataFrame:
    _check_columns(demand, _DEMAND_NEEDS, argument=argument)
    xy = _xy_frame(demand, argument=argument)
    people = pd.to_numeric(demand["people"], errors="coerce").fillna(0).to_numpy(float)
    extra = {"area_code": demand["area_code"].array} if "area_code" in demand else {}
    return xy.assign(people=people, **extra)


# --------------------------------------------------------------------------- the work


def _located(frame: pd.DataFrame) -> np.ndarray:
    return np.isfinite(frame["easting"].to_numpy(float)) & np.isfinite(
        frame["northing"].to_numpy(float)
    )


def _cover(
    places: pd.DataFrame,
    frame: pd.DataFrame,
    *,
    window: _Window,
    walk_m: float,
    time_of_day: str,
    presence: tuple[str, ...],
    out: pd.DataFrame,
) -> pd.DataFrame:
    """``out`` (a frame with ``places``' index) plus the coverage columns.

    Places at one spot get one answer: every answer depends only on where a place is.
    """
    is_presence = frame["kind"].isin(presence).to_numpy(dtype=bool) & _located(frame)
    ever = np.flatnonzero(is_presence & window.up_to_end(frame))  # any age, any time of day
    recent = np.flatnonzero(is_presence & window.inside(frame, time_of_day=time_of_day))
    xy = frame[["easting", "northing"]].to_numpy(float)
    where = np.flatnonzero(_located(places))
    spot, at = spots(places[["easting", "northing"]].to_numpy(float)[where])

    names, counts = names_near(
        at, xy[recent], frame["agency"].iloc[recent].to_numpy(dtype=object), walk_m
    )
    covered_by = np.full(len(places), "", dtype=object)
    covered_by[where] = names[spot]
    n_agencies = np.zeros(len(places), dtype=np.int64)
    n_agencies[where] = counts[spot]

    observed, nights = frame["observed_at"].array, frame["night"].array
    by_time, by_night = latest_near(at, xy[ever], observed.asi8[ever], nights.asi8[ever], walk_m)
    latest_visit = np.full(len(places), -1, dtype=np.intp)
    latest_visit[where] = take_found(ever, by_time)[spot]
    latest_night = np.full(len(places), -1, dtype=np.intp)
    latest_night[where] = take_found(ever, by_night)[spot]
    last_visit = observed.take(latest_visit, allow_fill=True)
    night = pd.Series(nights.take(latest_night, allow_fill=True))
    if window.last is None:
        days_since = np.full(len(places), np.nan)
    else:
        days_since = ((window.last - night) / pd.Timedelta(days=1)).to_numpy(float)

    result = out.copy()
    result["covered_by"] = pd.Series(covered_by, index=result.index, dtype=object)
    result["n_agencies"] = n_agencies
    result["last_visit"] = last_visit
    result["days_since_visit"] = days_since
    return result


def _agency_table(
    seen: pd.DataFrame, *, agencies: np.ndarray, walk_m: float, shapes: bool
) -> gpd.GeoDataFrame:
    kinds = seen["kind"].to_numpy(dtype=object)
    counted = seen.assign(
        visits=(kinds != "outreach_contact").astype(np.int64),
        contacts=(kinds == "outreach_contact").astype(np.int64),
        agency=seen["agency"].astype(str),
    )
    by_agency = counted.groupby("agency")
    table = pd.DataFrame({"agency": agencies})
    sums = by_agency[["visits", "contacts"]].sum().reindex(agencies)
    table["visits"] = sums["visits"].fillna(0).to_numpy().astype(np.int64)
    table["contacts"] = sums["contacts"].fillna(0).to_numpy().astype(np.int64)
    table["last_visit"] = by_agency["observed_at"].max().reindex(agencies).array
    owner = pd.Index(agencies).get_indexer(counted["agency"].to_numpy(dtype=object))
    # one circle per agency and point: a circle drawn twice adds nothing to the union
    xy = counted[["easting", "northing"]].to_numpy(float)
    drawn = pd.DataFrame({"owner": owner, "key": as_numbers(xy)}).drop_duplicates()
    owner, keys = drawn["owner"].to_numpy(), drawn["key"].to_numpy()
    xy = np.column_stack([keys.real, keys.imag])
    table["area_m2"] = [union_area(xy[owner == i], walk_m) for i in range(len(agencies))]
    if not shapes:
        return gpd.GeoDataFrame(table, geometry=[shapely.Polygon()] * len(table), crs=WORKING_CRS)
    circles = shapely.buffer(shapely.points(keys.real, keys.imag), walk_m, quad_segs=8)
    unions = np.empty(len(agencies), dtype=object)
    for i in range(len(agencies)):  # one union per agency: a handful
        union = shapely.union_all(circles[owner == i])
        unions[i] = shapely.Polygon() if union.is_empty else union
    geometry = gpd.GeoSeries(unions, crs=WORKING_CRS)
    return gpd.GeoDataFrame(table, geometry=geometry.to_numpy(), crs=WORKING_CRS)


def _gaps(covered: pd.DataFrame, *, top: int | None = None) -> gpd.GeoDataFrame:
    rows = np.flatnonzero(covered["n_agencies"].to_numpy() == 0)
    since = covered["days_since_visit"].to_numpy(float)[rows]
    never = np.isnan(since)
    people = covered["people"].to_numpy(float)[rows]
    order = np.lexsort((-np.where(never, 0.0, since), ~never, -people))
    found = covered.iloc[rows[order[:top]]]  # only the rows kept are copied
    found = found.assign(rank=np.arange(1, len(found) + 1))
    return _points(found)


def _overlaps(covered: pd.DataFrame) -> gpd.GeoDataFrame:
    n = covered["n_agencies"].to_numpy()
    found = covered.loc[n >= 2] if (n == 0).any() else covered.iloc[:0]
    order = np.lexsort((-found["people"].to_numpy(float), -found["n_agencies"].to_numpy()))
    return _points(found.iloc[order])


def _points(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """``frame`` as a GeoDataFrame of Points in EPSG:27700 (empty points where unlocated)."""
    xy = _xy_frame(frame, argument="demand")
    data = pd.DataFrame(frame).drop(columns="geometry", errors="ignore")
    geometry = gpd.points_from_xy(xy["easting"], xy["northing"], crs=WORKING_CRS)
    return gpd.GeoDataFrame(data, geometry=geometry, crs=WORKING_CRS)


def _area_codes(places: pd.DataFrame, areas: gpd.GeoDataFrame) -> np.ndarray:
    """Each place's area code: its ``area_code`` column, else the area its point falls in."""
    if "area_code" in places.columns:
        return places["area_code"].to_numpy(dtype=object)
    codes = np.full(len(places), None, dtype=object)
    if len(places) == 0 or len(areas) == 0:
        return codes
    if areas.crs is None:
        raise AnalysisError("areas has no CRS; set it (e.g. areas.set_crs('EPSG:4326'))")
    points = gpd.GeoDataFrame(
        {"row": np.arange(len(places))},
        geometry=gpd.points_from_xy(places["easting"], places["northing"]),
        crs=WORKING_CRS,
    )
    shapes = gpd.GeoDataFrame(
        {"code": areas["area_code"].to_numpy()}, geometry=areas.geometry.to_crs(WORKING_CRS).values
    )
    joined = gpd.sjoin(points, shapes.set_crs(WORKING_CRS), how="inner", predicate="within")
    joined = joined.drop_duplicates("row")
    codes[joined["row"].to_numpy()] = joined["code"].to_numpy(dtype=object)
    return codes
