"""Ward figures, flow and hotspots on Dask against one process, by workers and data size.

Synthetic records (street counts from three agencies over 120 nights, in 100 wards of 1 km by
1 km, people drawn from a pool of a fifth as many references) are written straight into Parquet
files of whole nights (about 500,000 records a file; the store's import is not timed here).
Each way of running is a fresh process, so its peak resident memory is its own:

- one process reads the same Parquet files into one frame, then runs :func:`summarise`,
  :func:`flow` and :func:`hotspots`;
- a LocalCluster of 1 and 2 threaded workers reads the files on the workers (one partition a
  file) and keeps them there (:func:`geo.scale.on_cluster`), then runs :mod:`geo.scale`'s
  analyses on them: the records are not sent again for each analysis or repeat.

"load" is reading the files (once per way); each analysis is the median of ``--repeat`` runs;
every Dask answer is checked frame-equal to the one-process answer; "peak" is the process's
maximum resident memory. Dask's "Sending large graph" warnings are counted (none expected).

Run from the repository root: ``python -m bench.bench_dask [--sizes 1000000,10000000]
[--workers 1,2] [--repeat 3] [--data DIR] [--record]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bench.recording import commit, record
from geo.analysis.flow import FLOW_READS, flow
from geo.analysis.hotspots import hotspots
from geo.analysis.ward_figures import SUMMARY_COLUMNS, summarise
from geo.scale.partitioned import ROWS_PER_PARTITION

NIGHTS = 120
FIRST = pd.Timestamp("2026-08-01")
END = (FIRST + pd.Timedelta(days=NIGHTS - 1)).date()
ORIGIN = (530_000.0, 100_000.0)
READS = list(dict.fromkeys([*SUMMARY_COLUMNS, *FLOW_READS, "easting", "northing"]))
ANALYSES = ("summary (weeks)", "flow (months)", "hotspots")


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


def records(nights: np.ndarray, pool: int, *, seed: int) -> pd.DataFrame:
    """One street-count record per entry of ``nights`` (night numbers from the first night),
    people drawn from references ``P0`` to ``P{pool - 1}``."""
    rng = np.random.default_rng(seed)
    n = len(nights)
    x = ORIGIN[0] + rng.uniform(0, 10_000, n)
    y = ORIGIN[1] + rng.uniform(0, 10_000, n)
    ward = (np.floor((y - ORIGIN[1]) / 1000) * 10 + np.floor((x - ORIGIN[0]) / 1000)).astype(int)
    person = np.char.add("P", rng.integers(0, pool, n).astype(str)).astype(object)
    person[rng.random(n) < 0.1] = None
    frame = pd.DataFrame(
        {
            "kind": "street_count",
            "agency": rng.choice(["Council", "Outreach", "Police"], n).astype(object),
            "night": FIRST + pd.to_timedelta(nights, unit="D"),
            "people": 1,
            "person_ref": person,
            "area_code": np.array([f"W{i:03d}" for i in range(100)], dtype=object)[ward],
            "easting": x,
            "northing": y,
            "sex": rng.choice(["male", "female", "unknown"], n).astype(object),
            "nationality_group": rng.choice(["UK", "EU/EEA", "non-EU", "unknown"], n).astype(
                object
            ),
            "language": None,
            "interpreter_needed": False,
            "outcome": None,
        }
    )
    from geo.schema import RECORD_FLAGS

    for flag in RECORD_FLAGS:
        frame[flag] = False
    return frame


def write_parquet(n: int, folder: Path, *, seed: int = 16) -> int:
    """``n`` records over :data:`NIGHTS` nights into ``folder``, files of whole nights of about
    :data:`ROWS_PER_PARTITION` records (``records-000.parquet``, ...); returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    per_night = np.full(NIGHTS, n // NIGHTS)
    per_night[: n % NIGHTS] += 1
    nights_a_file = max(1, round(ROWS_PER_PARTITION / max(n / NIGHTS, 1)))
    files = 0
    for first in range(0, NIGHTS, nights_a_file):
        span = np.arange(first, min(first + nights_a_file, NIGHTS))
        nights = np.repeat(span, per_night[span])
        frame = records(nights, max(n // 5, 1), seed=seed * 1_000 + files)
        frame.to_parquet(folder / f"records-{files:03d}.parquet", index=False)
        files += 1
    return files


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


def measure(folder: str, workers: int, repeat: int) -> dict[str, Any]:
    """One way of running (``workers`` 0: one process) in this process: load, then each
    analysis ``repeat`` times. Run in a fresh process so the peak memory is this way's own."""
    areas = wards()
    start = END - pd.Timedelta(days=27)
    files = sorted(str(p) for p in Path(folder).glob("*.parquet"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if workers == 0:
            load, frame = _median(lambda: pd.read_parquet(files, columns=READS), 1)
            runs = {
                "summary (weeks)": lambda: summarise(frame, areas, period="week", placed=True),
                "flow (months)": lambda: flow(frame, areas, period="month", periods=3, placed=True),
                "hotspots": lambda: hotspots(frame, start=start, end=END),
            }
            found = {name: _median(f, repeat) for name, f in runs.items()}
            partitions = 1
        else:
            found, load, partitions = _on_dask(folder, workers, repeat, areas, start)
    large = sum("Sending large graph" in str(w.message) for w in caught)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB to GiB
    return dict(found=found, load=load, partitions=partitions, peak=peak, large_graphs=large)


def _on_dask(folder: str, workers: int, repeat: int, areas: Any, start: date) -> Any:
    from distributed import wait

    from geo.scale import (
        dask_client,
        flow_on_dask,
        hotspots_on_dask,
        on_cluster,
        parquet_partitions,
        summarise_on_dask,
    )

    with dask_client(workers=workers) as client:
        began = time.perf_counter()
        ddf = on_cluster(parquet_partitions(folder, columns=READS), client=client)
        wait(ddf)
        load = time.perf_counter() - began
        runs = {
            "summary (weeks)": lambda: summarise_on_dask(
                ddf, areas, client=client, period="week", placed=True
            ),
            "flow (months)": lambda: flow_on_dask(
                ddf, areas, client=client, period="month", periods=3, placed=True
            ),
            "hotspots": lambda: hotspots_on_dask(ddf, client=client, start=start, end=END),
        }
        found = {name: _median(f, repeat) for name, f in runs.items()}
        return found, load, ddf.npartitions


def run(sizes: list[int], workers: list[int], repeat: int, data: Path) -> list[dict[str, Any]]:
    """Every size: write the files, then one process and each number of workers, each in a
    fresh process; a row per analysis and number of workers."""
    rows = []
    spawn = multiprocessing.get_context("spawn")
    for n in sizes:
        folder = data / f"points-{n}"
        if not folder.is_dir():
            began = time.perf_counter()
            files = write_parquet(n, folder)
            print(f"{n:,} points: {files} files in {time.perf_counter() - began:.0f} s", flush=True)  # noqa: T201
        ways = {}
        for w in [0, *workers]:
            with ProcessPoolExecutor(1, mp_context=spawn) as pool:
                ways[w] = pool.submit(measure, str(folder), w, repeat).result()
            way = f"{w} workers" if w else "one process"
            print(  # noqa: T201
                f"{n:,} points, {way}: load {ways[w]['load']:.1f} s,"
                f" peak {ways[w]['peak']:.2f} GiB, large graphs {ways[w]['large_graphs']}",
                flush=True,
            )
        one = ways[0]
        for w in workers:
            many = ways[w]
            for name in ANALYSES:
                (one_took, one_answer), (took, answer) = one["found"][name], many["found"][name]
                rows.append(
                    dict(analysis=name, points=n, workers=w, partitions=many["partitions"],
                         one=one_took, dask=took, equal=_same(one_answer, answer),
                         one_load=one["load"], dask_load=many["load"], one_peak=one["peak"],
                         dask_peak=many["peak"], large_graphs=many["large_graphs"])
                )  # fmt: skip
                print({k: v for k, v in rows[-1].items()}, flush=True)  # noqa: T201
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", help="keep the Parquet files here (default: a temporary folder)")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    workers = [int(w) for w in args.workers.split(",")]
    if args.data:
        rows = run(sizes, workers, args.repeat, Path(args.data))
    else:
        with tempfile.TemporaryDirectory(prefix="bench-dask-") as data:
            rows = run(sizes, workers, args.repeat, Path(data))
    if args.record:
        today, at = date.today().isoformat(), commit()
        record(
            "Dask from Parquet, records loaded once: by workers and size (issue 16, section 3)",
            [
                f"| {today} | {at} | {r['analysis']} | {r['points']:,} | {r['workers']} |"
                f" {r['partitions']} | {r['one_load']:.1f} s | {r['dask_load']:.1f} s |"
                f" {r['one']:.2f} s | {r['dask']:.2f} s | {r['dask'] / r['one']:.2f}x |"
                f" {r['one_peak']:.1f} GiB | {r['dask_peak']:.1f} GiB |"
                f" {'yes' if r['equal'] else 'NO'} |"
                for r in rows
            ],
            intro="The same Parquet files (whole nights, about 500,000 records a file) read by"
            " one process or by a LocalCluster of threaded workers on this 2-core machine, each"
            " in a fresh process; load once, then medians of each analysis on the loaded"
            " records; peak is the process's maximum resident memory; 'equal' says the Dask"
            " answer was frame-equal to one process's.",
            header="| date | commit | analysis | points | workers | partitions | load, one |"
            " load, dask | one process | dask | dask / one | peak, one | peak, dask | equal |",
        )


if __name__ == "__main__":
    main()
