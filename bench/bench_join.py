"""Points to wards: the grid index against plain ``geopandas.sjoin``, in the same run.

Points are spread over the layer by area (uniform over its bounds, kept where they land in an
area), so a point is as likely to be near a boundary as real records are on average. The
baseline is ``sjoin(points, wards, predicate="within")`` on points already made; the index works
on coordinate arrays, so the time to make points (``points_from_xy``) is shown apart. Answers
are checked to be identical before any time is reported.

Run from the repository root:
``python -m bench.bench_join [--wards FILE] [--points 1000000] [--repeat 5] [--record]``;
``--scaling`` measures 10^4, 10^5 and 10^6 points instead.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np

from bench.recording import commit, record
from geo.io.boundaries import read_areas
from geo.locate.areas import AreaIndex

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WARDS = ROOT.parent / "shared" / "data" / "england-wards-2013.gpkg"
INTRO = (
    "Assigning points to the 7,681 England wards (`england-wards-2013.gpkg`). Baseline:"
    ' `gpd.sjoin(points, wards, predicate="within")` on points already made. The index is'
    " built once per layer and kept, so its build time is shown apart; answers are identical"
    " to sjoin's (checked in each run)."
)
HEADER = (
    "| date | commit | points | index assign | sjoin | ratio | points_from_xy |"
    " ratio with points | index build |"
)


def points_in(wards: gpd.GeoDataFrame, index: AreaIndex, n: int, *, seed: int = 0):
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = wards.total_bounds
    xs, ys, have = [], [], 0
    while have < n:
        x, y = rng.uniform(minx, maxx, 2 * n), rng.uniform(miny, maxy, 2 * n)
        inside = index.positions(x, y) >= 0
        xs.append(x[inside])
        ys.append(y[inside])
        have += int(inside.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def measure(wards: gpd.GeoDataFrame, index: AreaIndex, n: int, repeat: int) -> dict[str, float]:
    x, y = points_in(wards, index, n)
    frame = wards[["area_code", "geometry"]]
    times: dict[str, list[float]] = {"assign": [], "sjoin": [], "points": []}
    for _ in range(repeat):
        start = time.perf_counter()
        got = index.assign(x, y)
        times["assign"].append(time.perf_counter() - start)
        start = time.perf_counter()
        points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=wards.crs)
        times["points"].append(time.perf_counter() - start)
        start = time.perf_counter()
        joined = gpd.sjoin(points, frame, predicate="within")
        times["sjoin"].append(time.perf_counter() - start)
    joined = joined[~joined.index.duplicated(keep=False)]
    expected = np.full(n, None, dtype=object)
    expected[joined.index.to_numpy()] = joined["area_code"].to_numpy()
    if got.tolist() != expected.tolist():
        raise SystemExit(f"answers differ from sjoin for {(got != expected).sum()} points")
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wards", type=Path, default=DEFAULT_WARDS)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scaling", action="store_true")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    wards = read_areas(args.wards).areas
    builds = []
    for _ in range(3):
        start = time.perf_counter()
        index = AreaIndex.build(codes=wards["area_code"], geometries=wards.geometry)
        builds.append(time.perf_counter() - start)
    build = statistics.median(builds)
    sizes = [10_000, 100_000, 1_000_000] if args.scaling else [args.points]
    rows = []
    for n in sizes:
        m = measure(wards, index, n, args.repeat)
        rows.append(
            f"| {date.today()} | {commit()} | {n:,} | {m['assign']:.3f} s | {m['sjoin']:.3f} s"
            f" | {m['sjoin'] / m['assign']:.1f}x | {m['points']:.3f} s"
            f" | {(m['sjoin'] + m['points']) / m['assign']:.1f}x | {build:.2f} s |"
        )
        print(rows[-1], flush=True)
    if args.record:
        record("Points to wards (`python -m bench.bench_join`)", rows, intro=INTRO, header=HEADER)


if __name__ == "__main__":
    main()
