"""Persistent sites, and what people call a place and need there.

Like :mod:`geo.analysis.hotspots`, everything works in British National Grid metres from the
``easting``/``northing`` columns of the records ``store.records(role=...)`` gives coordinators
and police; demand is every record but a ``visit``; records without a position or a night are
left out; inputs are never changed.

Persistent sites
    Demand sightings grouped into sites at most ``2 * radius_m`` across and kept when seen on
    enough of the last nights; see :func:`persistent_sites` for the rule.

What a place is called, and what is needed there
    :func:`describe_places` works these out from the records at a place (a site, a patch of hot
    cells, one sighting), so that a place reads as "doorway on Station Road", not as an id:

    - ``place_name``: the most common ``location_text`` among them (spaces trimmed, blanks
      ignored; a tie goes to the text first in alphabetical order); None when no record there
      has any (:mod:`geo.questions` then says "a place in Station ward");
    - ``languages``: the languages of the records that needed an interpreter, most frequent
      first (ties alphabetical), joined with ", "; "" when none did;
    - ``flags``: which of ``nrpf``, ``trafficking_concern`` and ``under_18`` any record there
      carries, in that order, joined with ", "; "" when none.

    ``languages`` and ``flags`` come only from records that carry those columns (a
    coordinator's); police records carry neither, so neither column appears for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geo.analysis.hotspots import check_positive_int, check_records, people_of
from geo.analysis.nearby import (
    as_numbers,
    as_points,
    by_any,
    joined_names,
    near_centres,
    pairs_within,
)
from geo.crs import to_lonlat
from geo.errors import AnalysisError
from geo.nights import NO_NIGHT, night_number, night_numbers, nights_ending
from geo.schema import RECORD_FLAGS, TIMEZONE, WORKING_CRS, is_demand

__all__ = [
    "NEEDS_COLUMNS",
    "SITE_COLUMNS",
    "SITE_NIGHTS",
    "SITE_RADIUS_M",
    "SITE_WINDOW",
    "check_site_options",
    "describe_places",
    "most_common",
    "peel",
    "persistent_sites",
    "site_ids",
]

#: How close sightings must be to the one that started their site, in metres.
SITE_RADIUS_M: Final = 50.0
#: Nights a place must be seen on, out of the last :data:`SITE_WINDOW`, to be a persistent site.
SITE_NIGHTS: Final = 3
SITE_WINDOW: Final = 14

SITE_COLUMNS: Final[tuple[str, ...]] = (
    "site_id",
    "place_name",
    "easting",
    "northing",
    "lon",
    "lat",
    "first_seen",
    "last_seen",
    "nights_seen",
    "sightings",
    "people",
    "agencies",
    "last_visit",
    "area_code",
    "geometry",
)
#: What is needed at a place; present only when the records carry what they are made from.
NEEDS_COLUMNS: Final[tuple[str, ...]] = ("languages", "flags")
#: Columns :func:`persistent_sites` reads.
_READS: Final = (
    *("kind", "night", "easting", "northing", "people", "agency", "observed_at", "area_code"),
)


def persistent_sites(
    records: pd.DataFrame,
    *,
    radius_m: float = SITE_RADIUS_M,
    min_nights: int = SITE_NIGHTS,
    last_nights: int = SITE_WINDOW,
    end: date | None = None,
) -> gpd.GeoDataFrame:
    """Places where people were seen on at least ``min_nights`` of the last ``last_nights``.

    The rule
        Demand sightings (every kind but ``visit``) on the last ``last_nights`` nights up to
        ``end`` are grouped into sites. Each sighting is ranked by how many sightings lie
        within ``radius_m`` of it (ties: west first, then south); going down that ranking, a
        sighting not yet in a site starts one and takes every sighting within ``radius_m`` of
        it that is not yet taken (sightings at one spot go together). A site
        is therefore at most ``2 * radius_m`` across: a row of doorways along a street is
        several sites, never one long chain. Sites seen on at least ``min_nights`` distinct
        nights are kept.

    Parameters
    ----------
    radius_m
        How close sightings must be to the one that started their site, in metres (a few
        tens); also how near the centre a record must be to count as at the site.
    min_nights, last_nights
        Keep sites seen on at least ``min_nights`` of the ``last_nights`` nights ending at
        ``end`` (inclusive).
    end
        Last night looked at; default the latest night of any record.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per site, sorted by ``people`` then ``nights_seen`` (most first):

        - ``site_id``: ``"site-E519950N105430"``, the centre rounded to 10 m (stable while the
          centre moves less than that; ``-2``... is added if two sites round alike);
        - ``place_name``: what the records at the site in the window call it (see the module
          docstring); None when none of them says;
        - ``easting``, ``northing``, ``lon``, ``lat``: the mean of the site's sightings;
        - ``first_seen``: the earliest night up to ``end`` with a demand sighting at the site
          (its sightings, or any within ``radius_m`` of the centre, before the window too);
        - ``last_seen``: the latest night it was seen; ``nights_seen``: distinct nights seen
          in the window; ``sightings``: demand records in the window;
        - ``people``: the most people one agency counted there on one night in the window (the
          same people are often counted by several agencies, and on many nights, so sums
          would count them again);
        - ``agencies``: every agency with a record of any kind (visits too) at the site in the
          window, sorted and joined with ``"; "``;
        - ``last_visit``: the latest ``observed_at`` of any record of any kind at the site
          (its sightings, or within ``radius_m`` of the centre) up to ``end``;
        - ``area_code``: the ward most of its sightings fall in;
        - ``languages`` and ``flags`` (see the module docstring), from the same records as
          ``place_name``, when the records carry them;
        - point geometry in EPSG:27700.
    """
    check_site_options(radius_m=radius_m, min_nights=min_nights, last_nights=last_nights)
    last = night_number(end, name="end")
    table = check_records(records, _READS)
    return _persistent_sites(
        table, radius=float(radius_m), min_nights=min_nights, last_nights=last_nights, last=last
    )


def check_site_options(*, radius_m: float, min_nights: int, last_nights: int) -> None:
    """Refuse a radius or a k of n that :func:`persistent_sites` cannot use, saying why."""
    if isinstance(radius_m, bool) or not (
        isinstance(radius_m, int | float) and 0 < radius_m <= 1000
    ):
        raise AnalysisError(
            f"radius_m must be metres from above 0 to 1000, got {radius_m!r}; "
            f"a site is a few tens of metres across, e.g. radius_m={SITE_RADIUS_M:g}"
        )
    check_positive_int(min_nights, name="min_nights")
    check_positive_int(last_nights, name="last_nights")
    if min_nights > last_nights:
        raise AnalysisError(
            f"min_nights={min_nights} is more than last_nights={last_nights}; a site cannot be "
            "seen on more nights than are looked at: lower min_nights or raise last_nights"
        )


def peel(xy: np.ndarray, *, radius: float) -> np.ndarray:
    """Site number of each sighting (rows of easting, northing in metres), grouped by the rule
    of :func:`persistent_sites`: groups at most ``2 * radius`` across. The numbers are labels
    in no set order.

    >>> peel(np.array([[0.0, 0.0], [30.0, 0.0], [500.0, 0.0]]), radius=50).tolist()
    [1, 1, 0]
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if len(xy) == 0:
        return np.zeros(0, dtype=np.int64)
    return _peel(xy, radius=float(radius))


def site_ids(easting: np.ndarray, northing: np.ndarray) -> np.ndarray:
    """``"site-E519950N105430"`` for each centre: rounded to 10 m, ``-2``, ``-3``... added to
    a later centre that rounds alike.

    >>> site_ids(np.array([519951.0, 519949.0]), np.array([105430.0, 105431.0])).tolist()
    ['site-E519950N105430', 'site-E519950N105430-2']
    """
    base = (
        "site-E"
        + pd.Series((np.round(np.asarray(easting, float) / 10) * 10).astype(np.int64)).astype(str)
        + "N"
        + pd.Series((np.round(np.asarray(northing, float) / 10) * 10).astype(np.int64)).astype(str)
    )
    repeat = base.groupby(base).cumcount().to_numpy()
    return np.where(repeat > 0, base + "-" + pd.Series(repeat + 1).astype(str), base).astype(object)


def describe_places(records: pd.DataFrame, *, rows: np.ndarray, places: np.ndarray) -> pd.DataFrame:
    """What people call each place, and the languages and flags seen there.

    Parameters
    ----------
    records
        Records as the store gives them; ``location_text``, ``language``,
        ``interpreter_needed`` and the flag columns are read when present.
    rows, places
        Pairs: the record at position ``rows[i]`` is at place ``places[i]`` (a record may be at
        several places, and a place holds many records).

    Returns
    -------
    DataFrame
        One row per distinct place (index: the place labels, in order of first appearance):
        ``place_name``, and ``languages`` and ``flags`` when the records carry them; see the
        module docstring for the rules.

    Examples
    --------
    Three records at one doorway, two of them saying "doorway on Station Road":

    >>> records = pd.DataFrame({"location_text": [
    ...     "doorway on Station Road", " Station Rd doorway", "doorway on Station Road"]})
    >>> describe_places(records, rows=np.arange(3), places=np.zeros(3, int))["place_name"][0]
    'doorway on Station Road'
    """
    rows = np.asarray(rows, dtype=np.int64)
    place, labels = pd.factorize(np.asarray(places))
    every = np.arange(len(labels))
    single = len(labels) == len(rows)  # a record a place (then place == every): no counting
    out = pd.DataFrame(index=pd.Index(labels, name="place"))
    named = pd.Series(None, index=every, dtype=object)
    if "location_text" in records.columns:
        text = _text(records["location_text"].iloc[rows])
        named = (
            pd.Series(text, index=every, dtype=object)
            if single
            else most_common(place, text).reindex(every)
        )
    out["place_name"] = _or_none(named.set_axis(out.index))
    if {"language", "interpreter_needed"} <= set(records.columns):
        needed = _truthy(records["interpreter_needed"].iloc[rows])
        language = _text(records["language"].iloc[rows])
        if single:
            out["languages"] = np.where(needed & pd.notna(language), language, "").astype(object)
        else:
            ranked = _ranked(place[needed], language[needed])
            joined = ranked.groupby("place", sort=False)["value"].agg(", ".join)
            out["languages"] = joined.reindex(every).fillna("").to_numpy(object)
    flags = [flag for flag in RECORD_FLAGS if flag in records.columns]
    if flags:
        seen = np.column_stack(
            [
                np.bincount(place, weights=_truthy(records[flag].iloc[rows]), minlength=len(labels))
                > 0
                for flag in flags
            ]
        )
        out["flags"] = joined_names(seen, flags, sep=", ").tolist()
    return out


def most_common(places: np.ndarray, values: pd.Series | np.ndarray) -> pd.Series:
    """Per place, its most common value (missing values ignored; ties: the smallest value).

    >>> values = np.array(["b", "a", "b", None, "d", "c"], dtype=object)
    >>> most_common(np.array([1, 1, 1, 2, 3, 3]), values).to_dict()
    {1: 'b', 3: 'c'}
    """
    return _ranked(places, values).drop_duplicates("place").set_index("place")["value"]


def _ranked(places: np.ndarray, values: pd.Series | np.ndarray) -> pd.DataFrame:
    """Distinct (place, value) pairs with how often each occurs (``n``): places in order, and
    within a place the most frequent value first (ties: the smallest value first)."""
    values = np.asarray(values, dtype=object)
    present = pd.notna(values)
    place, place_labels = pd.factorize(np.asarray(places)[present], sort=True)
    value, value_labels = pd.factorize(values[present], sort=True)
    width = max(len(value_labels), 1)
    pairs, n = np.unique(place.astype(np.int64) * width + value, return_counts=True)
    p, v = np.divmod(pairs, width)
    order = np.lexsort((v, -n, p))
    return pd.DataFrame(
        {
            "place": np.asarray(place_labels)[p[order]],
            "value": np.asarray(value_labels, dtype=object)[v[order]],
            "n": n[order],
        }
    )


def _text(values: pd.Series) -> np.ndarray:
    """Text trimmed, runs of spaces made one, blanks and missing values as None (each
    distinct text tidied once: places repeat)."""
    which, distinct = pd.factorize(values)
    text = pd.Series(distinct).astype("string").str.strip()
    text = text.str.replace(r"\s+", " ", regex=True)
    text = text.mask(text == "")
    tidy = np.append(text.astype(object).where(text.notna(), None).to_numpy(object), None)
    return tidy[which]  # which == -1 (missing) takes the None at the end


def _truthy(values: pd.Series) -> np.ndarray:
    """A 0/1 (or boolean) column as booleans; missing is False."""
    return pd.to_numeric(values, errors="coerce").fillna(0).to_numpy(float) > 0


# --------------------------------------------------------------------------- the work


def _persistent_sites(
    records: pd.DataFrame, *, radius: float, min_nights: int, last_nights: int, last: int | None
) -> gpd.GeoDataFrame:
    x_all = records["easting"].to_numpy(float)
    y_all = records["northing"].to_numpy(float)
    nights = night_numbers(records)
    located = np.isfinite(x_all) & np.isfinite(y_all) & (nights != NO_NIGHT)
    if not located.any():
        return _no_sites(records)
    if last is None:
        last = int(nights[located].max())
    located &= nights <= last
    first, _ = nights_ending(last, last_nights)
    demand = is_demand(records["kind"])
    window = located & (nights >= first)
    members = np.flatnonzero(window & demand)
    if members.size == 0:
        return _no_sites(records)

    label = _peel(np.column_stack([x_all[members], y_all[members]]), radius=radius)
    seen = pd.DataFrame({"site": label, "record": members, "night": nights[members]})
    nights_seen = seen.drop_duplicates(["site", "night"])["site"].value_counts()
    persistent = nights_seen.index[nights_seen.to_numpy() >= min_nights]
    if persistent.size == 0:
        return _no_sites(records)
    seen = seen[seen["site"].isin(persistent)]
    rows = seen["record"].to_numpy()
    seen = seen.assign(
        x=x_all[rows],
        y=y_all[rows],
        agency=_take(records["agency"], rows),
        people=people_of(records)[rows],
    )
    by_site = seen.groupby("site")
    most = (
        seen.groupby(["site", "night", "agency"], dropna=False)["people"]
        .sum()
        .groupby(level=["site", "night"])
        .max()
        .groupby(level="site")
        .max()
    )
    sites = pd.DataFrame(
        {
            "easting": by_site["x"].mean(),
            "northing": by_site["y"].mean(),
            "last_seen": by_site["night"].max(),
            "nights_seen": by_site["night"].nunique(),
            "sightings": by_site.size(),
            "people": most,
        }
    )

    # Records of any kind at each site: its own sightings and any within radius of its centre.
    centre_xy = sites[["easting", "northing"]].to_numpy(float)
    candidates = np.flatnonzero(located & by_any(x_all, y_all, centre_xy, radius=radius))
    centre, near = near_centres(
        centre_xy, np.column_stack([x_all[candidates], y_all[candidates]]), radius=radius
    )
    at_site = pd.DataFrame(
        {
            "site": np.concatenate([sites.index.to_numpy()[centre], seen["site"]]),
            "record": np.concatenate([candidates[near], rows]),
        }
    ).drop_duplicates()
    rec = at_site["record"].to_numpy()
    at_site = at_site.assign(
        night=nights[rec],
        demand=demand[rec],
        agency=_take(records["agency"], rec),
        observed_at=_observed_utc(records["observed_at"].iloc[rec]),
    )
    sites["first_seen"] = at_site[at_site["demand"]].groupby("site")["night"].min()
    sites["last_visit"] = at_site.groupby("site")["observed_at"].max()
    in_window = at_site[at_site["night"] >= first]
    recent = in_window[in_window["agency"].notna()]
    sites["agencies"] = _joined(recent["site"], recent["agency"]).reindex(sites.index)
    sites["area_code"] = most_common(seen["site"].to_numpy(), _take(records["area_code"], rows))
    described = describe_places(
        records, rows=in_window["record"].to_numpy(), places=in_window["site"].to_numpy()
    )
    return _site_frame(sites.join(described))


def _take(column: pd.Series, rows: np.ndarray) -> np.ndarray:
    """``column`` at positions ``rows`` as an object array (missing values as None)."""
    return _or_none(column.iloc[rows]).to_numpy(object)


def _observed_utc(observed_at: pd.Series) -> np.ndarray:
    """``observed_at`` as naive UTC datetime64 (a naive column is taken as local time)."""
    stamps = pd.to_datetime(observed_at)
    if not isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_localize(TIMEZONE, ambiguous="NaT", nonexistent="NaT")
    return stamps.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[us]")


def _joined(site: pd.Series, agency: pd.Series) -> pd.Series:
    """Per site (sorted), its distinct agencies sorted and joined with ``"; "`` (agencies
    as text; missing ones are left out)."""
    if site.empty:
        return pd.Series(dtype=object)
    rows, sites = pd.factorize(site.to_numpy(), sort=True)
    codes, names = pd.factorize(agency.astype(str), sort=True)
    present = np.zeros((len(sites), len(names)), dtype=bool)
    known = codes >= 0
    present[rows[known], codes[known]] = True
    return pd.Series(joined_names(present, names), index=sites, dtype=object)


def _peel(xy: np.ndarray, *, radius: float) -> np.ndarray:
    """Site number of each point: greedy groups at most ``2 * radius`` across (see the rule).

    Points at one spot (to 0.1 m) are handled together. A spot with no other within
    ``radius`` is a site of its own. The rest are ranked as the rule ranks them; a spot starts
    a site when no spot ranked before it that started one is within ``radius``, and belongs to
    the first such spot otherwise: the sites the rule's walk down the ranking makes, in the
    order it makes them, found for many spots at once (:func:`_starts`).
    """
    at, inverse, count = np.unique(  # sorted by easting, then northing
        as_numbers(np.round(xy, 1)), return_inverse=True, return_counts=True
    )
    spots = as_points(at)
    inverse = inverse.ravel()
    # how many points lie within radius of each spot: each distinct point once, with its count
    exact, times = np.unique(as_numbers(xy), return_counts=True)
    spot, point = pairs_within(spots, as_points(exact), radius)
    crowd = np.bincount(spot, weights=times[point], minlength=len(spots))
    crowd = crowd.astype(np.int64)
    label = np.full(len(spots), -1, dtype=np.int64)
    alone = crowd == count
    label[alone] = np.arange(int(alone.sum()))
    together = np.flatnonzero(~alone)
    order = together[np.lexsort((spots[together, 1], spots[together, 0], -crowd[together]))]
    # pairs of ranked spots within radius, as (rank before, rank after): each pair once
    ranked = cKDTree(spots[order]).query_pairs(radius, output_type="ndarray").astype(np.intp)
    before, after = ranked[:, 0], ranked[:, 1]
    starts = _starts(len(order), before, after)
    first = np.arange(len(order))  # the start each ranked spot belongs to: the first in reach
    by_start = starts[before]
    np.minimum.at(first, after[by_start], before[by_start])
    label[order] = (np.cumsum(starts) - 1 + int(alone.sum()))[first]
    return label[inverse]


#: Rounds :func:`_starts` settles spots in at once before walking the rest one by one.
_ROUNDS: Final = 16


def _starts(n: int, before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Which of ``n`` ranked spots start a site, given the pairs within reach (``before`` ranked
    ahead of ``after``): walking down the ranking, a spot starts one unless a start is in reach.

    Each round settles at once every open spot with no open spot in reach ranked ahead of it:
    it starts a site, and the open spots in its reach are taken. A few rounds settle nearly
    all; a long chain of spots, each in reach of the next, would need a round a link, so
    after :data:`_ROUNDS` the spots still open are walked one by one.
    """
    state = np.zeros(n, dtype=np.int8)  # 0 open, 1 starts a site, 2 taken
    for _ in range(_ROUNDS):
        blocked = np.zeros(n, dtype=bool)
        blocked[after] = True  # every pair left has both spots open
        new = (state == 0) & ~blocked
        state[new] = 1
        state[after[new[before]]] = 2
        open_pair = (state[before] == 0) & (state[after] == 0)
        before, after = before[open_pair], after[open_pair]
        if before.size == 0:
            state[state == 0] = 1
            return state == 1
    ranked = np.argsort(before, kind="stable")
    before, after = before[ranked], after[ranked]
    bounds = np.searchsorted(before, np.arange(n + 1))
    for spot in np.flatnonzero(state == 0).tolist():
        if state[spot]:
            continue
        state[spot] = 1
        reach = after[bounds[spot] : bounds[spot + 1]]
        state[reach[state[reach] == 0]] = 2
    return state == 1


def _site_frame(sites: pd.DataFrame) -> gpd.GeoDataFrame:
    easting = sites["easting"].to_numpy(float)
    northing = sites["northing"].to_numpy(float)
    base = (
        "site-E"
        + pd.Series((np.round(easting / 10) * 10).astype(np.int64)).astype(str)
        + "N"
        + pd.Series((np.round(northing / 10) * 10).astype(np.int64)).astype(str)
    )
    lon, lat = to_lonlat(easting, northing)
    out = pd.DataFrame(
        {
            "site_id": base.to_numpy(object),
            "place_name": _or_none(sites["place_name"]),
            "easting": easting,
            "northing": northing,
            "lon": lon,
            "lat": lat,
            "first_seen": _as_night(np.minimum(sites["first_seen"], sites["last_seen"])),
            "last_seen": _as_night(sites["last_seen"]),
            "nights_seen": sites["nights_seen"].to_numpy(np.int64),
            "sightings": sites["sightings"].to_numpy(np.int64),
            "people": np.rint(sites["people"].to_numpy(float)).astype(np.int64),
            "agencies": sites["agencies"].fillna("").to_numpy(object),
            "last_visit": sites["last_visit"].to_numpy(),
            "area_code": _or_none(sites["area_code"]),
            **{
                name: sites[name].fillna("").to_numpy(object)
                for name in NEEDS_COLUMNS
                if name in sites
            },
        }
    )
    out["last_visit"] = out["last_visit"].dt.tz_localize("UTC").dt.tz_convert(TIMEZONE)
    out = out.sort_values(
        ["people", "nights_seen", "sightings", "site_id"],
        ascending=[False, False, False, True],
        ignore_index=True,
    )
    out["site_id"] = site_ids(out["easting"], out["northing"])
    geometry = gpd.points_from_xy(out["easting"], out["northing"], crs=WORKING_CRS)
    return gpd.GeoDataFrame(out, geometry=geometry, crs=WORKING_CRS)


def _or_none(values: pd.Series) -> pd.Series:
    """``values`` as objects, missing values as None (kept so: not inferred as text)."""
    return values.astype(object).where(values.notna(), None)


def _no_sites(records: pd.DataFrame) -> gpd.GeoDataFrame:
    """No sites, in the columns sites from these records would have."""
    needs = describe_places(records.iloc[:0], rows=np.zeros(0), places=np.zeros(0)).columns
    columns: Sequence[str] = [
        *SITE_COLUMNS[:-1],
        *(name for name in NEEDS_COLUMNS if name in needs),
    ]
    dtypes = {
        "nights_seen": "int64",
        "sightings": "int64",
        "people": "int64",
        "first_seen": "datetime64[us]",
        "last_seen": "datetime64[us]",
        "last_visit": pd.DatetimeTZDtype("us", TIMEZONE),
    }
    objects = {"site_id", "place_name", "agencies", "area_code", *NEEDS_COLUMNS}
    frame = pd.DataFrame(
        {
            name: pd.Series(dtype=dtypes.get(name, object if name in objects else "float64"))
            for name in columns
        }
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=WORKING_CRS), crs=WORKING_CRS)


def _as_night(days: pd.Series | np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[us]")
