"""Site life: whether each persistent site is new, active, cleared, back, or unknown.

Sites are found over a longer history than the persistence window, since a cleared site is one
nobody is seen at now: the demand sightings (every kind but a visit) of the last
``history_nights`` nights (default :data:`HISTORY_NIGHTS`) up to ``end`` are grouped into
places by the rule of :func:`geo.analysis.sites.persistent_sites` (its
:func:`~geo.analysis.sites.peel`). A place is **seen** on a night when one of its sightings
falls on it, and **visited** when a record that shows an agency was there
(:data:`~geo.schema.PRESENCE_KINDS`: a visit, a contact or a street count, any agency) falls on
it within ``radius_m`` of the place's centre. Only places that were ever persistent in the
history get a status: seen on ``min_nights`` of some ``last_nights`` nights (3 of 14). One
length, ``quiet_nights`` (:data:`QUIET_NIGHTS`, a fortnight), says how long a site stays new or
back and how long it must be quiet.

When each change is dated (nights, dated by their evenings; Q = ``quiet_nights``)
    - **new** on the night the site first became persistent (P: the night of the sighting that
      made k of n);
    - new -> **active** on night P + Q, if someone was seen in the Q nights after P;
    - **cleared** on the Q-th quiet night after the last sighting L (night L + Q), if a visit
      fell on one of those quiet nights; else **unknown** on L + Q (quiet, and nobody went to
      know). An unknown site becomes **cleared** on the night of the first visit after that,
      while nobody is seen;
    - **back** on the night someone is seen again after it was cleared (no persistence
      needed: one sighting at a cleared place is news). Seen again after **unknown** it is
      **active** again on that night: nobody knows it was ever empty;
    - back -> **active** Q nights after the night it came back, if someone was seen in the
      Q nights after that night (as with new).

    A site quiet for Q nights is cleared or unknown even if it was new or back. Changes before
    the history are not known: a site already persistent when the history begins is new on
    the first night the history shows it persistent (so keep ``history_nights`` well over
    ``last_nights + quiet_nights``).

Worked example (Q = 14, k = 3 of n = 14; nights as day numbers, the last night 40)
    Site A is seen on nights 1, 3, 5 and 10, visited (nobody there) on night 20, seen on 30:
    new on 5 (the third night in 14), active on 19 (seen on 10, within 14 nights of 5), cleared
    on 24 (10 + 14; the visit on 20 fell in the quiet nights), back on 30, and still back on
    40 (active only on 44). Site B is seen on nights 1, 2 and 3 and never visited: new on 3,
    unknown on 17 (3 + 14, nobody went), and unknown on 40.

Like every analysis here this works in British National Grid metres from the ``easting`` and
``northing`` of the records ``store.records(role=...)`` gives (police: snapped to 100 m), and
never changes its inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.analysis.hotspots import check_positive_int, check_records, people_of
from geo.analysis.nearby import by_any, near_centres
from geo.analysis.sites import (
    NEEDS_COLUMNS,
    SITE_NIGHTS,
    SITE_RADIUS_M,
    SITE_WINDOW,
    check_site_options,
    describe_places,
    most_common,
    peel,
    site_ids,
)
from geo.crs import to_lonlat
from geo.errors import AnalysisError
from geo.nights import NO_NIGHT, day_date, night_number, night_numbers, nights_ending
from geo.schema import PRESENCE_KINDS, WORKING_CRS, is_demand

__all__ = [
    "CHANGE_COLUMNS",
    "HISTORY_NIGHTS",
    "LIFE_COLUMNS",
    "QUIET_NIGHTS",
    "STATUSES",
    "SiteLife",
    "site_life",
]

#: The statuses of a persistent site, in the order the issue names them.
STATUSES: Final[tuple[str, ...]] = ("new", "active", "cleared", "back", "unknown")
#: Nights of sightings sites are found in (a cleared site is quiet now, so look further back).
HISTORY_NIGHTS: Final = 90
#: Nights nobody is seen before a site is cleared or unknown; also how long it stays new or back.
QUIET_NIGHTS: Final = 14

#: One row per site with a status.
LIFE_COLUMNS: Final[tuple[str, ...]] = (
    "site_id",
    "place_name",
    "status",
    "status_since",
    "became_persistent",
    "first_seen",
    "last_seen",
    "last_visited",
    "nights_seen",
    "people",
    "easting",
    "northing",
    "lon",
    "lat",
    "area_code",
    "geometry",
)
#: One row per change of status.
CHANGE_COLUMNS: Final[tuple[str, ...]] = ("site_id", "night", "from", "to")
_READS: Final = ("kind", "night", "easting", "northing", "people", "agency", "area_code")


@dataclass(frozen=True)
class SiteLife:
    """Every site ever persistent in the history, with its status on the last night, and the
    changes that led there.

    Attributes
    ----------
    sites
        One row per site (:data:`LIFE_COLUMNS`, and ``languages`` and ``flags`` when the
        records carry them), the latest change first: ``status`` on the last night and
        ``status_since`` (the night of that change); ``became_persistent``; ``first_seen``
        and ``last_seen`` (nights seen in the history); ``last_visited`` (the latest night
        visited, NaT when never); ``nights_seen`` (distinct nights seen in the last
        ``last_nights``, as :func:`~geo.analysis.sites.persistent_sites` counts them);
        ``people`` (the most people one agency counted there on one night in the history);
        the centre; ``area_code`` (the ward most of its sightings fall in); point geometry in
        EPSG:27700.
    changes
        One row per change (:data:`CHANGE_COLUMNS`), by site and night: ``from`` is None for
        the first (``to`` "new").
    end
        The last night looked at (None: there were no records).
    history_nights, quiet_nights
        The options used.
    """

    sites: gpd.GeoDataFrame
    changes: pd.DataFrame
    end: date | None
    history_nights: int = HISTORY_NIGHTS
    quiet_nights: int = QUIET_NIGHTS


def site_life(
    records: pd.DataFrame,
    *,
    end: date | None = None,
    history_nights: int = HISTORY_NIGHTS,
    quiet_nights: int = QUIET_NIGHTS,
    radius_m: float = SITE_RADIUS_M,
    min_nights: int = SITE_NIGHTS,
    last_nights: int = SITE_WINDOW,
    visit_radius_m: float | None = None,
) -> SiteLife:
    """The status of every site persistent at some time in the last ``history_nights`` nights
    to ``end`` (default the latest night of any record); see the module docstring for the rule.

    Parameters
    ----------
    records
        Records as ``store.records(role=...)`` gives them (every kind: visits count as
        visited).
    history_nights
        Nights of sightings sites are found in; at least ``last_nights`` and ``quiet_nights``.
    quiet_nights
        Nights nobody is seen before a site is cleared or unknown; how long it is new or back.
    radius_m, min_nights, last_nights
        As for :func:`geo.analysis.sites.persistent_sites`.
    visit_radius_m
        How near a site's centre a visit must be to count (default ``radius_m``). Points
        snapped to a grid need more: a visit 30 m from a doorway can land in the next square.
    """
    check_site_options(radius_m=radius_m, min_nights=min_nights, last_nights=last_nights)
    reach = radius_m if visit_radius_m is None else visit_radius_m
    if isinstance(reach, bool) or not isinstance(reach, int | float) or not 0 < reach <= 1_000:
        raise AnalysisError(
            f"visit_radius_m must be a distance in metres above 0, at most 1000; got {reach!r}"
        )
    check_positive_int(history_nights, name="history_nights")
    check_positive_int(quiet_nights, name="quiet_nights")
    if history_nights < max(last_nights, quiet_nights):
        raise AnalysisError(
            f"history_nights={history_nights} is shorter than last_nights={last_nights} or "
            f"quiet_nights={quiet_nights}; look further back, e.g. history_nights="
            f"{HISTORY_NIGHTS}"
        )
    last = night_number(end, name="end")
    table = check_records(records, _READS)
    return _site_life(
        table,
        radius=float(radius_m),
        reach=float(reach),
        min_nights=int(min_nights),
        last_nights=int(last_nights),
        history=int(history_nights),
        quiet=int(quiet_nights),
        last=last,
    )


# --------------------------------------------------------------------------- the work


def _could_persist(
    x: np.ndarray, y: np.ndarray, nights: np.ndarray, *, radius: float, k: int
) -> np.ndarray:
    """Which sightings could be part of a persistent site: those with sightings on at least
    ``k`` distinct nights within ``2 * radius`` (a site's widest span) of them.

    Counted generously, by squares ``2 * radius`` wide: the distinct nights of the square a
    sighting is in and of the eight around it, added up, so no sighting that could be in a
    persistent site is ever left out; most of the rest are (a lone sighting always is).

    >>> _could_persist(np.array([0.0, 30.0, 60.0, 5_000.0]), np.zeros(4),
    ...                np.array([1, 2, 3, 1]), radius=50.0, k=3).tolist()
    [True, True, True, False]
    """
    if len(x) == 0:
        return np.zeros(0, dtype=bool)
    side = 2 * radius
    ix = np.floor(x / side).astype(np.int64)
    iy = np.floor(y / side).astype(np.int64)
    ix, iy = ix - ix.min() + 1, iy - iy.min() + 1  # a free ring of squares round them all
    width = int(iy.max()) + 2
    cell = ix * width + iy
    # distinct nights per square, then added up over each square and the eight around it
    squares, inverse = np.unique(cell, return_inverse=True)
    span = int(nights.max() - nights.min()) + 1
    # one per square and night (pandas' hash table: numpy's unique is slower here)
    distinct = pd.unique(inverse * span + (nights - nights.min()))
    nights_in = np.bincount(distinct // span, minlength=len(squares))
    around_square = np.zeros(len(squares), dtype=np.int64)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            near = squares + (dx * width + dy)  # sorted, as squares are
            at = np.minimum(np.searchsorted(squares, near), len(squares) - 1)
            around_square += np.where(squares[at] == near, nights_in[at], 0)
    around = around_square[inverse]
    return around >= k


def _site_life(
    records: pd.DataFrame,
    *,
    radius: float,
    reach: float,
    min_nights: int,
    last_nights: int,
    history: int,
    quiet: int,
    last: int | None,
) -> SiteLife:
    x = records["easting"].to_numpy(float)
    y = records["northing"].to_numpy(float)
    nights = night_numbers(records)
    located = np.isfinite(x) & np.isfinite(y) & (nights != NO_NIGHT)
    if last is None:
        if not located.any():
            return _no_life(records, end=None, history=history, quiet=quiet)
        last = int(nights[located].max())
    first, _ = nights_ending(last, history)
    located &= (nights >= first) & (nights <= last)
    members = np.flatnonzero(located & is_demand(records["kind"]))
    members = members[
        _could_persist(x[members], y[members], nights[members], radius=radius, k=min_nights)
    ]
    label = peel(np.column_stack([x[members], y[members]]), radius=radius)
    seen = (
        pd.DataFrame({"site": label, "night": nights[members]})
        .drop_duplicates()
        .sort_values(["site", "night"], ignore_index=True)
    )
    became = _became_persistent(seen, min_nights=min_nights, last_nights=last_nights)
    if became.empty:
        return _no_life(records, end=day_date(last), history=history, quiet=quiet)
    kept = np.isin(label, became.index)
    members, label = members[kept], label[kept]
    seen = seen[seen["site"].isin(became.index)]

    # the centre of each site, and the nights any agency was within reach of it
    mine = pd.DataFrame({"site": label, "x": x[members], "y": y[members]})
    centres = mine.groupby("site")[["x", "y"]].mean()
    centre_xy = centres.to_numpy(float)
    present = located & records["kind"].isin(PRESENCE_KINDS).to_numpy(bool)
    candidates = np.flatnonzero(present & by_any(x, y, centre_xy, radius=reach))
    centre, near = near_centres(
        centre_xy, np.column_stack([x[candidates], y[candidates]]), radius=reach
    )
    visited = pd.DataFrame(
        {"site": centres.index.to_numpy()[centre], "night": nights[candidates[near]]}
    ).drop_duplicates()

    changes = _changes(seen, became=became, visited=visited, quiet=quiet, last=last)
    sites = _life_frame(
        records,
        members=members,
        label=label,
        centres=centres,
        seen=seen,
        became=became,
        visited=visited,
        changes=changes,
        recent=last - last_nights + 1,
    )
    row = pd.Series(np.arange(len(sites)), index=sites["site"].to_numpy())
    place = row.reindex(changes["site"]).to_numpy()
    order = np.lexsort((changes["night"].to_numpy(), place))  # sites in the table's order
    out = pd.DataFrame(
        {
            "site_id": _or_none(sites["site_id"].to_numpy(object)[place[order]]),
            "night": _as_night(changes["night"].to_numpy()[order]),
            "from": _or_none(changes["from"].to_numpy(object)[order]),
            "to": _or_none(changes["to"].to_numpy(object)[order]),
        }
    )
    return SiteLife(
        sites=sites.drop(columns="site"),
        changes=out,
        end=day_date(last),
        history_nights=history,
        quiet_nights=quiet,
    )


def _became_persistent(seen: pd.DataFrame, *, min_nights: int, last_nights: int) -> pd.Series:
    """Per site, the first night it was seen on ``min_nights`` of the ``last_nights`` nights
    ending then; sites never persistent are left out. ``seen``: distinct (site, night), sorted.
    """
    earlier = seen.groupby("site")["night"].shift(min_nights - 1)
    made = (seen["night"] - earlier) <= last_nights - 1
    return seen.loc[made.to_numpy()].groupby("site")["night"].min()


def _changes(
    seen: pd.DataFrame, *, became: pd.Series, visited: pd.DataFrame, quiet: int, last: int
) -> pd.DataFrame:
    """Every change of status (``site``, ``night``, ``from``, ``to``), by site and night.

    Each night a site is seen from the night it became persistent on is a row; the quiet
    nights after a row run to the night before the next sighting (or the last night).
    """
    rows = seen.loc[seen["night"].to_numpy() >= became.reindex(seen["site"]).to_numpy()]
    site = rows["site"].to_numpy(np.int64)
    night = rows["night"].to_numpy(np.int64)
    by_site = rows.groupby("site")["night"]
    following = by_site.shift(-1)
    stop = np.minimum(following.fillna(last + 1).to_numpy(np.int64) - 1, last)
    went_quiet = night + quiet
    is_quiet = went_quiet <= stop
    visit = _first_visit(site, after=night, until=stop, visited=visited)
    checked = visit >= 0
    opening = by_site.cumcount().to_numpy() == 0
    before = np.r_[False, is_quiet[:-1]] & ~opening  # the gap just before this row was quiet
    checked_before = np.r_[False, checked[:-1]]
    back = before & checked_before
    # new or back, and someone seen again before it went quiet: active Q nights on
    settled = (opening | back) & ~is_quiet & (night + quiet <= last)
    parts = [
        (site[opening], night[opening], "new"),
        (site[back], night[back], "back"),
        (site[before & ~checked_before], night[before & ~checked_before], "active"),
        *_quiet_changes(site, went_quiet, visit, is_quiet=is_quiet, checked=checked),
        (site[settled], night[settled] + quiet, "active"),
    ]
    out = pd.DataFrame(
        {
            "site": np.concatenate([p[0] for p in parts]),
            "night": np.concatenate([p[1] for p in parts]),
            "to": np.concatenate([np.full(len(p[0]), p[2], dtype=object) for p in parts]),
        }
    ).sort_values(["site", "night"], kind="stable", ignore_index=True)
    out["from"] = out.groupby("site")["to"].shift(1)
    return out


def _quiet_changes(
    site: np.ndarray,
    went_quiet: np.ndarray,
    visit: np.ndarray,
    *,
    is_quiet: np.ndarray,
    checked: np.ndarray,
) -> list[tuple[np.ndarray, np.ndarray, str]]:
    """Cleared or unknown on the Q-th quiet night; unknown made cleared by a later visit."""
    in_time = checked & (visit <= went_quiet)
    late = is_quiet & checked & (visit > went_quiet)
    return [
        (site[is_quiet & in_time], went_quiet[is_quiet & in_time], "cleared"),
        (site[is_quiet & ~in_time], went_quiet[is_quiet & ~in_time], "unknown"),
        (site[late], visit[late], "cleared"),
    ]


def _first_visit(
    site: np.ndarray, *, after: np.ndarray, until: np.ndarray, visited: pd.DataFrame
) -> np.ndarray:
    """Per row, the first night in (``after``, ``until``] its site was visited; -1 if none."""
    if visited.empty or len(site) == 0:
        return np.full(len(site), -1, dtype=np.int64)
    low = int(min(visited["night"].min(), after.min()))
    width = int(max(visited["night"].max(), until.max())) - low + 2
    keys = np.sort(
        visited["site"].to_numpy(np.int64) * width + (visited["night"].to_numpy(np.int64) - low)
    )
    at = np.searchsorted(keys, site * width + (after - low), side="right")
    found = keys[np.minimum(at, len(keys) - 1)]
    ok = (at < len(keys)) & (found <= site * width + (until - low))
    return np.where(ok, found - site * width + low, -1)


def _life_frame(
    records: pd.DataFrame,
    *,
    members: np.ndarray,
    label: np.ndarray,
    centres: pd.DataFrame,
    seen: pd.DataFrame,
    became: pd.Series,
    visited: pd.DataFrame,
    changes: pd.DataFrame,
    recent: int,
) -> gpd.GeoDataFrame:
    """One row per site, as :class:`SiteLife` describes ``sites`` (with its label, ``site``)."""
    latest = changes.groupby("site").tail(1).set_index("site")
    by_site = seen.groupby("site")["night"]
    counted = pd.DataFrame(
        {
            "site": label,
            "night": night_numbers(records.iloc[members]),
            "agency": records["agency"].iloc[members].astype(object).fillna("").to_numpy(),
            "people": people_of(records)[members],
        }
    )
    most = counted.groupby(["site", "night", "agency"])["people"].sum().groupby(level="site").max()
    easting, northing = centres["x"].to_numpy(float), centres["y"].to_numpy(float)
    lon, lat = to_lonlat(easting, northing)
    index = centres.index
    frame = pd.DataFrame(
        {
            "site": index.to_numpy(),
            "site_id": _or_none(np.full(len(index), None)),
            "status": _or_none(latest["to"].reindex(index)),
            "status_since": _as_night(latest["night"].reindex(index)),
            "became_persistent": _as_night(became.reindex(index)),
            "first_seen": _as_night(by_site.min().reindex(index)),
            "last_seen": _as_night(by_site.max().reindex(index)),
            "last_visited": _as_night(visited.groupby("site")["night"].max().reindex(index)),
            "nights_seen": seen.loc[seen["night"] >= recent, "site"]
            .value_counts()
            .reindex(index, fill_value=0)
            .to_numpy(np.int64),
            "people": np.rint(most.reindex(index).fillna(0).to_numpy(float)).astype(np.int64),
            "easting": easting,
            "northing": northing,
            "lon": lon,
            "lat": lat,
            "area_code": _or_none(
                most_common(label, records["area_code"].iloc[members].to_numpy(object))
                .reindex(index)
                .to_numpy(object)
            ),
        }
    )
    said = describe_places(records, rows=members, places=label).reindex(index)
    frame.insert(2, "place_name", _or_none(said["place_name"]))
    for name in NEEDS_COLUMNS:
        if name in said.columns:
            frame[name] = _or_none(said[name].fillna(""))
    frame = frame.sort_values(
        ["status_since", "people", "site"], ascending=[False, False, True], ignore_index=True
    )
    frame["site_id"] = _or_none(site_ids(frame["easting"], frame["northing"]))
    geometry = gpd.points_from_xy(frame["easting"], frame["northing"], crs=WORKING_CRS)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=WORKING_CRS)


def _as_night(days: pd.Series | np.ndarray) -> np.ndarray:
    """Night numbers (NaN: none) as midnights, NaT where missing."""
    numbers = pd.to_numeric(pd.Series(np.asarray(days, dtype=float)))
    out = np.full(len(numbers), np.datetime64("NaT"), dtype="datetime64[us]")
    known = numbers.notna().to_numpy()
    out[known] = numbers[known].to_numpy(np.int64).astype("datetime64[D]").astype("datetime64[us]")
    return out


def _or_none(values: np.ndarray | pd.Series) -> pd.Series:
    """``values`` as a Series of objects (text stays objects: not inferred as ``str``), missing
    values as None."""
    out = np.asarray(values, dtype=object).copy()
    out[pd.isna(out)] = None
    return pd.Series(out, dtype=object)


def _no_life(records: pd.DataFrame, *, end: date | None, history: int, quiet: int) -> SiteLife:
    """No sites, in the columns sites from these records would have."""
    needs = describe_places(records.iloc[:0], rows=np.zeros(0), places=np.zeros(0)).columns
    names = [*LIFE_COLUMNS[:-1], *(n for n in NEEDS_COLUMNS if n in needs)]
    dates = {"status_since", "became_persistent", "first_seen", "last_seen", "last_visited"}
    numbers = {"easting", "northing", "lon", "lat"}
    frame = pd.DataFrame(
        {
            name: pd.Series(
                dtype="datetime64[us]"
                if name in dates
                else "float64"
                if name in numbers
                else "int64"
                if name in {"nights_seen", "people"}
                else object
            )
            for name in names
        }
    )
    sites = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=WORKING_CRS), crs=WORKING_CRS)
    changes = pd.DataFrame(
        {
            "site_id": pd.Series(dtype=object),
            "night": pd.Series(dtype="datetime64[us]"),
            "from": pd.Series(dtype=object),
            "to": pd.Series(dtype=object),
        }
    )
    return SiteLife(sites, changes, end, history_nights=history, quiet_nights=quiet)
