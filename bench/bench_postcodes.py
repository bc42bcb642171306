"""A postcode directory kept in the store, against giving the directory file with every import.

A national directory (ONSPD, NSPL: 2.7 million postcodes) is imported once; each later import
of a records file located by postcode then reads back only its own postcodes. The baseline, in
the same run, is the obvious way: ``import records FILE --postcodes NSPL.csv``, which reads the
whole directory for every file. Both import the same records into fresh copies of one store.

Run from the repository root: ``python -m bench.bench_postcodes [--postcodes 2700000]
[--rows 50000] [--repeat 3]``; ``--record`` adds the result, with the date and commit, to
bench/RESULTS.md. The directory is synthetic (2025+ NSPL headers) over the demo borough's
wards, so every postcode falls in a ward.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # also runnable as ``python bench/bench_postcodes.py``
    sys.path.insert(0, str(ROOT))

from bench.recording import commit, record  # noqa: E402
from geo.crs import to_lonlat  # noqa: E402
from geo.demo import write_demo  # noqa: E402
from geo.importing import import_areas, import_postcodes, import_records  # noqa: E402
from geo.store import open_store  # noqa: E402

HEADING = "Postcode directory kept in the store (`python -m bench.bench_postcodes --record`)"
INTRO = (
    "A synthetic NSPL-shaped directory is imported once; then a records file located by postcode"
    " is imported with the kept directory (only its own postcodes read back) and, as the"
    " baseline in the same run, with `--postcodes FILE` (the whole directory read per import)."
)
HEADER = (
    "| date | commit | directory | records | keep directory once | import, kept | "
    "import, file given (baseline) | ratio | peak RSS |"
)
_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))


def make_directory(path: Path, *, size: int, bounds: tuple[float, ...], seed: int = 7) -> None:
    """``size`` unique postcodes (``ZA1 1AA`` style: areas ZA, ZB..., districts 1-99) spread
    over ``bounds``."""
    rng = np.random.default_rng(seed)
    n = np.arange(size)
    per_area = 99 * 4000
    area, rest = n // per_area, n % per_area
    district, rest = rest // 4000 + 1, rest % 4000
    sector, unit = rest // 400, rest % 400
    outward = "Z" + pd.Series(_LETTERS[area % len(_LETTERS)]) + pd.Series(district.astype(str))
    inward = pd.Series(sector.astype(str)) + _LETTERS[unit // 20] + _LETTERS[unit % 20]
    pcds = outward + " " + inward
    minx, miny, maxx, maxy = bounds
    east = rng.uniform(minx, maxx, size).round()
    north = rng.uniform(miny, maxy, size).round()
    lon, lat = to_lonlat(east, north)
    frame = pd.DataFrame(
        {
            "pcds": pcds,
            "doterm": np.where(rng.random(size) < 0.1, "201901", ""),
            "east1m": east.astype(int),
            "north1m": north.astype(int),
            "gridind": 1,
            "wd25cd": "E05999001",
            "lat": lat.round(6),
            "long": lon.round(6),
        }
    )
    frame.to_csv(path, index=False)


def make_records(path: Path, postcodes: pd.Series, *, rows: int, seed: int) -> None:
    """An outreach export located by postcode only."""
    rng = np.random.default_rng(seed)
    chosen = postcodes.to_numpy()[rng.integers(0, len(postcodes), rows)]
    observed = pd.Timestamp("2026-10-01 22:00") + pd.to_timedelta(
        rng.integers(0, 60 * 24 * 60, rows), unit="min"
    )
    pd.DataFrame(
        {
            "Date": observed.strftime("%d/%m/%Y %H:%M"),
            "Postcode": chosen,
            "People": rng.integers(1, 3, rows),
        }
    ).to_csv(path, index=False)


def _timed(action) -> float:  # noqa: ANN001 - a zero-argument callable
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postcodes", type=int, default=2_700_000)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = write_demo(folder / "demo")
        base = open_store(folder / "base.sqlite")
        import_areas(base, files.wards)
        bounds = tuple(base.areas(layer="ward").to_crs("EPSG:27700").total_bounds)
        directory = folder / "nspl.csv"
        made = _timed(lambda: make_directory(directory, size=args.postcodes, bounds=bounds))
        size_mb = directory.stat().st_size / 1e6
        print(f"directory: {args.postcodes:,} postcodes, {size_mb:.0f} MB, made in {made:.1f} s")
        keep = _timed(lambda: import_postcodes(base, directory))
        store_mb = (folder / "base.sqlite").stat().st_size / 1e6
        print(f"kept in the store in {keep:.1f} s (store now {store_mb:.0f} MB)")
        postcodes = pd.read_csv(directory, usecols=["pcds"])["pcds"]

        kept, given = [], []
        for run in range(args.repeat):
            records = folder / f"records-{run}.csv"
            make_records(records, postcodes, rows=args.rows, seed=run)
            for label, times, extra in (
                ("kept", kept, {}),
                ("given", given, {"postcodes": directory}),
            ):
                path = folder / f"{label}-{run}.sqlite"
                with sqlite3.connect(folder / "base.sqlite") as src, sqlite3.connect(path) as dst:
                    src.backup(dst)  # the WAL's pages too, which a file copy would miss
                store = open_store(path)
                report = None

                def run_import(store=store, records=records, extra=extra) -> None:
                    nonlocal report
                    report = import_records(store, records, agency="Bench", **extra)

                times.append(_timed(run_import))
                assert report is not None and report.located_by == {"postcode": args.rows}, (
                    report.located_by if report else None
                )
            print(f"run {run + 1}: kept {kept[-1]:.2f} s, file given {given[-1]:.2f} s")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        kept_median, given_median = statistics.median(kept), statistics.median(given)
        ratio = given_median / kept_median
        print(
            f"median: kept {kept_median:.2f} s, file given {given_median:.2f} s:"
            f" {ratio:.1f}x faster with the directory kept; peak RSS {peak_mb:,.0f} MB"
        )
        if args.record:
            record(
                HEADING,
                [
                    f"| {date.today()} | {commit()} | {args.postcodes:,} ({size_mb:.0f} MB) |"
                    f" {args.rows:,} | {keep:.1f} s | {kept_median:.2f} s |"
                    f" {given_median:.2f} s | {ratio:.1f}x | {peak_mb:,.0f} MB |"
                ],
                intro=INTRO,
                header=HEADER,
            )


if __name__ == "__main__":
    main()
