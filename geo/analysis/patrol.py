"""Patrol planning: choose the places to check and order them into a short walk.

The GPX file and the printable sheet are written by :mod:`geo.io.exports` (``gpx``, ``sheet``).

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
- **Start**: where the patrol is told to start; without one, at the most urgent place, which
  is then stop 1 (0 m away). Ties go to the place nearest the middle of the candidates.
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
]

DEFAULT_WALK_KMH: Final = 4.5
DEFAULT_DWELL_MINUTES: Final = 10.0
#: Days since the last visit at which the score stops growing; never visited counts as this.
NEVER_DAYS: Final = 28.0
#: Patrols of up to this many stops get the shortest order (Held-Karp: 2**15 x 15 states, 8 MB,
#: about 25 ms).
EXACT_UP_TO: Final = 15
_SITE_LABELS: Final = ("site", "hotspot")
_EPS: Final = 1e-9
#: How far (metres of walking) a plan may overrun its budget: rounding from lon/lat and back.
_SLACK_M: Final = 0.01


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
    starts_at_first_stop
        True when no start was given and the patrol starts at its first stop.
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
    starts_at_first_stop: bool = False


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
    start_lonlat: tuple[float, float] | None,
    stops: int | None = None,
    budget_minutes: float | None = None,
    walk_kmh: float = DEFAULT_WALK_KMH,
    dwell_minutes: float = DEFAULT_DWELL_MINUTES,
    return_to_start: bool = False,
) -> Patrol:
    """Choose and order a patrol from ``start_lonlat`` (lon, lat in EPSG:4326).

    With ``start_lonlat=None`` the patrol starts at the most urgent place, which is stop 1
    (``Patrol.starts_at_first_stop``). See :func:`choose_stops` for ``stops``/``budget_minutes``
    and the module docstring for the rules. Everything is straight-line: streets make a real
    walk longer.
    """
    _check_amount(stops=stops, budget_minutes=budget_minutes)
    _check_pace(walk_kmh=walk_kmh, dwell_minutes=dwell_minutes)
    if start_lonlat is None:
        origin = _most_urgent(candidates)
        lon, lat = (float(v[0]) for v in to_lonlat([origin[0]], [origin[1]]))
    else:
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
    if start_lonlat is None:
        chosen = _first_at(chosen, origin)
    return _patrol(
        chosen,
        start=(lon, lat),
        origin=origin,
        walk_kmh=float(walk_kmh),
        dwell_minutes=float(dwell_minutes),
        return_to_start=return_to_start,
        starts_at_first_stop=start_lonlat is None,
    )


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


def _most_urgent(candidates: pd.DataFrame) -> tuple[float, float]:
    """(easting, northing) of the first candidate by rank, ties to the one nearest the middle."""
    located = _ranked(candidates, (0.0, 0.0))
    if located.empty:
        raise AnalysisError("no start given, and no places to visit to start from: give a start")
    middle = (float(located["easting"].mean()), float(located["northing"].mean()))
    first = _ranked(located, middle).iloc[0]
    return float(first["easting"]), float(first["northing"])


def _first_at(chosen: gpd.GeoDataFrame, origin: tuple[float, float]) -> gpd.GeoDataFrame:
    """``chosen`` with the stop at ``origin`` moved first: walking to it costs nothing, and
    leaving it out of the order elsewhere never makes the walk longer."""
    at = (chosen["easting"].to_numpy(float) == origin[0]) & (
        chosen["northing"].to_numpy(float) == origin[1]
    )
    if not at.any():  # a budget too small for even the first stop
        return chosen
    first = int(np.argmax(at))
    order = [first, *(i for i in range(len(chosen)) if i != first)]
    return chosen.iloc[order]


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
    starts_at_first_stop: bool,
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
        starts_at_first_stop=starts_at_first_stop,
    )
