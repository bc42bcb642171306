"""Import speed: a lat/long records CSV end to end, against the obvious baseline in the same run.

The baseline is what a script without accounting does: ``pandas.read_csv``, ``points_from_xy``
and ``geopandas.sjoin`` onto the wards. The import does more (every row checked, dates parsed,
duplicates found, personal columns dropped, one transaction), so the ratio is the price of that.

Run: ``python bench/bench_import.py [--rows 100000] [--repeat 3]``; add ``--record`` to append
the result, with the date and commit, to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.demo import write_demo
from geo.importer import import_areas, import_records
from geo.store import open_store

ROOT = Path(__file__).resolve().parents[1]


def make_csv(path: Path, *, rows: int, wards: gpd.GeoDataFrame, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = wards.total_bounds
    observed = pd.Timestamp("2026-08-01 22:00") + pd.to_timedelta(
        rng.integers(0, 90 * 24 * 60, rows), unit="min"
    )
    pd.DataFrame(
        {
            "Date": observed.strftime("%d/%m/%Y %H:%M"),
            "Latitude": rng.uniform(miny, maxy, rows).round(6),
            "Longitude": rng.uniform(minx, maxx, rows).round(6),
            "People": rng.integers(1, 4, rows),
            "Client Ref": rng.integers(0, rows // 5 + 1, rows).astype(str),
            "Notes": "Bedded down",
        }
    ).to_csv(path, index=False)


def baseline(csv: Path, wards: gpd.GeoDataFrame) -> int:
    frame = pd.read_csv(csv)
    points = gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["Longitude"], frame["Latitude"]), crs=4326
    )
    joined = gpd.sjoin(points, wards[["area_code", "geometry"]], predicate="within", how="left")
    return int(joined["area_code"].notna().sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        demo = write_demo(folder / "demo")
        csv = folder / "records.csv"
        wards_store = open_store(folder / "wards.sqlite")
        import_areas(wards_store, demo.wards)
        wards = wards_store.areas()
        make_csv(csv, rows=args.rows, wards=wards)
        ours, base = [], []
        for i in range(args.repeat):
            store = open_store(folder / f"s{i}.sqlite")
            import_areas(store, demo.wards)
            start = time.perf_counter()
            report = import_records(store, csv, agency="Bench")
            ours.append(time.perf_counter() - start)
            assert report.read == report.stored + report.skipped + report.rejected == args.rows
            start = time.perf_counter()
            baseline(csv, wards)
            base.append(time.perf_counter() - start)
    ours_m, base_m = statistics.median(ours), statistics.median(base)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    line = (
        f"| {date.today()} | {commit} | import_records, {args.rows:,} lat/long rows |"
        f" {ours_m:.2f} s | read_csv + sjoin {base_m:.2f} s | {ours_m / base_m:.1f}x |"
        f" {args.rows / ours_m:,.0f} rows/s |"
    )
    print(line)
    if args.record:
        with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")


if __name__ == "__main__":
    main()
