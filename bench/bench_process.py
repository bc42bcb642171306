"""Import plus ward figures as whole processes, against a bare pandas + sjoin script, same run.

What a user waits for from the command line: ``python -m geo import records FILE`` and then
``python -m geo summary`` (one period over every record, every ward), each its own process,
python's own start and imports included. The baseline is a script run as its own process that
reads the CSV with pandas, makes points, reads the ward file, joins with
``geopandas.sjoin(predicate="within")`` and counts rows per ward. The records CSV is built
once (uniform over the England wards' bounds, as ``bench_import`` makes it); each repeat
imports into a fresh copy of a store holding only the wards (and the ward index kept when they
were imported). Before any time is reported, the sightings per ward from ``summary`` are
checked equal to the baseline's rows per ward.

``--compare DIR`` also runs the same commands with the code of another checkout (e.g. the main
branch), in the same run, so that before and after are measured side by side.

Run from the repository root: ``python -m bench.bench_process [--rows 1000000] [--repeat 3]
[--wards FILE] [--compare ../main] [--record]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pyogrio

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # also runnable as ``python bench/bench_process.py``
    sys.path.insert(0, str(ROOT))

from bench.recording import commit, record  # noqa: E402

DEFAULT_WARDS = ROOT.parent / "shared" / "data" / "england-wards-2013.gpkg"
HEADING = "Import and ward figures as whole processes (`python -m bench.bench_process --record`)"
INTRO = (
    "`python -m geo import records FILE` then `python -m geo summary` (one period over every"
    " record, every ward), each a whole process, against a baseline script run as its own"
    " process (pandas read_csv, points_from_xy, read the ward file, `sjoin(predicate=within)`,"
    " rows per ward). Floors of issue 16: the two commands within 3x of the baseline; points to"
    " wards at least 10x faster than sjoin (see the Points to wards table). Ward counts are"
    " checked equal to the baseline's in each run."
)
HEADER = (
    "| date | commit | code | rows | import | summary | import + summary | baseline | ratio |"
    " floor (3x) |"
)
# what a script without accounting does, run as its own process
BASELINE = """\
import sys
import geopandas as gpd
import pandas as pd

frame = pd.read_csv(sys.argv[1])
points = gpd.GeoDataFrame(
    frame, geometry=gpd.points_from_xy(frame["Longitude"], frame["Latitude"]), crs=4326
)
wards = gpd.read_file(sys.argv[2])
code = sys.argv[3]
joined = gpd.sjoin(points, wards[[code, "geometry"]], predicate="within", how="left")
joined.groupby(code).size().rename("rows").to_csv(sys.argv[4])
"""


def make_csv(path: Path, *, rows: int, wards: Path) -> None:
    """The records CSV of ``bench_import`` (UK dates, lat/long, a client ref per person)."""
    import geopandas as gpd

    from bench.bench_import import make_csv as write

    write(path, rows=rows, wards=gpd.read_file(wards))


def run(command: list[str], *, code: Path) -> float:
    """Seconds a command takes as a whole process, run with the package at ``code``."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=code, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[1:4])} failed:\n{done.stderr}")
    return seconds


def ward_store(folder: Path, *, code: Path, wards: Path) -> Path:
    """A store holding only the wards, imported by the code at ``code``."""
    path = folder / "wards.sqlite"
    run(
        [sys.executable, "-m", "geo", "import", "wards", str(wards), "--store", str(path)],
        code=code,
    )
    return path


def fresh_copy(template: Path, path: Path) -> None:
    shutil.copy(template, path)
    cache = template.with_name(template.stem + ".cache")
    if cache.is_dir():
        shutil.copytree(cache, path.with_name(path.stem + ".cache"))


def measure_ours(folder: Path, csv: Path, *, code: Path, wards: Path, repeat: int):
    """Median seconds of the import and of the summary, and the summary's sightings per ward."""
    template = ward_store(folder / "template", code=code, wards=wards)
    times: dict[str, list[float]] = {"import": [], "summary": []}
    figures = None
    for i in range(repeat):
        store = folder / f"s{i}.sqlite"
        fresh_copy(template, store)
        common = ["--store", str(store)]
        times["import"].append(
            run(
                [sys.executable, "-m", "geo", "import", "records", str(csv), *common]
                + ["--agency", "Bench"],
                code=code,
            )
        )
        out = folder / f"summary-{i}.csv"
        times["summary"].append(
            run(
                [sys.executable, "-m", "geo", "summary", *common, "--period", "range"]
                + ["--from", "2026-07-01", "--to", "2026-12-31", "--out", str(out)],
                code=code,
            )
        )
        figures = pd.read_csv(out, encoding="utf-8-sig")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{store}{suffix}").unlink(missing_ok=True)
        shutil.rmtree(store.with_name(store.stem + ".cache"), ignore_errors=True)
    counts = figures.set_index("area_code")["sightings"].astype(int)
    return {name: statistics.median(values) for name, values in times.items()}, counts


def measure_baseline(folder: Path, csv: Path, *, wards: Path, repeat: int):
    script = folder / "baseline.py"
    script.write_text(BASELINE, encoding="utf-8")
    code_field = pyogrio.read_info(wards)["fields"][0]
    out = folder / "baseline.csv"
    times = [
        run([sys.executable, str(script), str(csv), str(wards), code_field, str(out)], code=folder)
        for _ in range(repeat)
    ]
    counts = pd.read_csv(out).set_index(code_field)["rows"].astype(int)
    return statistics.median(times), counts


def check_same(ours: pd.Series, baseline: pd.Series, *, label: str) -> None:
    ours = ours[ours > 0].sort_index()
    baseline = baseline.sort_index()
    if not ours.equals(baseline.rename(ours.name).rename_axis(ours.index.name)):
        differ = ours.index.symmetric_difference(baseline.index).size
        raise SystemExit(f"{label}: ward counts differ from the baseline ({differ} wards differ)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--wards", type=Path, default=DEFAULT_WARDS)
    parser.add_argument("--compare", type=Path, help="another checkout, measured the same way")
    parser.add_argument(
        "--compare-label", help="what to call it in the table (default: its commit, or its name)"
    )
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    codes = [("this", ROOT)] + ([("compared", args.compare.resolve())] if args.compare else [])
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv = folder / f"records-{args.rows}.csv"
        make_csv(csv, rows=args.rows, wards=args.wards)
        base, expected = measure_baseline(folder, csv, wards=args.wards, repeat=args.repeat)
        print(f"baseline (read_csv + sjoin + groupby, whole process): {base:.2f} s", flush=True)
        for label, code in codes:
            work = folder / label
            (work / "template").mkdir(parents=True)
            times, counts = measure_ours(work, csv, code=code, wards=args.wards, repeat=args.repeat)
            check_same(counts, expected, label=label)
            total = times["import"] + times["summary"]
            name = commit() if code == ROOT else (args.compare_label or _commit_of(code))
            lines.append(
                f"| {date.today()} | {name} | {label} | {args.rows:,} | {times['import']:.2f} s"
                f" | {times['summary']:.2f} s | {total:.2f} s | {base:.2f} s"
                f" | {total / base:.1f}x | {'met' if total <= 3 * base else 'not met'} |"
            )
            print(lines[-1], flush=True)
    if args.record:
        record(HEADING, lines, intro=INTRO + f" Medians of {args.repeat} runs.", header=HEADER)


def _commit_of(code: Path) -> str:
    found = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=code, capture_output=True, text=True
    ).stdout.strip()
    return found or code.name


if __name__ == "__main__":
    main()
