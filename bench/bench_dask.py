"""Ward figures, flow and hotspots on Dask against one process, by workers and data size.

Synthetic records (street counts from three agencies over 120 nights, in 100 wards of 1 km by
1 km, people drawn from a pool of a fifth as many references) are counted once in one process
(:func:`summarise`, :func:`flow`, :func:`hotspots`) and once on a LocalCluster of 1 and 2
threaded workers (:mod:`geo.scale`), in partitions of whole nights (about 500,000 records each);
medians of ``--repeat`` runs; every Dask answer is checked equal to the one-process answer.

Run from the repository root: ``python -m bench.bench_dask [--sizes 1000000,10000000]
[--workers 1,2] [--repeat 3] [--record]``.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from datetime import date
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bench.recording import commit, record
from geo.analysis.flow import flow
from geo.analysis.hotspots import hotspots
from geo.analysis.ward_figures import summarise
from geo.scale import dask_client, flow_on_dask, hotspots_on_dask, night_partitions
from geo.scale.partitioned import ROWS_PER_PARTITION, summarise_on_dask

NIGHTS = 120
ORIGIN = (530_000.0, 100_000.0)


def wards() -> gpd.GeoDataFrame:
    """100 square wards of 1 km in BNG, given in EPSG:4326 as the store keeps them."""
    col, row = np.divmod(np.arange(100), 10)
    west, south = ORIGIN[0] + col * 1000.0, ORIGIN[1] + row * 1000.0
    boxes = shapely.box(west, south, west + 1000, south + 1000)
    frame = gpd.GeoDataFrame(
        {
            "area_code": [f"W{i:03d}" for i in range(100)],
            "area_name": [f"Ward {i}" for i in range(100)],
        },
        geometry=boxes,
        crs="EPSG:27700",
    )
    return frame.to_crs("EPSG:4326")


def records(n: int, *, seed: int = 16) -> pd.DataFrame:
    """``n`` street-count records with the columns the three analyses read."""
    rng = np.random.default_rng(seed)
    x = ORIGIN[0] + rng.uniform(0, 10_000, n)
    y = ORIGIN[1] + rng.uniform(0, 10_000, n)
    ward = (np.floor((y - ORIGIN[1]) / 1000) * 10 + np.floor((x - ORIGIN[0]) / 1000)).astype(int)
    night = pd.Timestamp("2026-08-01") + pd.to_timedelta(rng.integers(0, NIGHTS, n), unit="D")
    refs = np.array([f"P{i}" for i in range(max(n // 5, 1))], dtype=object)
    person = refs[rng.integers(0, len(refs), n)]
    person[rng.random(n) < 0.1] = None
    frame = pd.DataFrame(
        {
            "kind": "street_count",
            "agency": rng.choice(["Council", "Outreach", "Police"], n),
            "night": night,
            "people": 1,
            "person_ref": person,
            "area_code": np.array([f"W{i:03d}" for i in range(100)], dtype=object)[ward],
            "easting": x,
            "northing": y,
            "sex": rng.choice(["male", "female", "unknown"], n),
            "nationality_group": rng.choice(["UK", "EU/EEA", "non-EU", "unknown"], n),
            "language": None,
            "interpreter_needed": False,
            "outcome": None,
        }
    )
    from geo.schema import RECORD_FLAGS

    for flag in RECORD_FLAGS:
        frame[flag] = False
    return frame


def _median(function: Any, repeat: int) -> tuple[float, Any]:
    times, answer = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        answer = function()
        times.append(time.perf_counter() - began)
    return statistics.median(times), answer


def _same(a: Any, b: Any) -> bool:
    frames = (
        [(a, b)]
        if isinstance(a, pd.DataFrame)
        else [(getattr(a, n), getattr(b, n)) for n in ("areas", "totals")]
    )
    try:
        for x, y in frames:
            pd.testing.assert_frame_equal(x, y)
    except AssertionError:
        return False
    return True


def run(sizes: list[int], workers: list[int], repeat: int) -> list[dict[str, Any]]:
    """Time every analysis at every size, in one process and on each number of workers."""
    areas = wards()
    end = date(2026, 8, 1) + pd.Timedelta(days=NIGHTS - 1)
    rows = []
    for n in sizes:
        frame = records(n)
        ones = {
            "summary (weeks)": lambda frame=frame: summarise(
                frame, areas, period="week", placed=True
            ),
            "flow (months)": lambda frame=frame: flow(
                frame, areas, period="month", periods=3, placed=True
            ),
            "hotspots": lambda frame=frame: hotspots(
                frame, start=end - pd.Timedelta(days=27), end=end
            ),
        }
        single = {name: _median(f, repeat) for name, f in ones.items()}
        for w in workers:
            with dask_client(workers=w) as client:
                parts = max(w, math.ceil(n / ROWS_PER_PARTITION))
                ddf = night_partitions(frame, partitions=parts)
                many = {
                    "summary (weeks)": lambda ddf=ddf, client=client: summarise_on_dask(
                        ddf, areas, client=client, period="week", placed=True
                    ),
                    "flow (months)": lambda ddf=ddf, client=client: flow_on_dask(
                        ddf, areas, client=client, period="month", periods=3, placed=True
                    ),
                    "hotspots": lambda ddf=ddf, client=client: hotspots_on_dask(
                        ddf, client=client, start=end - pd.Timedelta(days=27), end=end
                    ),
                }
                for name, f in many.items():
                    took, answer = _median(f, repeat)
                    one_took, one_answer = single[name]
                    rows.append(
                        dict(analysis=name, points=n, workers=w, partitions=parts,
                             one=one_took, dask=took, equal=_same(one_answer, answer))
                    )  # fmt: skip
                    print(rows[-1], flush=True)  # noqa: T201
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    rows = run(
        [int(s) for s in args.sizes.split(",")],
        [int(w) for w in args.workers.split(",")],
        args.repeat,
    )
    if args.record:
        today, at = date.today().isoformat(), commit()
        record(
            "Dask: ward figures, flow and hotspots by workers and size (issue 16, section 3)",
            [
                f"| {today} | {at} | {r['analysis']} | {r['points']:,} | {r['workers']} |"
                f" {r['partitions']} | {r['one']:.2f} s | {r['dask']:.2f} s |"
                f" {r['dask'] / r['one']:.2f}x | {'yes' if r['equal'] else 'NO'} |"
                for r in rows
            ],
            intro="One process against a LocalCluster of threaded workers on this 2-core machine,"
            " medians; 'equal' says the Dask answer was frame-equal to one process's.",
            header="| date | commit | analysis | points | workers | partitions | one process |"
            " dask | dask / one | equal |",
        )


if __name__ == "__main__":
    main()
