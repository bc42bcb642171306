"""Import speed: a lat/long records CSV end to end, against the obvious baseline in the same run.

The baseline is what a script without accounting does: ``pandas.read_csv``, ``points_from_xy``
and ``geopandas.sjoin`` onto the wards. The import does more (every row checked, dates parsed,
ids and person references hashed, duplicates found, personal columns dropped, one
transaction), so the ratio is the price of that. Each run also prints where the import's time
goes (read, parse, locate, ids, hash, dedupe, join, store) and how long reading the records back
takes (every column), and the ward summary over what was imported (12 weeks, every ward).

Run from the repository root: ``python -m bench.bench_import [--rows 100000] [--repeat 3]
[--wards FILE]`` (the demo borough's wards by default; e.g. ``--wards
../shared/data/england-wards-2013.gpkg``); ``--scaling`` measures 10^4, 10^5 and 10^6 rows
instead; ``--record`` adds the result, with the date and commit, to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # also runnable as ``python bench/bench_import.py``
    sys.path.insert(0, str(ROOT))

from bench.recording import commit, record  # noqa: E402
from geo.demo import write_demo  # noqa: E402
from geo.importing import import_areas, import_records  # noqa: E402
from geo.questions import area_summary  # noqa: E402
from geo.store import open_store  # noqa: E402

HEADING = "Import of a lat/long records CSV (`python -m bench.bench_import --rows N --record`)"
INTRO = (
    "The baseline reads the CSV with pandas and joins to the wards with `geopandas.sjoin`, with"
    " no checks and no store; the import parses and checks every row, hashes ids and person"
    " references, finds duplicates, places rows in wards and stores them in one transaction."
)
HEADER = "| date | commit | what | median | baseline median | ratio | throughput |"
PHASES = ("read", "parse", "locate", "ids", "hash", "dedupe", "join", "store")


def make_csv(
    path: Path,
    *,
    rows: int,
    wards: gpd.GeoDataFrame,
    seed: int = 1,
    first: date = date(2026, 8, 1),
) -> None:
    """Rows as an outreach team's export has them: UK dates, lat/long, a client ref per person,
    seen over the 90 nights from ``first``.

    Points are uniform over the wards' bounds (some fall outside every ward, as real ones do).
    """
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = wards.total_bounds
    observed = (
        pd.Timestamp(first)
        + pd.Timedelta(hours=22)
        + pd.to_timedelta(rng.integers(0, 90 * 24 * 60, rows), unit="min")
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


def ward_store(folder: Path, wards_file: Path | None) -> tuple[Path, gpd.GeoDataFrame]:
    """A store holding only the wards, checkpointed so that its file can be copied."""
    source = wards_file or write_demo(folder / "demo").wards
    path = folder / "wards.sqlite"
    store = open_store(path)
    import_areas(store, source)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path, store.areas()


def measure(
    folder: Path, wards_path: Path, wards: gpd.GeoDataFrame, *, rows: int, repeat: int
) -> dict[str, float]:
    """Median seconds of the import, its phases, the baseline and the reads back."""
    csv = folder / f"records-{rows}.csv"
    make_csv(csv, rows=rows, wards=wards)
    times: dict[str, list[float]] = {}
    for i in range(repeat):
        path = folder / f"s{rows}-{i}.sqlite"
        shutil.copy(wards_path, path)
        # the ward index kept when the wards were imported, as a real store has it
        shutil.copytree(
            wards_path.with_name(wards_path.stem + ".cache"),
            path.with_name(path.stem + ".cache"),
            dirs_exist_ok=True,
        )
        store = open_store(path)
        start = time.perf_counter()
        report = import_records(store, csv, agency="Bench")
        times.setdefault("import", []).append(time.perf_counter() - start)
        assert report.read == report.stored + report.skipped + report.rejected == rows
        for phase in PHASES:
            times.setdefault(phase, []).append(report.seconds.get(phase, 0.0))
        start = time.perf_counter()
        everything = store.records(role="coordinator")
        times.setdefault("read all", []).append(time.perf_counter() - start)
        start = time.perf_counter()
        figures = area_summary(store, role="coordinator", period="week", periods=12)
        times.setdefault("summary", []).append(time.perf_counter() - start)
        assert len(everything) == report.stored
        assert int(figures.areas["sightings"].sum() + figures.outside["sightings"].sum()) > 0
        del everything, figures, store
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.rmtree(path.with_name(path.stem + ".cache"), ignore_errors=True)
        start = time.perf_counter()
        baseline(csv, wards)
        times.setdefault("baseline", []).append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def result_row(result: dict[str, float], *, rows: int, wards: str, repeat: int) -> str:
    phases = ", ".join(f"{p} {result[p]:.2f}" for p in PHASES)
    what = (
        f"import_records, {rows:,} lat/long rows, {wards}, {repeat} runs on 2 shared cores"
        f" (phases, s: {phases}; then reading every column back {result['read all']:.2f} s;"
        f" the ward summary over it, 12 weeks, {result['summary']:.2f} s)"
    )
    return (
        f"| {date.today()} | {commit()} | {what} | {result['import']:.2f} s |"
        f" read_csv + sjoin {result['baseline']:.2f} s |"
        f" {result['import'] / result['baseline']:.1f}x | {rows / result['import']:,.0f} rows/s |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--wards", type=Path, default=None, help="a ward boundary file")
    parser.add_argument("--scaling", action="store_true", help="10^4, 10^5 and 10^6 rows")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    sizes = (10_000, 100_000, 1_000_000) if args.scaling else (args.rows,)
    wards_name = args.wards.name if args.wards else "demo wards"
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        wards_path, wards = ward_store(folder, args.wards)
        print(f"{len(wards):,} wards; medians of {args.repeat} runs, seconds")
        print(f"{'rows':>10} {'import':>7} " + " ".join(f"{p:>6}" for p in PHASES), end="")
        print(f" {'baseline':>8} {'ratio':>6} {'read all':>8} {'summary':>7}")
        for rows in sizes:
            result = measure(folder, wards_path, wards, rows=rows, repeat=args.repeat)
            print(
                f"{rows:>10,} {result['import']:>7.2f} "
                + " ".join(f"{result[p]:>6.2f}" for p in PHASES)
                + f" {result['baseline']:>8.2f} {result['import'] / result['baseline']:>5.1f}x"
                + f" {result['read all']:>8.2f} {result['summary']:>7.2f}",
                flush=True,
            )
            lines.append(result_row(result, rows=rows, wards=wards_name, repeat=args.repeat))
    print("\n".join(lines))
    if args.record:
        record(HEADING, lines, intro=INTRO, header=HEADER)


if __name__ == "__main__":
    main()
