"""Patrol planning: choose the places to check, order them into a short walk, write GPX and a sheet.

Rules chosen here:

- **Candidates** are coverage gaps, persistent sites, hotspot cells or sightings: rows with
  ``easting``, ``northing`` (EPSG:27700) and ``people``, and, where known, ``n_agencies``
  (agencies that covered it; missing means 0, uncovered), ``days_since_visit`` (NaN or missing
  means never visited) and a ``demand`` label ("site", "hotspot", "sighting"; missing means
  "site"). :func:`geo.analysis.coverage.demand_coverage` adds the first two.
- **Priority** (lower first): 0 uncovered sites and hotspots, 1 other uncovered demand,
  2 covered sites and hotspots, 3 other covered demand. Within a priority the **score** is
  ``people * (1 + min(days, 28) / 7)``, ``days`` being the days since anyone went (never = 28):
  one person unseen for four weeks weighs as much as five people visited tonight. Ties go to
  the place nearer the start.
- **Walking** is in straight lines (streets add more: a real walk is often a third longer) at
  ``walk_kmh`` (default 4.5 km/h, 75 m a minute), with ``dwell_minutes`` (default 10) at each
  stop. A route is an open path from the start unless ``return_to_start=True``.
- **Order**: up to :data:`EXACT_UP_TO` stops the shortest order (Held-Karp). Above that,
  nearest neighbour and cheapest insertion, each improved by 2-opt and Or-opt (moving runs of
  1 to 3 stops) until nothing improves, then up to 50 seeded double-bridge kicks (iterated
  local search); the same stops always give the same order.
- **With a time budget** stops are taken in priority order; each is inserted where it adds the
  least walking and kept only if walking plus dwell still fits, so a far stop is skipped for
  nearer ones of lower priority.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import to_bng, to_lonlat
from geo.errors import AnalysisError
from geo.schema import (
    BNG_EASTING_RANGE,
    BNG_NORTHING_RANGE,
    UK_LAT_RANGE,
    UK_LON_RANGE,
    WORKING_CRS,
)

__all__ = [
    "DEFAULT_DWELL_MINUTES",
    "DEFAULT_WALK_KMH",
    "EXACT_UP_TO",
    "NEVER_DAYS",
    "Patrol",
    "choose_stops",
    "order_stops",
    "plan_patrol",
    "printable",
    "to_gpx",
]

DEFAULT_WALK_KMH: Final = 4.5
DEFAULT_DWELL_MINUTES: Final = 10.0
#: Days since the last visit at which the score stops growing; never visited counts as this.
NEVER_DAYS: Final = 28.0
#: Patrols of up to this many stops get the shortest order (Held-Karp: 2**15 x 15 states, 8 MB,
#: about 25 ms).
EXACT_UP_TO: Final = 15
#: Columns that name a candidate, first found wins.
ID_COLUMNS: Final = ("place_id", "site_id", "cell_id", "hotspot_id", "record_id", "id")
_SITE_LABELS: Final = ("site", "hotspot")
_EPS: Final = 1e-9
_ID_CHARS: Final = 12
#: How far (metres of walking) a plan may overrun its budget: rounding from lon/lat and back.
_SLACK_M: Final = 0.01
_GPX_NS: Final = "http://www.topografix.com/GPX/1/1"
_XML_BAD: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, eq=False)
class Patrol:
    """A planned patrol.

    Attributes
    ----------
    stops
        The chosen candidates in visiting order (index kept from the candidates), with
        ``stop`` (1, 2, ...), ``priority``, ``score``, ``leg_m`` (straight line from the
        previous stop or the start), ``cumulative_m``, ``arrive_minutes`` (walking plus dwell
        at earlier stops), ``lon``/``lat`` and a Point ``geometry`` in EPSG:27700.
    start
        Start as (lon, lat) in EPSG:4326.
    start_bng
        Start as (easting, northing) in EPSG:27700.
    total_m
        Straight-line walking in metres, with the way back when ``return_to_start``.
    walking_minutes, dwell_minutes, total_minutes
        Minutes walking, at each stop, and walking plus all stops.
    return_m
        The last leg back to the start (0 unless ``return_to_start``).
    """

    stops: gpd.GeoDataFrame
    start: tuple[float, float]
    start_bng: tuple[float, float]
    total_m: float
    walking_minutes: float
    dwell_minutes: float
    total_minutes: float
    walk_kmh: float
    return_to_start: bool
    return_m: float


# --------------------------------------------------------------------------- public functions


def choose_stops(
    candidates: pd.DataFrame,
    *,
    stops: int | None = None,
    budget_minutes: float | None = None,
    start: tuple[float, float],
    walk_kmh: float = DEFAULT_WALK_KMH,
    dwell_minutes: float = DEFAULT_DWELL_MINUTES,
    return_to_start: bool = False,
) -> gpd.GeoDataFrame:
    """Choose the places for a patrol, most urgent first, returned in visiting order.

    Give exactly one of ``stops`` (how many places; fewer if there are fewer candidates) or
    ``budget_minutes`` (walking plus dwell must fit). ``start`` is (easting, northing) in
    EPSG:27700. Candidates without coordinates are left out.

    Returns
    -------
    GeoDataFrame
        The chosen rows (columns and index of ``candidates``) plus ``priority`` and ``score``,
        ordered as :func:`order_stops` would walk them, with Point geometry in EPSG:27700.
    """
    _check_amount(stops=stops, budget_minutes=budget_minutes)
    _check_pace(walk_kmh=walk_kmh, dwell_minutes=dwell_minutes)
    origin = _check_bng(start, argument="start")
    ranked = _ranked(candidates, origin)
    xy = ranked[["easting", "northing"]].to_numpy(float)
    if stops is not None:
        picked = np.arange(min(stops, len(ranked)))
        order = picked[order_stops(xy[picked], start=origin, return_to_start=return_to_start)]
    else:
        assert budget_minutes is not None
        metres_per_minute = walk_kmh * 1000 / 60
        order = _fit_budget(
            xy,
            start=origin,
            budget_m=float(budget_minutes) * metres_per_minute,
            dwell_m=float(dwell_minutes) * metres_per_minute,
            return_to_start=return_to_start,
        )
    return _as_points(ranked.iloc[order])


def order_stops(
    xy: np.ndarray, *, start: tuple[float, float], return_to_start: bool = False
) -> np.ndarray:
    """A short walking order for points ``xy`` (n x 2, metres) from ``start``.

    An open path from ``start`` (ending at the last stop) unless ``return_to_start``. Exact up
    to :data:`EXACT_UP_TO` points; above that, nearest neighbour and cheapest insertion improved
    by 2-opt and Or-opt, then iterated local search (see the module docstring).

    Returns
    -------
    ndarray
        The row numbers of ``xy`` in visiting order.
    """
    points = np.asarray(xy, dtype=float).reshape(-1, 2)
    if not np.isfinite(points).all():
        raise AnalysisError("xy has missing or infinite coordinates; drop those rows first")
    origin = np.asarray(start, dtype=float).reshape(2)
    n = len(points)
    if n <= 1:
        return np.arange(n)
    dist = _distances(origin, points, return_to_start=return_to_start)
    if n <= EXACT_UP_TO:
        return _exact(dist, n) - 1
    return _heuristic(dist, n)[1:-1] - 1


def plan_patrol(
    candidates: pd.DataFrame,
    *,
    start_lonlat: tuple[float, float],
    stops: int | None = None,
    budget_minutes: float | None = None,
    walk_kmh: float = DEFAULT_WALK_KMH,
    dwell_minutes: float = DEFAULT_DWELL_MINUTES,
    return_to_start: bool = False,
) -> Patrol:
    """Choose and order a patrol from ``start_lonlat`` (lon, lat in EPSG:4326).

    See :func:`choose_stops` for ``stops``/``budget_minutes`` and the module docstring for the
    rules. Everything is straight-line: streets make a real walk longer.
    """
    _check_amount(stops=stops, budget_minutes=budget_minutes)
    _check_pace(walk_kmh=walk_kmh, dwell_minutes=dwell_minutes)
    lon, lat = _check_lonlat(start_lonlat)
    easting, northing = (float(v[0]) for v in to_bng([lon], [lat]))
    origin = _check_bng((easting, northing), argument="start_lonlat")
    chosen = choose_stops(
        candidates,
        stops=stops,
        budget_minutes=budget_minutes,
        start=origin,
        walk_kmh=walk_kmh,
        dwell_minutes=dwell_minutes,
        return_to_start=return_to_start,
    )
    return _patrol(
        chosen,
        start=(lon, lat),
        origin=origin,
        walk_kmh=float(walk_kmh),
        dwell_minutes=float(dwell_minutes),
        return_to_start=return_to_start,
    )


def to_gpx(patrol: Patrol, *, name: str = "Outreach patrol") -> str:
    """The patrol as GPX 1.1: one ``<wpt>`` per stop and one ``<rte>`` from the start.

    Coordinates are WGS84 (EPSG:4326) to 6 decimals (about 0.1 m). All text is XML-escaped, and
    characters XML cannot hold (control characters) are dropped.
    """
    ET.register_namespace("", _GPX_NS)
    root = ET.Element(f"{{{_GPX_NS}}}gpx", {"version": "1.1", "creator": "Outreach Atlas"})
    meta = ET.SubElement(root, f"{{{_GPX_NS}}}metadata")
    _text(meta, "name", name)
    _text(meta, "desc", _summary(patrol))
    stops = patrol.stops
    names = _stop_names(stops)
    notes = _look_for(stops)
    lon, lat = stops["lon"].to_numpy(float), stops["lat"].to_numpy(float)
    kinds = _labels(stops)
    for i in range(len(stops)):
        point = ET.SubElement(root, f"{{{_GPX_NS}}}wpt", _lat_lon(lat[i], lon[i]))
        _text(point, "name", names[i])
        _text(point, "desc", notes[i])
        _text(point, "type", kinds[i])
    route = ET.SubElement(root, f"{{{_GPX_NS}}}rte")
    _text(route, "name", name)
    first = ET.SubElement(route, f"{{{_GPX_NS}}}rtept", _lat_lon(patrol.start[1], patrol.start[0]))
    _text(first, "name", "Start")
    for i in range(len(stops)):
        point = ET.SubElement(route, f"{{{_GPX_NS}}}rtept", _lat_lon(lat[i], lon[i]))
        _text(point, "name", names[i])
    if patrol.return_to_start and len(stops):
        back = ET.SubElement(
            route, f"{{{_GPX_NS}}}rtept", _lat_lon(patrol.start[1], patrol.start[0])
        )
        _text(back, "name", "Back to start")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def printable(patrol: Patrol) -> str:
    """A plain-text patrol sheet: numbered stops, walking, and what to look for.

    Shows only places, counts and dates (no names, person references or notes).
    """
    stops = patrol.stops
    lines = [
        "OUTREACH PATROL",
        _summary(patrol),
        f"Start: {patrol.start[1]:.5f}, {patrol.start[0]:.5f} (lat, lon)",
        f"Walking {patrol.walk_kmh:g} km/h in straight lines (streets add more); "
        f"{patrol.dwell_minutes:g} min at each stop.",
        "",
    ]
    if len(stops) == 0:
        lines.append("No places to visit: nothing matched, or nothing fits the time given.")
        return "\n".join(lines) + "\n"
    names = _stop_names(stops)
    notes = _look_for(stops)
    legs = stops["leg_m"].to_numpy(float)
    arrive = stops["arrive_minutes"].to_numpy(float)
    lon, lat = stops["lon"].to_numpy(float), stops["lat"].to_numpy(float)
    width = max(len(n) for n in names)
    lines.append(f"{'Stop':<{width}}  {'walk':>7}  {'arrive':>8}  look for")
    for i in range(len(stops)):
        lines.append(
            f"{names[i]:<{width}}  {_metres(legs[i]):>7}  {'+' + _minutes(arrive[i]):>8}  "
            f"{notes[i]}"
        )
        lines.append(f"{'':<{width}}  at {lat[i]:.5f}, {lon[i]:.5f}   [ ] checked  found: ____")
    if patrol.return_to_start:
        lines.append(f"Back to start: {_metres(patrol.return_m)}")
    lines += ["", "Notes:", "", ""]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- checks


def _check_amount(*, stops: int | None, budget_minutes: float | None) -> None:
    if (stops is None) == (budget_minutes is None):
        raise AnalysisError(
            f"stops={stops!r}, budget_minutes={budget_minutes!r}: give exactly one, a number "
            "of stops (e.g. stops=8) or the minutes available (e.g. budget_minutes=90)"
        )
    if stops is not None and (
        isinstance(stops, bool) or not isinstance(stops, int | np.integer) or stops < 1
    ):
        raise AnalysisError(f"stops={stops!r}: give a whole number of stops, 1 or more")
    if budget_minutes is not None and (
        isinstance(budget_minutes, bool)
        or not isinstance(budget_minutes, int | float | np.integer)
        or not math.isfinite(budget_minutes)
        or budget_minutes <= 0
    ):
        raise AnalysisError(
            f"budget_minutes={budget_minutes!r}: give the minutes available, above 0 (e.g. 90)"
        )


def _check_pace(*, walk_kmh: float, dwell_minutes: float) -> None:
    if not isinstance(walk_kmh, int | float) or not math.isfinite(walk_kmh) or walk_kmh <= 0:
        raise AnalysisError(f"walk_kmh={walk_kmh!r}: give a walking speed above 0 (e.g. 4.5)")
    if (
        not isinstance(dwell_minutes, int | float)
        or not math.isfinite(dwell_minutes)
        or dwell_minutes < 0
    ):
        raise AnalysisError(
            f"dwell_minutes={dwell_minutes!r}: give the minutes spent at each stop, 0 or more"
        )


def _pair(value: object, *, argument: str, what: str) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise AnalysisError(f"{argument}={value!r}: give {what} as a pair of numbers") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise AnalysisError(f"{argument}={value!r}: give {what} as finite numbers")
    return x, y


def _check_bng(value: object, *, argument: str) -> tuple[float, float]:
    x, y = _pair(value, argument=argument, what="(easting, northing) in metres (EPSG:27700)")
    inside = (
        BNG_EASTING_RANGE[0] <= x <= BNG_EASTING_RANGE[1]
        and BNG_NORTHING_RANGE[0] <= y <= BNG_NORTHING_RANGE[1]
    )
    if not inside:
        raise AnalysisError(
            f"{argument}={value!r} is outside Great Britain's National Grid; give a start in "
            "Great Britain (easting 0-700000, northing 0-1300000)"
        )
    return x, y


def _check_lonlat(value: object) -> tuple[float, float]:
    lon, lat = _pair(value, argument="start_lonlat", what="(longitude, latitude)")

    def inside(x: float, y: float) -> bool:
        return UK_LON_RANGE[0] <= x <= UK_LON_RANGE[1] and UK_LAT_RANGE[0] <= y <= UK_LAT_RANGE[1]

    if not inside(lon, lat):
        hint = (
            "; it looks like (latitude, longitude): swap them"
            if inside(lat, lon)
            else "; give a start in Great Britain as (longitude, latitude), e.g. (-0.14, 50.82)"
        )
        raise AnalysisError(f"start_lonlat={value!r} is outside Great Britain{hint}")
    return lon, lat


# --------------------------------------------------------------------------- choosing


def _ranked(candidates: pd.DataFrame, origin: tuple[float, float]) -> pd.DataFrame:
    """Located candidates with ``priority`` and ``score``, most urgent first."""
    if not isinstance(candidates, pd.DataFrame):
        raise AnalysisError(
            f"candidates: expected a DataFrame, got {type(candidates).__name__}; give gaps, "
            "persistent sites or hotspots"
        )
    missing = [c for c in ("easting", "northing", "people") if c not in candidates.columns]
    if missing:
        raise AnalysisError(
            f"candidates has no column {', '.join(missing)}; give a frame with easting, "
            "northing (EPSG:27700) and people, such as geo.analysis.coverage.gaps() returns"
        )
    frame = pd.DataFrame(candidates).drop(columns="geometry", errors="ignore")
    x = pd.to_numeric(frame["easting"], errors="coerce").to_numpy(float)
    y = pd.to_numeric(frame["northing"], errors="coerce").to_numpy(float)
    located = np.isfinite(x) & np.isfinite(y)
    frame, x, y = frame.loc[located], x[located], y[located]
    people = pd.to_numeric(frame["people"], errors="coerce").fillna(0).to_numpy(float)
    days = (
        pd.to_numeric(frame["days_since_visit"], errors="coerce").to_numpy(float)
        if "days_since_visit" in frame.columns
        else np.full(len(frame), np.nan)
    )
    days = np.where(np.isnan(days), NEVER_DAYS, np.clip(days, 0, NEVER_DAYS))
    agencies = (
        pd.to_numeric(frame["n_agencies"], errors="coerce").fillna(0).to_numpy(float)
        if "n_agencies" in frame.columns
        else np.zeros(len(frame))
    )
    label = (
        frame["demand"].to_numpy(dtype=object)
        if "demand" in frame.columns
        else np.full(len(frame), "site", dtype=object)
    )
    priority = 2 * (agencies > 0) + ~np.isin(label, _SITE_LABELS)
    score = people * (1 + days / 7)
    near = np.hypot(x - origin[0], y - origin[1])
    order = np.lexsort((near, -score, priority))
    ranked = frame.assign(priority=priority.astype(np.int64), score=np.round(score, 3))
    ranked["easting"], ranked["northing"] = x, y
    return ranked.iloc[order]


def _fit_budget(
    xy: np.ndarray,
    *,
    start: tuple[float, float],
    budget_m: float,
    dwell_m: float,
    return_to_start: bool,
) -> np.ndarray:
    """Rows of ``xy`` (taken in order) that fit; budget and dwell both in metres of walking."""
    origin = np.asarray(start, dtype=float)
    route: list[int] = []  # rows of xy, in visiting order
    length = 0.0
    for row in range(len(xy)):
        if dwell_m * (len(route) + 1) > budget_m + _SLACK_M:
            break
        path = np.vstack([origin, xy[route]]) if route else origin[None, :]
        ends = np.vstack([path[1:], origin[None, :]]) if return_to_start else path[1:]
        there = np.hypot(*(path - xy[row]).T)
        # inserting between path[k] and path[k+1] (or after the last stop, k = len(route))
        added = (
            there[: len(ends)]
            + np.hypot(*(ends - xy[row]).T)
            - np.hypot(*(ends - path[: len(ends)]).T)
        )
        if not return_to_start:
            added = np.append(added, there[-1])
        k = int(np.argmin(added))
        if length + added[k] + dwell_m * (len(route) + 1) > budget_m + _SLACK_M:
            continue
        route.insert(k, row)
        chosen = np.asarray(route)
        dist = _distances(origin, xy[chosen], return_to_start=return_to_start)
        better = _improve(dist, np.r_[0, np.arange(1, len(route) + 1), len(route) + 1])
        route = list(chosen[better[1:-1] - 1])
        length = _length(dist, better)
    if not route:
        return np.zeros(0, dtype=np.intp)
    chosen = np.asarray(route)
    again = chosen[order_stops(xy[chosen], start=start, return_to_start=return_to_start)]
    shorter = _route_m(origin, xy[again], return_to_start) < _route_m(
        origin, xy[chosen], return_to_start
    )
    return again if shorter else chosen


# --------------------------------------------------------------------------- ordering
#
# Routes are arrays of node numbers: 0 is the start, 1..n the stops, n + 1 the end. The end is
# the start again for a round trip, or a node 0 m from everything for an open path, so both are
# paths with fixed ends and the same moves serve both.


def _distances(origin: np.ndarray, xy: np.ndarray, *, return_to_start: bool) -> np.ndarray:
    nodes = np.vstack([np.asarray(origin, dtype=float)[None, :], xy, origin[None, :]])
    dist = np.hypot(*(nodes[:, None, :] - nodes[None, :, :]).transpose(2, 0, 1))
    if not return_to_start:
        dist[-1, :] = dist[:, -1] = 0.0
    return dist


def _length(dist: np.ndarray, route: np.ndarray) -> float:
    return float(dist[route[:-1], route[1:]].sum())


def _route_m(origin: np.ndarray, xy: np.ndarray, return_to_start: bool) -> float:
    path = np.vstack([origin, xy, origin]) if return_to_start else np.vstack([origin, xy])
    return float(np.hypot(*np.diff(path, axis=0).T).sum())


def _exact(dist: np.ndarray, n: int) -> np.ndarray:
    """The shortest route through stops 1..n (Held-Karp dynamic programming, 2**n * n states).

    ``cost[mask, j]`` is the shortest walk from the start through the stops in ``mask`` ending
    at stop ``j``; layers of equal size are filled one stop at a time, vectorised over masks.
    """
    full = 1 << n
    masks = np.arange(full)
    sizes = np.bitwise_count(masks)
    between = dist[1 : n + 1, 1 : n + 1]
    cost = np.full((full, n), np.inf)
    parent = np.full((full, n), -1, dtype=np.intp)
    cost[1 << np.arange(n), np.arange(n)] = dist[0, 1 : n + 1]
    for size in range(2, n + 1):
        layer = masks[sizes == size]
        for j in range(n):
            here = layer[(layer >> j) & 1 == 1]
            options = cost[here ^ (1 << j)] + between[:, j]
            best = np.argmin(options, axis=1)
            cost[here, j] = options[np.arange(len(here)), best]
            parent[here, j] = best
    mask, j = full - 1, int(np.argmin(cost[full - 1] + dist[1 : n + 1, n + 1]))
    order = []
    while j >= 0:
        order.append(j)
        mask, j = mask ^ (1 << j), int(parent[mask, j])
    return np.array(order[::-1], dtype=np.intp) + 1


def _heuristic(dist: np.ndarray, n: int, *, kicks: int | None = None) -> np.ndarray:
    """Iterated local search: the better of nearest neighbour and cheapest insertion, improved,
    then ``kicks`` random double-bridge moves, each improved and kept if shorter.

    The kicks are seeded, so the same stops always give the same order.
    """
    routes = [
        _improve(dist, _nearest_neighbour(dist, n)),
        _improve(dist, _cheapest_insertion(dist, n)),
    ]
    best = min(routes, key=lambda route: _length(dist, route))
    best_m = _length(dist, best)
    rng = np.random.default_rng(0)
    for _ in range(_kicks(n) if kicks is None else kicks):
        if n < 4:
            break
        a, b, c = np.sort(rng.choice(np.arange(1, n), size=3, replace=False)) + 1
        trial = np.r_[best[:a], best[b:c], best[a:b], best[c:]]
        trial = _improve(dist, trial)
        trial_m = _length(dist, trial)
        if trial_m < best_m - _EPS:
            best, best_m = trial, trial_m
    return best


def _kicks(n: int) -> int:
    """Kicks for ``n`` stops: 50 up to 100 stops, fewer above so a plan stays under a second."""
    return int(np.clip(5000 // max(n, 1), 5, 50))


def _nearest_neighbour(dist: np.ndarray, n: int) -> np.ndarray:
    route = [0]
    left = np.ones(n + 2, dtype=bool)
    left[[0, n + 1]] = False
    for _ in range(n):
        here = dist[route[-1]]
        step = int(np.argmin(np.where(left, here, np.inf)))
        route.append(step)
        left[step] = False
    return np.array([*route, n + 1], dtype=np.intp)


def _cheapest_insertion(dist: np.ndarray, n: int) -> np.ndarray:
    route = np.array([0, n + 1], dtype=np.intp)
    for node in range(1, n + 1):
        a, b = route[:-1], route[1:]
        added = dist[a, node] + dist[node, b] - dist[a, b]
        k = int(np.argmin(added))
        route = np.insert(route, k + 1, node)
    return route


def _improve(dist: np.ndarray, route: np.ndarray) -> np.ndarray:
    """2-opt and Or-opt moves (first improving move per position) until none improves."""
    route = np.array(route, dtype=np.intp)
    for _ in range(10_000):  # a safety cap; a few dozen stops settle in a handful of passes
        if not (_two_opt(dist, route) | _or_opt(dist, route)):
            break
    return route


def _two_opt(dist: np.ndarray, route: np.ndarray) -> bool:
    """Reverse stretches of ``route`` in place while that shortens it."""
    n = len(route) - 2
    changed = False
    for i in range(1, n):
        j = np.arange(i + 1, n + 1)
        a, b, c, d = route[i - 1], route[i], route[j], route[j + 1]
        delta = dist[a, c] + dist[b, d] - dist[a, b] - dist[c, d]
        best = int(np.argmin(delta))
        if delta[best] < -_EPS:
            stop = j[best]
            route[i : stop + 1] = route[i : stop + 1][::-1].copy()
            changed = True
    return changed


def _or_opt(dist: np.ndarray, route: np.ndarray) -> bool:
    """Move runs of 1 to 3 stops (either way round) to where they cost least, in place."""
    n = len(route) - 2
    changed = False
    for size in (1, 2, 3):
        i = 1
        while i + size - 1 <= n:
            a, first, last, b = route[i - 1], route[i], route[i + size - 1], route[i + size]
            saved = dist[a, first] + dist[last, b] - dist[a, b]
            rest = np.r_[route[:i], route[i + size :]]
            u, v = rest[:-1], rest[1:]
            forward = dist[u, first] + dist[last, v] - dist[u, v]
            backward = dist[u, last] + dist[first, v] - dist[u, v]
            cost = np.minimum(forward, backward)
            cost[i - 1] = np.inf  # where it came from
            k = int(np.argmin(cost))
            if cost[k] - saved < -_EPS:
                run = route[i : i + size]
                run = run if forward[k] <= backward[k] else run[::-1]
                route[:] = np.r_[rest[: k + 1], run, rest[k + 1 :]]
                changed = True
            i += 1
    return changed


# --------------------------------------------------------------------------- the patrol


def _as_points(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    geometry = gpd.points_from_xy(frame["easting"], frame["northing"], crs=WORKING_CRS)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=WORKING_CRS)


def _patrol(
    chosen: gpd.GeoDataFrame,
    *,
    start: tuple[float, float],
    origin: tuple[float, float],
    walk_kmh: float,
    dwell_minutes: float,
    return_to_start: bool,
) -> Patrol:
    xy = chosen[["easting", "northing"]].to_numpy(float)
    path = np.vstack([np.asarray(origin)[None, :], xy])
    legs = np.hypot(*np.diff(path, axis=0).T)
    cumulative = np.cumsum(legs)
    per_minute = walk_kmh * 1000 / 60
    back = float(np.hypot(*(xy[-1] - origin))) if return_to_start and len(xy) else 0.0
    total = float(cumulative[-1] if len(xy) else 0.0) + back
    lon, lat = to_lonlat(xy[:, 0], xy[:, 1])
    stops = chosen.assign(
        stop=np.arange(1, len(chosen) + 1),
        leg_m=np.round(legs, 1),
        cumulative_m=np.round(cumulative, 1),
        arrive_minutes=np.round(cumulative / per_minute + dwell_minutes * np.arange(len(xy)), 1),
        lon=lon,
        lat=lat,
    )
    walking = total / per_minute
    return Patrol(
        stops=stops,
        start=start,
        start_bng=origin,
        total_m=round(total, 1),
        walking_minutes=round(walking, 1),
        dwell_minutes=dwell_minutes,
        total_minutes=round(walking + dwell_minutes * len(xy), 1),
        walk_kmh=walk_kmh,
        return_to_start=return_to_start,
        return_m=round(back, 1),
    )


# --------------------------------------------------------------------------- text


def _clean(value: object) -> str:
    return _XML_BAD.sub("", str(value))


def _text(parent: ET.Element, tag: str, value: object) -> None:
    ET.SubElement(parent, f"{{{_GPX_NS}}}{tag}").text = _clean(value)


def _lat_lon(lat: float, lon: float) -> dict[str, str]:
    return {"lat": f"{lat:.6f}", "lon": f"{lon:.6f}"}


def _labels(stops: pd.DataFrame) -> list[str]:
    if "demand" in stops.columns:
        return [str(v) if isinstance(v, str) and v else "site" for v in stops["demand"]]
    return ["site"] * len(stops)


def _stop_names(stops: pd.DataFrame) -> list[str]:
    """ "1. site S3": number, kind and the id the candidates carry (long ids cut to 12)."""
    column = next((c for c in ID_COLUMNS if c in stops.columns), None)
    ids = (
        stops[column].astype(object).where(stops[column].notna(), "").astype(str).tolist()
        if column
        else [""] * len(stops)
    )
    ids = [ident if len(ident) <= _ID_CHARS else ident[: _ID_CHARS - 1] + "…" for ident in ids]
    return [
        f"{number}. {label} {ident}".rstrip()
        for number, label, ident in zip(range(1, len(stops) + 1), _labels(stops), ids, strict=True)
    ]


def _look_for(stops: pd.DataFrame) -> list[str]:
    """What to look for at each stop: counts and dates only."""

    def column(name: str) -> np.ndarray:
        if name not in stops.columns:
            return np.full(len(stops), np.nan)
        return pd.to_numeric(stops[name], errors="coerce").to_numpy(float)

    people, nights, days = column("people"), column("nights_seen"), column("days_since_visit")
    agencies = column("n_agencies")
    notes = []
    for i in range(len(stops)):  # text for a sheet of a few dozen lines
        parts = []
        if np.isfinite(people[i]):
            parts.append(f"{people[i]:g} {'person' if people[i] == 1 else 'people'} seen")
        if np.isfinite(nights[i]):
            parts.append(f"on {nights[i]:g} night{'' if nights[i] == 1 else 's'}")
        if np.isfinite(days[i]):
            when = {0: "on the last night", 1: "the night before the last"}.get(
                int(days[i]), f"{days[i]:g} nights before the last"
            )
            parts.append(f"last visit {when}")
        else:
            parts.append("no visit on record")
        if np.isfinite(agencies[i]):
            parts.append(
                "uncovered"
                if agencies[i] == 0
                else f"covered by {agencies[i]:g} agenc{'y' if agencies[i] == 1 else 'ies'}"
            )
        notes.append("; ".join(parts))
    return notes


def _metres(value: float) -> str:
    return f"{value / 1000:.1f} km" if value >= 1000 else f"{value:.0f} m"


def _minutes(value: float) -> str:
    minutes = int(round(value))
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def _summary(patrol: Patrol) -> str:
    n = len(patrol.stops)
    return (
        f"{n} stop{'' if n == 1 else 's'}, {_metres(patrol.total_m)} walking "
        f"(about {_minutes(patrol.walking_minutes)}), {_minutes(patrol.total_minutes)} "
        f"with {patrol.dwell_minutes:g} min at each stop"
        + ("; back to the start" if patrol.return_to_start else "")
    )
