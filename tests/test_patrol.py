"""Patrol planning: choosing stops, ordering them, GPX and the printable sheet."""

from __future__ import annotations

import math
import time
import xml.etree.ElementTree as ET
from itertools import permutations

import numpy as np
import pandas as pd
import pytest

from geo.analysis.patrol import (
    EXACT_UP_TO,
    Patrol,
    _distances,
    _exact,
    _heuristic,
    _improve,
    _length,
    _nearest_neighbour,
    _two_opt,
    choose_stops,
    order_stops,
    plan_patrol,
)
from geo.crs import to_lonlat
from geo.errors import AnalysisError
from geo.io.exports import printable, to_gpx
from geo.schema import WORKING_CRS

X0, Y0 = 530_000.0, 104_000.0  # the start, in British National Grid metres
START_LONLAT = tuple(float(v[0]) for v in to_lonlat([X0], [Y0]))
GPX = {"g": "http://www.topografix.com/GPX/1/1"}


def candidates(*rows: tuple[float, float, int, float, int, str]) -> pd.DataFrame:
    """Rows of (east of start m, north of start m, people, days since visit, agencies, demand)."""
    dx, dy, people, days, agencies, demand = (list(c) for c in zip(*rows, strict=True))
    return pd.DataFrame(
        {
            "site_id": [f"S{i + 1}" for i in range(len(rows))],
            "demand": demand,
            "easting": X0 + np.asarray(dx, dtype=float),
            "northing": Y0 + np.asarray(dy, dtype=float),
            "people": people,
            "days_since_visit": np.asarray(days, dtype=float),
            "n_agencies": agencies,
        }
    )


def path_m(xy: np.ndarray, start: np.ndarray, order: np.ndarray | list[int]) -> float:
    points = np.vstack([start, xy[list(order)]])
    return float(np.hypot(*np.diff(points, axis=0).T).sum())


def brute_force_m(xy: np.ndarray, start: np.ndarray) -> float:
    """The shortest open path from ``start`` through every point, trying every order."""
    orders = np.array(list(permutations(range(len(xy)))))
    points = np.concatenate([np.broadcast_to(start, (len(orders), 1, 2)), xy[orders]], axis=1)
    return float(np.hypot(*np.diff(points, axis=1).transpose(2, 0, 1)).sum(axis=1).min())


# --------------------------------------------------------------------------- ordering


def test_four_stops_on_a_line_are_walked_outwards() -> None:
    xy = np.array([[300.0, 0], [100, 0], [700, 0], [200, 0]])
    order = order_stops(xy, start=(0.0, 0.0))
    assert order.tolist() == [1, 3, 0, 2]  # 100, 200, 300, 700 m: 700 m in all
    dist = _distances(np.zeros(2), xy, return_to_start=False)
    assert _nearest_neighbour(dist, 4).tolist() == [0, 2, 4, 1, 3, 5]  # nodes = rows + 1


def test_two_opt_untangles_a_crossing() -> None:
    # start (0, 0), A (0, 100), B (100, 100), C (100, 0); start->B->A->C crosses itself:
    # 141.4 + 100 + 141.4 = 382.8 m; reversing B, A gives start->A->B->C = 300 m
    xy = np.array([[0.0, 100], [100, 100], [100, 0]])
    dist = _distances(np.zeros(2), xy, return_to_start=False)
    route = np.array([0, 2, 1, 3, 4])  # nodes: 0 start, 1 A, 2 B, 3 C, 4 end
    assert _length(dist, route) == pytest.approx(100 + 200 * math.sqrt(2))
    assert _two_opt(dist, route)  # changed in place
    assert route.tolist() == [0, 1, 2, 3, 4]
    assert _length(dist, route) == pytest.approx(300.0)


def test_nearest_neighbour_zigzag_is_straightened() -> None:
    # 8 stops on a line, each just nearer across 0: nearest neighbour zigzags
    # 1, -2, 5, -10, 21, -42, 85, -170: 1 + 3 + 7 + 15 + 31 + 63 + 127 + 255 = 502 m.
    # Best: out to 85, back to -170: 85 + 255 = 340 m.
    x = np.array([1.0, -2, 5, -10, 21, -42, 85, -170])
    xy = np.c_[x, np.zeros_like(x)]
    dist = _distances(np.zeros(2), xy, return_to_start=False)
    zigzag = _nearest_neighbour(dist, 8)
    assert zigzag.tolist() == [0, *range(1, 9), 9]
    assert _length(dist, zigzag) == pytest.approx(502.0)
    assert _length(dist, _improve(dist, zigzag)) == pytest.approx(340.0)  # 2-opt + Or-opt
    assert path_m(xy, np.zeros(2), order_stops(xy, start=(0.0, 0.0))) == pytest.approx(340.0)
    assert brute_force_m(xy, np.zeros(2)) == pytest.approx(340.0)


@pytest.mark.parametrize("seed", range(4))
def test_order_matches_brute_force_for_random_points(seed: int) -> None:
    rng = np.random.default_rng(seed)
    start = np.array([500.0, 500.0])
    for n in (7, 8):  # Held-Karp (order_stops up to EXACT_UP_TO) against every order
        xy = rng.uniform(0, 1000, (n, 2))
        best = brute_force_m(xy, start)
        assert path_m(xy, start, order_stops(xy, start=(500.0, 500.0))) == pytest.approx(best)
        # nearest neighbour + 2-opt + Or-opt alone: optimal on 22 of 30 random 9-stop paths,
        # 0.9 % long on average, 7 % at worst; the 50 kicks of iterated local search bring that
        # to 29 of 30, 0.03 % on average, 0.9 % at worst
        dist = _distances(start, xy, return_to_start=False)
        assert _length(dist, _heuristic(dist, n)) <= best * 1.01


def test_iterated_local_search_is_near_optimal_above_the_exact_limit() -> None:
    # 16 stops (above EXACT_UP_TO): compare with Held-Karp run anyway (65,536 x 16 states)
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 1000, (EXACT_UP_TO + 1, 2))
    dist = _distances(np.array([500.0, 500.0]), xy, return_to_start=False)
    n = len(xy)
    optimal = _length(dist, np.r_[0, _exact(dist, n), n + 1])
    order = order_stops(xy, start=(500.0, 500.0))
    assert sorted(order.tolist()) == list(range(n))
    assert path_m(xy, np.array([500.0, 500.0]), order) <= optimal * 1.01
    assert (order_stops(xy, start=(500.0, 500.0)) == order).all()  # seeded: the same each time


def test_round_trip_changes_the_best_order() -> None:
    # start (0, 0), A (100, 0), B (200, 0), C (0, 50).
    # Open: C, A, B = 50 + 111.8 + 100 = 261.8 m beats A, B, C = 100 + 100 + 206.2 = 406.2 m.
    # Round trip: A, B, C, home = 456.2 m (or the same backwards) beats C, A, B, home = 461.8 m.
    xy = np.array([[100.0, 0], [200, 0], [0, 50]])
    assert order_stops(xy, start=(0.0, 0.0)).tolist() == [2, 0, 1]
    assert order_stops(xy, start=(0.0, 0.0), return_to_start=True).tolist() in (
        [0, 1, 2],
        [2, 1, 0],
    )


def test_order_of_nothing_and_of_one() -> None:
    assert order_stops(np.zeros((0, 2)), start=(0.0, 0.0)).tolist() == []
    assert order_stops(np.array([[5.0, 5.0]]), start=(0.0, 0.0)).tolist() == [0]
    with pytest.raises(AnalysisError, match=r"xy has missing"):
        order_stops(np.array([[np.nan, 5.0]]), start=(0.0, 0.0))


# --------------------------------------------------------------------------- choosing


def test_uncovered_sites_come_first_then_score() -> None:
    frame = candidates(
        (100, 0, 9, 0, 2, "site"),  # S1: covered, many people: priority 2
        (200, 0, 1, np.nan, 0, "sighting"),  # S2: uncovered sighting: priority 1
        (300, 0, 2, 7, 0, "site"),  # S3: uncovered: 2 * (1 + 7/7) = 4
        (400, 0, 1, np.nan, 0, "hotspot"),  # S4: never visited: 1 * (1 + 28/7) = 5
        (500, 0, 1, 60, 0, "site"),  # S5: capped at 28 days: 5, but farther than S4
    )
    got = choose_stops(frame, stops=3, start=(X0, Y0))
    assert set(got["site_id"]) == {"S3", "S4", "S5"}
    assert got.set_index("site_id")["score"].to_dict() == {"S3": 4.0, "S4": 5.0, "S5": 5.0}
    assert got["priority"].tolist() == [0, 0, 0]
    assert got["site_id"].tolist() == ["S3", "S4", "S5"]  # walking order: 300, 400, 500 m
    assert got.crs == WORKING_CRS
    four = choose_stops(frame, stops=4, start=(X0, Y0))
    assert "S2" in set(four["site_id"]) and "S1" not in set(four["site_id"])
    assert len(choose_stops(frame, stops=99, start=(X0, Y0))) == 5


def test_bare_sites_count_as_uncovered_and_never_visited() -> None:
    sites = pd.DataFrame({"easting": [X0 + 10, X0 + 20], "northing": [Y0, Y0], "people": [1, 3]})
    got = choose_stops(sites, stops=1, start=(X0, Y0))
    assert got["people"].tolist() == [3] and got["score"].tolist() == [15.0]


def test_time_budget_skips_a_far_stop_for_nearer_ones() -> None:
    # 4.5 km/h is 75 m a minute; 10 minutes at each stop; 40 minutes in all.
    # S1 (best score) is 3000 m west: 40 min walk + 10 = 50 > 40, skipped.
    # S2 750 m east: 10 + 10 = 20 fits; S3 1500 m east: 20 walk + 20 dwell = 40 fits.
    # S4 at 1575 m east: 21 + 30 = 51 does not.
    frame = candidates(
        (-3000, 0, 9, np.nan, 0, "site"),
        (750, 0, 3, np.nan, 0, "site"),
        (1500, 0, 2, np.nan, 0, "site"),
        (1575, 0, 1, np.nan, 0, "site"),
    )
    got = choose_stops(frame, budget_minutes=40, start=(X0, Y0))
    assert got["site_id"].tolist() == ["S2", "S3"]
    patrol = plan_patrol(frame, start_lonlat=START_LONLAT, budget_minutes=40)
    assert patrol.stops["site_id"].tolist() == ["S2", "S3"]
    assert patrol.total_minutes == pytest.approx(40.0, abs=0.1)
    assert len(choose_stops(frame, budget_minutes=5, start=(X0, Y0))) == 0  # dwell alone: 10
    # a round trip must also walk back: 750 m out and back = 20 min + 10 = 30 fits, no more
    back = choose_stops(frame, budget_minutes=40, start=(X0, Y0), return_to_start=True)
    assert back["site_id"].tolist() == ["S2"]


def test_plan_patrol_legs_and_times() -> None:
    frame = candidates(
        (0, 300, 1, 3, 0, "site"),
        (400, 300, 2, 3, 0, "site"),
        (400, 0, 1, 3, 0, "site"),
    )
    patrol = plan_patrol(frame, start_lonlat=START_LONLAT, stops=3)
    assert isinstance(patrol, Patrol)
    stops = patrol.stops
    # start -> S1 (300 m) -> S2 (400 m) -> S3 (300 m): a U of 1000 m; the start comes back
    # from lon/lat within millimetres
    assert stops["site_id"].tolist() == ["S1", "S2", "S3"]
    assert stops["stop"].tolist() == [1, 2, 3]
    assert stops["leg_m"].tolist() == pytest.approx([300, 400, 300], abs=0.1)
    assert stops["cumulative_m"].tolist() == pytest.approx([300, 700, 1000], abs=0.1)
    # arrive: 300/75 = 4 min; 700/75 + 10 = 19.3; 1000/75 + 20 = 33.3
    assert stops["arrive_minutes"].tolist() == pytest.approx([4.0, 19.3, 33.3], abs=0.05)
    assert patrol.total_m == pytest.approx(1000, abs=0.1)
    assert patrol.walking_minutes == pytest.approx(13.3, abs=0.05)
    assert patrol.total_minutes == pytest.approx(43.3, abs=0.05)
    assert patrol.start == pytest.approx(START_LONLAT)
    round_trip = plan_patrol(frame, start_lonlat=START_LONLAT, stops=3, return_to_start=True)
    assert round_trip.total_m == pytest.approx(1400, abs=0.1)  # 300 + 400 + 300 + 400 back
    # the same loop backwards is as long, so the last leg is 400 m (S3) or 300 m (S1)
    assert round_trip.return_m in (pytest.approx(400, abs=0.1), pytest.approx(300, abs=0.1))


def test_plan_of_fifty_stops_is_quick() -> None:
    rng = np.random.default_rng(7)
    n = 400
    frame = pd.DataFrame(
        {
            "site_id": [f"S{i}" for i in range(n)],
            "easting": X0 + rng.uniform(-2000, 2000, n),
            "northing": Y0 + rng.uniform(-2000, 2000, n),
            "people": rng.integers(1, 5, n),
            "days_since_visit": rng.integers(0, 30, n).astype(float),
            "n_agencies": rng.integers(0, 2, n),
        }
    )
    began = time.perf_counter()
    patrol = plan_patrol(frame, start_lonlat=START_LONLAT, stops=50)
    seconds = time.perf_counter() - began  # about 0.5 s on the 2-core dev machine
    assert len(patrol.stops) == 50 and seconds < 5
    nearest_only = _nearest_neighbour(
        _distances(
            np.array([X0, Y0]),
            patrol.stops[["easting", "northing"]].to_numpy(),
            return_to_start=False,
        ),
        50,
    )
    xy = patrol.stops[["easting", "northing"]].to_numpy()
    assert patrol.total_m <= path_m(xy, np.array([X0, Y0]), nearest_only[1:-1] - 1) + 1e-6


# --------------------------------------------------------------------------- GPX and sheet


def _patrol(name: str = "S1") -> Patrol:
    frame = candidates((0, 300, 1, 3, 0, "site"), (400, 300, 2, np.nan, 0, "site"))
    frame["site_id"] = [name, "S2"]
    frame["nights_seen"] = [4, 1]
    frame["person_ref"] = ["p_secret_ref", None]
    frame["notes"] = ["Name: John Smith", "dog"]
    return plan_patrol(frame, start_lonlat=START_LONLAT, stops=2)


def test_gpx_parses_back_with_waypoints_in_order() -> None:
    patrol = _patrol()
    root = ET.fromstring(to_gpx(patrol).encode())
    assert root.tag == "{http://www.topografix.com/GPX/1/1}gpx" and root.get("version") == "1.1"
    waypoints = root.findall("g:wpt", GPX)
    assert [w.findtext("g:name", namespaces=GPX) for w in waypoints] == [
        "1. site S1",
        "2. site S2",
    ]
    lat = [float(w.get("lat")) for w in waypoints]
    lon = [float(w.get("lon")) for w in waypoints]
    assert lat == pytest.approx(patrol.stops["lat"].tolist(), abs=1e-6)
    assert lon == pytest.approx(patrol.stops["lon"].tolist(), abs=1e-6)
    assert 50 < lat[0] < 51 and -1 < lon[0] < 0  # WGS84 on the south coast, not metres
    route = root.findall("g:rte/g:rtept", GPX)
    assert len(route) == 3  # the start, then both stops
    assert float(route[0].get("lat")) == pytest.approx(START_LONLAT[1], abs=1e-6)
    assert "John Smith" not in to_gpx(patrol) and "p_secret_ref" not in to_gpx(patrol)


def test_gpx_escapes_every_text() -> None:
    nasty = "<script>&\"'x"
    patrol = _patrol(name="A<&>\x07")
    text = to_gpx(patrol, name=nasty)
    root = ET.fromstring(text.encode())  # well-formed despite <, & and a control character
    assert root.findtext("g:metadata/g:name", namespaces=GPX) == nasty
    assert root.findtext("g:rte/g:name", namespaces=GPX) == nasty
    assert root.findtext("g:wpt/g:name", namespaces=GPX) == "1. site A<&>"
    assert "<script>" not in text


def test_empty_patrol_still_writes_gpx_and_a_sheet() -> None:
    nothing = candidates((0, 300, 1, 3, 0, "site")).iloc[:0]
    patrol = plan_patrol(nothing, start_lonlat=START_LONLAT, stops=3)
    assert patrol.total_m == 0 and len(patrol.stops) == 0
    root = ET.fromstring(to_gpx(patrol).encode())
    assert root.findall("g:wpt", GPX) == [] and len(root.findall("g:rte/g:rtept", GPX)) == 1
    assert "No places to visit" in printable(patrol)


def test_printable_sheet_has_numbered_stops_and_no_personal_data() -> None:
    sheet = printable(_patrol())
    assert "2 stops, 700 m walking (about 9 min), 29 min with 10 min at each stop" in sheet
    assert "1. site S1" in sheet and "2. site S2" in sheet
    assert "1 person seen; on 4 nights; last visit 3 nights before the last; uncovered" in sheet
    assert "2 people seen; on 1 night; no visit on record; uncovered" in sheet
    assert "John Smith" not in sheet and "p_secret_ref" not in sheet and "dog" not in sheet


# --------------------------------------------------------------------------- checks


def test_inputs_are_not_changed() -> None:
    frame = candidates((0, 300, 1, 3, 0, "site"), (400, 300, 2, np.nan, 1, "sighting"))
    before = frame.copy()
    plan_patrol(frame, start_lonlat=START_LONLAT, stops=2)
    choose_stops(frame, budget_minutes=60, start=(X0, Y0))
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, r"stops=None, budget_minutes=None: give exactly one"),
        ({"stops": 3, "budget_minutes": 60}, r"stops=3, budget_minutes=60: give exactly one"),
        ({"stops": 0}, r"stops=0: give a whole number of stops, 1 or more"),
        ({"stops": 2.5}, r"stops=2.5: give a whole number"),
        ({"budget_minutes": -1}, r"budget_minutes=-1: give the minutes available"),
        ({"stops": 2, "walk_kmh": 0}, r"walk_kmh=0: give a walking speed above 0"),
        ({"stops": 2, "dwell_minutes": -1}, r"dwell_minutes=-1: give the minutes spent"),
        ({"stops": 2, "start_lonlat": (2.35, 48.85)}, r"start_lonlat=\(2.35, 48.85\) is outside"),
        ({"stops": 2, "start_lonlat": (50.82, -0.14)}, r"looks like \(latitude, longitude\)"),
        ({"stops": 2, "start_lonlat": "here"}, r"start_lonlat='here': give \(longitude, lat"),
    ],
)
def test_bad_arguments_name_the_argument_and_the_fix(
    options: dict[str, object], message: str
) -> None:
    frame = candidates((0, 300, 1, 3, 0, "site"))
    options = {"start_lonlat": START_LONLAT, **options}
    with pytest.raises(AnalysisError, match=message):
        plan_patrol(frame, **options)  # type: ignore[arg-type]


def test_start_outside_the_grid_and_missing_columns() -> None:
    frame = candidates((0, 300, 1, 3, 0, "site"))
    with pytest.raises(ValueError, match=r"start=\(-5.0, 10.0\) is outside Great Britain"):
        choose_stops(frame, stops=1, start=(-5.0, 10.0))
    with pytest.raises(AnalysisError, match=r"candidates has no column people"):
        choose_stops(frame.drop(columns="people"), stops=1, start=(X0, Y0))


def test_without_a_start_and_without_places_the_error_asks_for_a_start() -> None:
    nothing = candidates((0, 300, 1, 3, 0, "site")).iloc[:0]
    with pytest.raises(AnalysisError, match="no start given, and no places to visit"):
        plan_patrol(nothing, start_lonlat=None, stops=3)
    # with a budget too short for even one stop, the patrol is empty but still starts there
    one = candidates((0, 300, 1, 3, 0, "site"))
    patrol = plan_patrol(one, start_lonlat=None, budget_minutes=5)
    assert len(patrol.stops) == 0 and patrol.starts_at_first_stop
    assert patrol.start_bng == (X0, Y0 + 300)
