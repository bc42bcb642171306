"""Hotspot speed: Gi* over a 50,000-cell grid against esda with DistanceBand weights, same run.

The baseline is what a PySAL user writes: ``libpysal.weights.DistanceBand`` on the cell centres
(threshold 1.5 cells, i.e. queen neighbours) and ``esda.G_Local(y, w, transform="B",
star=True, permutations=0)`` on the counts :func:`geo.analysis.hotspots.grid_counts` made. Ours
is the whole of :func:`geo.analysis.hotspots.hotspots` (binning the records, Gi*, FDR, the
GeoDataFrame with cell ids and polygons) and, apart, the Gi* kernel alone; both are checked to
give esda's z.
A scaling line then runs ``persistent_sites`` and ``hotspots`` on 10^4, 10^5 and 10^6 records.

Run from the repository root: ``python -m bench.bench_hotspots [--side 224]
[--repeat 5] [--scaling 10000,100000,1000000]``; add ``--record`` to append the results, with
the date and commit, to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import esda
import libpysal
import numpy as np
import pandas as pd

from geo.analysis.hotspots import _kernel, gi_star, grid_counts, hotspots
from geo.analysis.sites import persistent_sites

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Hotspots (Gi*)"
CELL_M = 100.0
WEST, SOUTH = 500_000.0, 100_000.0
AGENCIES = ("Council outreach", "Harbour Light", "Police team", "St Anne's")


def make_records(n: int, *, side_m: float, nights: int = 91, seed: int = 1) -> pd.DataFrame:
    """``n`` records over a ``side_m`` square: 70% at a few thousand sites, 30% one-offs."""
    rng = np.random.default_rng(seed)
    sites = rng.uniform(0, side_m, (max(n // 500, 20), 2))
    at_site = rng.random(n) < 0.7
    xy = rng.uniform(0, side_m, (n, 2))
    pick = rng.integers(0, len(sites), at_site.sum())
    xy[at_site] = sites[pick] + rng.normal(0, 15, (at_site.sum(), 2))
    night = pd.Timestamp("2026-11-23") - pd.to_timedelta(rng.integers(0, nights, n), unit="D")
    visit = rng.random(n) < 0.15
    observed = (night + pd.to_timedelta(rng.integers(22 * 60, 28 * 60, n), unit="min")).tz_localize(
        "Europe/London", ambiguous="NaT", nonexistent="shift_forward"
    )
    return pd.DataFrame(
        {
            "record_id": np.arange(n).astype(str),
            "kind": np.where(visit, "visit", "street_count"),
            "agency": np.asarray(AGENCIES, dtype=object)[rng.integers(0, len(AGENCIES), n)],
            "observed_at": observed,
            "night": night,
            "easting": WEST + xy[:, 0],
            "northing": SOUTH + xy[:, 1],
            "people": np.where(visit, 0, rng.integers(1, 4, n)),
            "area_code": np.where(xy[:, 0] < side_m / 2, "E05999001", "E05999002"),
        }
    )


def esda_baseline(cells: pd.DataFrame, *, weight: str = "people") -> np.ndarray:
    """esda's z-scores with DistanceBand weights built from the cell centres."""
    centres = cells[["easting", "northing"]].to_numpy()
    w = libpysal.weights.DistanceBand(centres, threshold=1.5 * CELL_M, silence_warnings=True)
    result = esda.G_Local(
        cells[weight].to_numpy(float), w, transform="B", star=True, permutations=0
    )
    return result.Zs


def timed(function: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=224, help="grid side in cells (224: 50,176)")
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scaling", default="10000,100000,1000000")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()

    side_m = args.side * CELL_M
    extent = (WEST, SOUTH, WEST + side_m, SOUTH + side_m)
    records = make_records(args.records, side_m=side_m)
    cells = grid_counts(records, cell_m=CELL_M, extent=extent)
    grid = cells["people"].to_numpy().reshape(args.side, args.side)
    n_cells = len(cells)

    ours_s, ours = timed(lambda: hotspots(records, cell_m=CELL_M, extent=extent), args.repeat)
    kernel_s, (z_kernel, _) = timed(
        lambda: gi_star(grid, _kernel("queen", cell=CELL_M)), args.repeat
    )
    base_s, z_base = timed(lambda: esda_baseline(cells), args.repeat)
    np.testing.assert_allclose(ours["gi_z"].to_numpy(), z_base, atol=1e-9)
    np.testing.assert_allclose(z_kernel, z_base, atol=1e-9)

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    today = date.today()
    lines = [
        f"| {today} | {commit} | hotspots(), {n_cells:,} cells, {args.records:,} records |"
        f" {ours_s:.3f} s | DistanceBand + G_Local {base_s:.2f} s |"
        f" {base_s / ours_s:.0f}x faster |",
        f"| {today} | {commit} | Gi* kernel alone (gi_star), {n_cells:,} cells |"
        f" {kernel_s * 1000:.1f} ms | DistanceBand + G_Local {base_s:.2f} s |"
        f" {base_s / kernel_s:.0f}x faster |",
    ]
    for n in [int(v) for v in args.scaling.split(",") if v]:
        frame = make_records(n, side_m=side_m, seed=2)
        sites_s, sites = timed(lambda frame=frame: persistent_sites(frame), 1)
        hot_s, _ = timed(lambda frame=frame: hotspots(frame, cell_m=CELL_M), 1)
        lines.append(
            f"| {today} | {commit} | scaling: {n:,} records over 91 nights,"
            f" persistent_sites (last 14 nights, {len(sites):,} sites) / hotspots |"
            f" {sites_s:.2f} s / {hot_s:.2f} s | | |"
        )
    for line in lines:
        print(line)
    if args.record:
        record(lines, RESULTS)


def record(lines: list[str], path: Path) -> None:
    """Append rows under this benchmark's section, adding the section once; others untouched."""
    text = path.read_text(encoding="utf-8")
    if SECTION not in text:
        text = text.rstrip("\n") + (
            f"\n\n{SECTION} (`python -m bench.bench_hotspots --record`)\n\n"
            "Ours is all of `hotspots()` (binning, Gi*, BH FDR, cell ids, polygons) and, apart,\n"
            "the Gi* kernel; the baseline builds libpysal `DistanceBand` weights (1.5 cells) on\n"
            'the cell centres and runs `esda.G_Local(transform="B", star=True,\n'
            "permutations=0)`; z-scores are checked equal. Medians of `--repeat` runs; the\n"
            "scaling rows are single runs on records over 91 nights (last 14 for sites).\n\n"
            "| date | commit | what | median | baseline median | ratio |\n"
            "|---|---|---|---|---|---|\n"
        )
    head, _, tail = text.partition(SECTION)
    body, sep, rest = tail.partition("\n## ")
    body = body.rstrip("\n") + "\n" + "\n".join(lines) + "\n"
    after = ("\n" + sep.lstrip("\n") + rest) if sep else ""
    path.write_text(head + SECTION + body + after, encoding="utf-8")


if __name__ == "__main__":
    main()
