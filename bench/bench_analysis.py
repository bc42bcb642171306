"""Analysis speed: the demo borough's whole pipeline, and ward figures from 10^4 to 10^6 records.

Pipeline: what a page rerun asks of the demo store, step by step (ward figures, hotspots,
persistent sites, coverage gaps), as a coordinator (exact) and as a councillor (ward figures
with suppression, the only thing a councillor gets).

Ward figures at scale: records spread over the 7,681 England wards (``england-wards-2013.gpkg``)
and 90 nights, four agencies, a fifth of them with shared person references. Ours is
:func:`geo.analysis.ward_figures.summarise` (every ward and week, the street-count rule, distinct
people, needs, change, trend, emerging). The baseline, in the same run, is the obvious pandas line:
``records.groupby(["area_code", week])["people"].sum()``, which does none of that.

Run from the repository root: ``python -m bench.bench_analysis [--repeat 5] [--record]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from bench.recording import commit, record
from geo import questions
from geo.analysis.ward_figures import summarise
from geo.crs import to_bng
from geo.demo import load_demo
from geo.io.boundaries import read_areas
from geo.locate.areas import AreaIndex
from geo.questions import area_summary
from geo.store import open_store

ROOT = Path(__file__).resolve().parents[1]
WARDS = ROOT.parent / "shared" / "data" / "england-wards-2013.gpkg"
AGENCIES = np.array(["Council outreach", "Harbour Light", "Police team", "St Anne's"])


def median_time(step: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def pipeline(repeat: int) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "demo.sqlite")
        load_demo(store, directory=ROOT / "data" / "demo")
        steps: dict[str, Callable[[], object]] = {
            "summary": lambda: area_summary(store, role="coordinator", period="week"),
            "hotspots": lambda: questions.hotspot_cells(store, role="coordinator"),
            "sites": lambda: questions.sites(store, role="coordinator"),
            "gaps": lambda: questions.coverage_gaps(store, role="coordinator"),
        }
        for step in steps.values():
            step()  # warm: the first call builds the ward index and imports scipy's pieces
        times = {name: median_time(step, repeat) for name, step in steps.items()}
        councillor = median_time(
            lambda: area_summary(store, role="councillor", period="week"), repeat
        )
    total = sum(times.values())
    parts = ", ".join(f"{name} {seconds:.3f} s" for name, seconds in times.items())
    return [
        f"| {date.today()} | {commit()} | demo pipeline, coordinator (1,848 records) |"
        f" {total:.3f} s | {parts} |",
        f"| {date.today()} | {commit()} | ward figures for a councillor, 8 weeks, suppressed |"
        f" {councillor:.3f} s | with the attack that checks no small count is given away |",
    ]


def england_records(n: int, wards, index: AreaIndex, *, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = wards.total_bounds
    lon, lat = rng.uniform(minx, maxx, 3 * n), rng.uniform(miny, maxy, 3 * n)
    code = index.assign(lon, lat)
    keep = np.flatnonzero(code != None)[:n]  # noqa: E711
    lon, lat, code = lon[keep], lat[keep], code[keep]
    easting, northing = to_bng(lon, lat)
    night = pd.Timestamp("2026-11-23") - pd.to_timedelta(rng.integers(0, 90, n), unit="D")
    refs = np.where(rng.random(n) < 0.2, "p_" + rng.integers(0, n // 10 + 1, n).astype(str), None)
    return pd.DataFrame(
        {
            "record_id": np.arange(n).astype(str),
            "kind": np.where(rng.random(n) < 0.1, "visit", "street_count"),
            "agency": AGENCIES[rng.integers(0, 4, n)],
            "night": night,
            "lon": lon,
            "lat": lat,
            "easting": easting,
            "northing": northing,
            "people": rng.integers(1, 4, n),
            "person_ref": refs,
            "sex": None,
            "nationality_group": "unknown",
            "language": None,
            "interpreter_needed": pd.array(rng.integers(0, 2, n), dtype="Int8"),
            "nrpf": pd.array(rng.integers(0, 2, n), dtype="Int8"),
            "trafficking_concern": pd.array(np.zeros(n, int), dtype="Int8"),
            "under_18": pd.array(np.zeros(n, int), dtype="Int8"),
            "outcome": None,
            "area_code": code,
        }
    )


def scaling(repeat: int, sizes: list[int]) -> list[str]:
    wards = read_areas(WARDS).areas
    index = AreaIndex.build(codes=wards["area_code"], geometries=wards.geometry)
    rows = []
    for n in sizes:
        records = england_records(n, wards, index)
        ours = median_time(
            lambda records=records: summarise(
                records, wards, period="week", periods=12, placed=True
            ),
            repeat,
        )
        week = (pd.Timestamp("2026-11-23") - records["night"]).dt.days // 7
        base = median_time(
            lambda records=records, week=week: records.groupby(["area_code", week])["people"].sum(),
            repeat,
        )
        rows.append(
            f"| {date.today()} | {commit()} | {n:,} | {ours:.3f} s | {base:.3f} s |"
            f" {ours / base:.1f}x |"
        )
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    demo = pipeline(args.repeat)
    print("\n".join(demo), flush=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    scale = scaling(args.repeat, sizes) if WARDS.exists() else []
    if args.record:
        record(
            "Analysis of the demo borough (`python -m bench.bench_analysis`)",
            demo,
            intro="What a page rerun asks of the demo store; medians. The floor is 1 s in all.",
            header="| date | commit | what | median | steps |",
        )
        if scale:
            record(
                "Ward figures at scale (`python -m bench.bench_analysis`)",
                scale,
                intro=(
                    "`summarise` over records spread over the 7,681 England wards, 12 weeks:"
                    " every ward and week, the street-count rule, distinct people, needs,"
                    " change, trend, emerging. Baseline: `groupby([area_code, week]).people"
                    ".sum()`, which does none of that. Records already in memory."
                ),
                header="| date | commit | records | summarise | groupby baseline | ratio |",
            )


if __name__ == "__main__":
    main()
